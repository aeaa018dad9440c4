// Overload sheds new callers to the dialplan's own path, and the service takes them back. With
// the lag bound at 1 ms the service is "overloaded" from its first look: the next caller never
// enters the app, Asterisk's fallback menu and queue put them through to the same operator of the line they chose with
// MixMonitor, and the service writes the call (row, transitions, ticket, recording) from the
// fallback path's AMI events. A second instance with the usual bounds takes callers back.
import { describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

interface Call {
  id: string;
  status: string;
  operatorId: string | null;
  ticketId: string | null;
  ivrPath: string[];
  line: string | null;
  endedAt: string | null;
  recordingId: string | null;
  transitions: { to: string }[];
}

async function endedCall(t: TestApp, caller: string): Promise<Call> {
  const row = await waitFor('the call row', async () => (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0]);
  return waitFor('the call to end', async () => {
    const c = (await t.api<Call>('GET', `/api/calls/${row.id}`)).body;
    return c.endedAt ? c : undefined;
  });
}

describe('overload', () => {
  it('sheds new callers to the fallback queue, accounts for them, and takes callers back after', async () => {
    const shedding = await startTestApp({ SHED_LAG_MS: '1', SHED_RECOVER_SEC: '3600' });
    try {
      await waitFor('readyz', async () => (await fetch(`${shedding.base}/readyz`)).status === 200);
      await new Promise((r) => setTimeout(r, 7500)); // the guard looks from 5 s after the start, every 0.5 s, and sheds on the second look over
      // The fallback menu keeps the line choice: 2 reaches the second line's queue.
      await clearLine(shedding.api, 'second');
      const op = await operatorWithPhone(shedding.api, 'second');
      const caller = randomPhone();
      const run = await runCaller({ caller, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 3000 });
      expect(run.code, run.stdout).toBe(0);
      expect((await op.phone).code).toBe(0);
      const c = await endedCall(shedding, caller);
      expect(c).toMatchObject({ status: 'completed', operatorId: op.id, ivrPath: ['shed'], line: 'second' });
      expect(c.transitions.map((x) => x.to)).toEqual(['queued', 'ringing', 'bridged', 'completed']);
      expect(c.ticketId).not.toBeNull();
      const rec = await waitFor('the MixMonitor recording archived', async () => {
        const r = await shedding.api<{ status: string }>('GET', `/api/recordings/${c.recordingId}`);
        return ['archived', 'incomplete', 'failed'].includes(r.body.status) ? r.body : undefined;
      }, 60_000);
      expect(rec.status).toBe('archived');
      await shedding.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    } finally {
      await shedding.stop();
    }

    // Recovered (a new instance with the usual bounds): the switch is cleared at connect.
    const calm = await startTestApp();
    try {
      await waitFor('readyz', async () => (await fetch(`${calm.base}/readyz`)).status === 200);
      const op = await operatorWithPhone(calm.api, 'first');
      const caller = randomPhone();
      const run = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 2000 });
      expect(run.code, run.stdout).toBe(0);
      expect((await op.phone).code).toBe(0);
      const c = await endedCall(calm, caller);
      expect(c.status).toBe('completed');
      expect(c.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
      await calm.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    } finally {
      await calm.stop();
    }
  });
});
