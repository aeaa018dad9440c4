// State that survives: a caller waiting in the queue while the service goes away keeps
// their call; the next service instance takes the channel back from ARI and connects it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ringNoAnswer, runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import { cancelOpenCallbacks } from '../support/call-core.js';

// Every instance adopts every waiting callback: one an earlier file of the shard left open would
// take the free operator this file's reclaimed caller is waiting for.
beforeAll(() => cancelOpenCallbacks());

let current: TestApp | undefined;
afterAll(async () => current?.stop());

async function ready(t: TestApp) {
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  return t;
}

describe('a service restart with a caller in the queue', () => {
  it('reclaims the waiting caller and hands them to the next free operator', async () => {
    const first = await ready(await startTestApp());
    current = first;
    await clearLine(first.api, 'second');
    const caller = randomPhone();
    // Nobody of the second line is available: the caller will wait in the queue.
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 14_000 });
    const queued = await waitFor('the caller to be queued', async () => {
      const r = await first.api<{ calls: { id: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`);
      return r.body.calls[0]?.status === 'queued' ? r.body.calls[0] : undefined;
    });
    await first.stop();

    const second = await ready(await startTestApp());
    current = second;
    const op = await operatorWithPhone(second.api, 'second');
    const phone = op.phone;

    const [c, p] = await Promise.all([callerRun, phone]);
    expect(c.code, c.stdout).toBe(0);
    expect(p.code, p.stdout).toBe(0);
    await second.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });

    const call = await waitFor('the call to end', async () => {
      const r = await second.api<{ status: string; operatorId: string; endedAt: string | null; transitions: { to: string }[] }>(
        'GET', `/api/calls/${queued.id}`,
      );
      return r.body.endedAt ? r.body : undefined;
    });
    expect(call.status).toBe('completed');
    expect(call.operatorId).toBe(op.id);
    expect(call.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    const calls = await second.api<{ calls: unknown[] }>('GET', `/api/calls?caller=${caller}`);
    expect(calls.body.calls).toHaveLength(1);
    await second.stop(); // one instance per node: the next test starts its own
    current = undefined;
  });

  it('takes back a call whose operator was ringing: the ring is cancelled and the caller is offered again', async () => {
    const first = await ready(await startTestApp());
    current = first;
    await clearLine(first.api, 'second');
    // This operator's phone rings and is never picked up; it answers the CANCEL.
    const ringing = await operatorWithPhone(first.api, 'second', (p) => ringNoAnswer({ sipPort: p.sip }));
    const caller = randomPhone();
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 16_000 });
    const rung = await waitFor('the operator to be rung', async () => {
      const r = await first.api<{ calls: { id: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`);
      return r.body.calls[0]?.status === 'ringing' ? r.body.calls[0] : undefined;
    });
    // The service goes away mid-ring (no drain: Asterisk is left as a crash would leave it).
    await first.stop();
    // Its phone is about to go: logged out before the next instance could offer it the call again.
    await db.updateTable('operators').set({ state: 'offline' }).where('id', '=', ringing.id).execute();

    const second = await ready(await startTestApp());
    current = second;
    expect((await ringing.phone).code).toBe(0); // its ring was cancelled by the reclaim
    const op = await operatorWithPhone(second.api, 'second');
    const [c, p] = await Promise.all([callerRun, op.phone]);
    expect(c.code, c.stdout).toBe(0);
    expect(p.code, p.stdout).toBe(0);
    await second.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const call = await waitFor('the call to end', async () => {
      const r = await second.api<{ status: string; operatorId: string; endedAt: string | null; transitions: { to: string }[] }>(
        'GET', `/api/calls/${rung.id}`,
      );
      return r.body.endedAt ? r.body : undefined;
    });
    expect(call).toMatchObject({ status: 'completed', operatorId: op.id });
    expect(call.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
  });
});
