// Postgres goes away under calls in progress (the real one, stopped by lib.sh), and the service
// is SIGKILLed while it is away. The call ledger keeps the calls going in memory, journals their
// changes, and writes them once Postgres is back; the next instance replays the journal before
// it reclaims. No call is lost, no row is left open, and every transition is in call_events;
// while it is away the API still tells a call in progress.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { answerOnce, runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { apiClient, clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { stackServicePort } from '../support/stack.js';

interface Call {
  id: string;
  status: string;
  ticketId: string | null;
  endedAt: string | null;
  recordingId: string | null;
  transitions: { to: string }[];
}

function postgres(action: 'stop' | 'start'): void {
  const r = spawnSync('bash', ['-c', `. scripts/lib.sh && stack_env && ${action}_postgres`], { cwd: PROJECT_ROOT, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${action}_postgres: ${r.stderr.toString()}`);
}

function service(port: number, prefix: string): { proc: ChildProcess; exited: Promise<unknown> } {
  const proc = spawn('node', ['dist/src/main.js'], {
    env: { ...process.env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', PBXDESK_QUEUE_PREFIX: prefix, SURVEY_TIMEOUT_SEC: '0', WRAPUP_SEC: '0' },
    stdio: 'ignore',
  });
  return { proc, exited: new Promise((r) => proc.on('exit', r)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let next: TestApp | undefined;
let running: ChildProcess | undefined;
afterAll(async () => {
  postgres('start'); // whatever happened, the suite's Postgres is left running
  running?.kill('SIGKILL');
  await next?.stop();
});

describe('Postgres away under calls in progress', () => {
  it('loses no call, leaves no row open, and writes every transition in order once it is back; a SIGKILL during the outage loses nothing either', async () => {
    const port = stackServicePort();
    const prefix = uniq('pg-outage-');
    const first = service(port, prefix);
    running = first.proc;
    const client = apiClient(`http://127.0.0.1:${port}`);
    await waitFor('the service process', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200);
    await clearLine(client, 'first');
    await clearLine(client, 'second');
    const callOf = async (api: TestApp['api'], caller: string) => (await api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    const op = await operatorWithPhone(client, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 2 }));
    const [a, b, c] = [randomPhone(), randomPhone(), randomPhone()];

    // A talks to the operator; Postgres stops mid-conversation. B calls during the outage and
    // waits for the operator; A hangs up during the outage.
    const aRun = runCaller({ caller: a, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 6000 });
    const bridged = await waitFor('A bridged', async () => ((await callOf(client, a))?.status === 'bridged' ? callOf(client, a) : undefined));
    postgres('stop');
    // B stays long enough to be answered once Postgres is back.
    const bRun = runCaller({ caller: b, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 14_000 });
    await sleep(4000);
    // The API still tells the truth while Postgres is away: A's call from memory, through the
    // admin token Postgres confirmed a moment ago (outage-grace.ts).
    const during = await client<Call>('GET', `/api/calls/${bridged!.id}`);
    expect(during.status, JSON.stringify(during.body)).toBe(200);
    expect(['bridged', 'completed']).toContain(during.body.status);
    expect(during.body.transitions.map((x) => x.to).slice(0, 4)).toEqual(['ivr', 'queued', 'ringing', 'bridged']);
    await sleep(4000);
    postgres('start');
    for (const [who, run] of [['A', aRun], ['B', bRun], ['operator', op.phone]] as const) {
      const r = await run;
      expect(r.code, `${who}: ${r.stdout}`).toBe(0);
    }
    const ended = async (api: TestApp['api'], id: string) =>
      waitFor('the call to end', async () => {
        const x = (await api<Call>('GET', `/api/calls/${id}`)).body;
        return x.endedAt ? x : undefined;
      });
    const ea = await ended(client, bridged!.id);
    expect(ea.status).toBe('completed');
    expect(ea.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    const eb = await ended(client, (await waitFor('B row', () => callOf(client, b)))!.id);
    expect(eb.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await waitFor('B’s ticket', async () => (await client<Call>('GET', `/api/calls/${eb.id}`)).body.ticketId);
    const rec = await waitFor('A’s recording archived', async () => {
      const r = await client<{ status: string }>('GET', `/api/recordings/${ea.recordingId}`);
      return ['archived', 'incomplete', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect(rec.status).toBe('archived');

    // C queues while Postgres is away, and the service is killed then: its journal has C's
    // changes. Postgres comes back, the next instance replays them and reclaims C.
    await client('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const cRun = runCaller({ caller: c, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 25_000 });
    const entered = await waitFor('C in the IVR', async () => callOf(client, c));
    postgres('stop');
    await sleep(4000); // C keys 1 and is queued: in memory and in the journal only
    first.proc.kill('SIGKILL');
    await first.exited;
    running = undefined;
    postgres('start');
    next = await startTestApp({ PBXDESK_QUEUE_PREFIX: prefix, WRAPUP_SEC: '0' });
    await waitFor('readyz', async () => (await fetch(`${next!.base}/readyz`)).status === 200);
    const second = await operatorWithPhone(next.api, 'first');
    expect((await cRun).code).toBe(0);
    expect((await second.phone).code).toBe(0);
    const ec = await ended(next.api, entered!.id);
    expect(ec.status).toBe('completed');
    expect(ec.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await next.api('PUT', `/api/operators/${second.id}/state`, { state: 'offline' });
  }, 180_000);
});
