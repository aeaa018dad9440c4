// SIGKILL with calls in every state: one bridged, one ringing an operator, one waiting in the
// queue. The next instance reclaims them from ARI: the bridged call talks (and records) on, the
// ringing one is offered again, the waiting one keeps its place behind it. None is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { answerOnce, ringNoAnswer, runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { apiClient, cancelOpenCallbacks, clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import { stackServicePort } from '../support/stack.js';

interface Call {
  id: string;
  status: string;
  operatorId: string | null;
  endedAt: string | null;
  answeredAt: string | null;
  recordingId: string | null;
  transitions: { to: string }[];
}

let next: TestApp | undefined;
let proc: ChildProcess | undefined;
afterAll(async () => {
  // A failure before the kill below must not leave the service running: it would hold the
  // node's lock, and every later file of the shard would fail to start.
  proc?.kill('SIGKILL');
  await next?.stop();
});

describe('SIGKILL with calls bridged, ringing and waiting', () => {
  it('loses none of them', async () => {
    const port = stackServicePort();
    const prefix = uniq('sigkill-');
    await cancelOpenCallbacks();
    proc = spawn('node', ['dist/src/main.js'], {
      env: { ...process.env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', PBXDESK_QUEUE_PREFIX: prefix, SURVEY_TIMEOUT_SEC: '0' },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => proc!.on('exit', r));
    const client = apiClient(`http://127.0.0.1:${port}`);
    await waitFor('the service process', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200);
    await clearLine(client, 'first');
    await clearLine(client, 'second');
    const callOf = async (api: TestApp['api'], caller: string) => (await api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];

    const talker = await operatorWithPhone(client, 'first');
    const [a, b, c] = [randomPhone(), randomPhone(), randomPhone()];
    const bridgedRun = runCaller({ caller: a, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 20_000 });
    const bridged = await waitFor('A bridged', async () => ((await callOf(client, a))?.status === 'bridged' ? callOf(client, a) : undefined));
    const deaf = await operatorWithPhone(client, 'second', (p) => ringNoAnswer({ sipPort: p.sip }));
    const ringingRun = runCaller({ caller: b, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 18_000 });
    const ringing = await waitFor('B ringing', async () => ((await callOf(client, b))?.status === 'ringing' ? callOf(client, b) : undefined));
    const waitingRun = runCaller({ caller: c, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 30_000 });
    const waiting = await waitFor('C queued', async () => ((await callOf(client, c))?.status === 'queued' ? callOf(client, c) : undefined));

    proc.kill('SIGKILL');
    await exited;
    proc = undefined;
    // The phone that never answers is logged out before the next instance starts.
    await db.updateTable('operators').set({ state: 'offline' }).where('id', '=', deaf.id).execute();
    next = await startTestApp({ PBXDESK_QUEUE_PREFIX: prefix, WRAPUP_SEC: '0' });
    await waitFor('readyz', async () => (await fetch(`${next!.base}/readyz`)).status === 200);
    expect((await deaf.phone).code).toBe(0); // its ring was cancelled by the reclaim
    const second = await operatorWithPhone(next.api, 'second', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 2 }));

    for (const [who, run] of [['A', bridgedRun], ['B', ringingRun], ['C', waitingRun], ['first operator', talker.phone], ['second operator', second.phone]] as const) {
      const r = await run;
      expect(r.code, `${who}: ${r.stdout}`).toBe(0);
    }
    const done = async (id: string) =>
      waitFor('the call to end', async () => {
        const x = (await next!.api<Call>('GET', `/api/calls/${id}`)).body;
        return x.endedAt ? x : undefined;
      });
    const [ea, eb, ec] = [await done(bridged!.id), await done(ringing!.id), await done(waiting!.id)];
    expect(ea).toMatchObject({ status: 'completed', operatorId: talker.id });
    expect(eb).toMatchObject({ status: 'completed', operatorId: second.id });
    expect(ec).toMatchObject({ status: 'completed', operatorId: second.id });
    expect(eb.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
    // The one rung before the kill keeps its place ahead of the one who came after.
    expect(Date.parse(eb.answeredAt!)).toBeLessThan(Date.parse(ec.answeredAt!));
    const rec = await waitFor('A’s recording', async () => {
      const r = await next!.api<{ status: string }>('GET', `/api/recordings/${ea.recordingId}`);
      return ['archived', 'incomplete', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect(rec.status).toBe('archived');
    await next.api('PUT', `/api/operators/${talker.id}/state`, { state: 'offline' });
    await next.api('PUT', `/api/operators/${second.id}/state`, { state: 'offline' });
  });
});
