// Sticky routing with real phones (SIPp) and the three-line configuration (the first line rings
// a ticket's assignee for 4 s): a caller keys the number of a ticket assigned to operator A. A is
// available and B, of the same line, has been idle longer: A rings first and answers. A second
// caller keys it too; A does not answer: after the 4 s the call rings B, and A is not paused.
// Both callers call from the ticket's own number, so the call takes the ticket (a keyed claim from
// another number rings nobody first: call-core-sticky); the rings say the match is by the calling
// number only, which can be spoofed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCallEvents } from '../../src/calls/call.repository.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { answerOnce, ringNoAnswer, runCaller, type DtmfStep, type SippResult } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LINES_FILE: 'test/fixtures/lines-three.json', WRAPUP_SEC: '0', OPERATOR_RING_TIMEOUT_SEC: '10' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
afterAll(async () => t?.stop());

const keys = (digits: string, firstAfterMs: number): DtmfStep[] => [...digits].map((digit, i) => ({ digit, method: 'info', afterMs: i === 0 ? firstAfterMs : 250 }));

/** Menu 3, then the ticket's number: the default flow sends the caller to the ticket's line. */
async function keyTicket(number: string, caller: string, talkMs: number): Promise<{ id: string; operatorId: string | null }> {
  const r = await runCaller({ caller, number: '88005553535', steps: [...keys('3', 1500), ...keys(`${number}#`, 1500)], talkMs });
  expect(r.code, r.stdout).toBe(0);
  return waitFor('the call to end', async () => {
    const c = (await t.api<{ calls: { id: string; operatorId: string | null; endedAt: string | null }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.endedAt ? c : undefined;
  });
}

const transitions = async (callId: string): Promise<({ to: string } & Record<string, unknown>)[]> =>
  (await listCallEvents(db, callId)).map((e) => ({ ...e.detail, to: e.to_status }));

describe('sticky routing', () => {
  it('rings the ticket’s assignee first; when they do not answer, the line after 4 s, and the assignee is not paused', async () => {
    // B first: idle longest, the line alone would ring B.
    const b = await operatorWithPhone(t.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media }));
    let answered!: Promise<SippResult>;
    const a = await operatorWithPhone(t.api, 'first', (p) => {
      // A's phone answers the first call, then rings without answer for the second.
      answered = answerOnce({ sipPort: p.sip, mediaPort: p.media });
      return answered.then(() => ringNoAnswer({ sipPort: p.sip }));
    });
    const phone = randomPhone();
    const ticket = await insertTicket(db, { subject: 'Не работает интернет', line: 'first', assignee_id: a.id, caller_number: phone });

    const first = await keyTicket(ticket.number, phone, 2000);
    expect(first.operatorId).toBe(a.id);
    expect((await answered).code).toBe(0);
    const rung = (await transitions(first.id)).filter((e) => e.to === 'ringing');
    expect(rung).toEqual([expect.objectContaining({ operatorId: a.id, assignee: { ticketId: ticket.id, ticketNumber: ticket.number, match: 'number', ringSec: 4 } })]);

    await waitFor('A available again', async () => (await t.app.operators.get(a.id)).state === 'available');
    const second = await keyTicket(ticket.number, phone, 8000);
    expect(second.operatorId).toBe(b.id);
    const path = (await transitions(second.id)).filter((e) => e.to !== 'ivr');
    expect(path.map((e) => [e.to, e.operatorId ?? e.missedBy ?? null])).toEqual([
      ['queued', null],
      ['ringing', a.id],
      ['queued', a.id],
      ['ringing', b.id],
      ['bridged', null],
      ['completed', null],
    ]);
    expect(path[1]).toMatchObject({ assignee: { match: 'number', ringSec: 4 } });
    expect(path[2]).toMatchObject({ reason: 'no-answer', asAssignee: true });
    expect(path[3]).not.toHaveProperty('assignee');
    expect((await a.phone).code).toBe(0);
    expect((await b.phone).code).toBe(0);
    const op = await t.app.operators.get(a.id);
    expect([op.state, op.state_reason]).toEqual(['available', null]);
  });
});
