// Escalation: a first-line operator transfers the caller to the second line. The caller waits
// in the same bridge with music, the second-line engineer answers, and the call keeps its
// ticket, its IVR path and one recording for the whole conversation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
});
afterAll(async () => t?.stop());

describe('cold transfer to the second line', () => {
  it('hands the caller over with ticket and recording, and only the operator on the call may do it', async () => {
    const first = await operatorWithPhone(t.api, 'first');
    const second = await operatorWithPhone(t.api, 'second');
    const caller = randomPhone();
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 14_000 });
    const call = await waitFor('the first-line operator to answer', async () => {
      const c = (await t.api<{ calls: { id: string; status: string; ticketId: string }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.status === 'bridged' ? c : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000));

    const otherOp = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('x'), name: 'X', line: 'first', sipPassword: 'long-enough-secret' });
    const otherTok = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('o'), role: 'operator', operatorId: otherOp.body.id })).body.token;
    expect((await t.api('POST', `/api/calls/${call.id}/transfer`, { line: 'second' }, otherTok)).status).toBe(403);
    const mine = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('o'), role: 'operator', operatorId: first.id })).body.token;
    const moved = await t.api<{ status: string; line: string }>('POST', `/api/calls/${call.id}/transfer`, { line: 'second' }, mine);
    expect(moved.status).toBe(202);
    expect(moved.body).toMatchObject({ status: 'queued', line: 'second' });

    const [c, p1, p2] = await Promise.all([callerRun, first.phone, second.phone]);
    expect(c.code, c.stdout).toBe(0);
    expect(p1.code, p1.stdout).toBe(0);
    expect(p2.code, p2.stdout).toBe(0);
    for (const o of [first, second]) await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });

    const ended = await waitFor('the call to end', async () => {
      const r = await t.api<{ endedAt: string | null; status: string; line: string; operatorId: string; ticketId: string; answeredAt: string; recordingId: string; transitions: { to: string }[] }>(
        'GET', `/api/calls/${call.id}`,
      );
      return r.body.endedAt ? r.body : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', line: 'second', operatorId: second.id, ticketId: call.ticketId });
    expect(ended.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'queued', 'ringing', 'bridged', 'completed']);
    const ticket = await t.api<{ line: string; calls: { id: string }[] }>('GET', `/api/tickets/${call.ticketId}`);
    expect(ticket.body.line).toBe('second');
    const rec = await waitFor('one recording of the whole call', async () => {
      const r = await t.api<{ status: string; durationMs: number }>('GET', `/api/recordings/${ended.recordingId}`);
      return r.body.status === 'archived' ? r.body : undefined;
    });
    const wholeMs = Date.parse(ended.endedAt!) - Date.parse(ended.answeredAt);
    expect(Math.abs(rec.durationMs - wholeMs)).toBeLessThanOrEqual(1000);
    expect((await t.api('POST', `/api/calls/${call.id}/transfer`, { line: 'first' })).status).toBe(404);
  });
});
