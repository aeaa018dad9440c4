// Click-to-call through the call core's fast path, with a FakePbx: the operator's phone rings
// first, then the customer is dialled into the operator's bridge: ringing → dialling → bridged →
// completed on a row of its own (direction outbound, on the ticket, recorded). The operator not
// picking up (unanswered), the customer not answering or busy (unanswered), either side hanging up;
// the callback number rules and the per-number limit; an operator already on a call (409).
// Postgres and Redis are the suite's real ones.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCallById } from '../../src/calls/call.repository.js';
import { randomPhone } from '../support/app.js';
import { CAUSE } from '../support/fake-pbx.js';
import { apiCall, availableOperator, cleanUp, db, operatorState, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';
import type { Line } from '../../src/vocabulary.js';

let c: CoreApp;
beforeAll(async () => {
  c = await startCoreApp({ env: { SURVEY_TIMEOUT_SEC: '0', CLICK_TO_CALL_CALLER_ID: '+74950000001,second=+74950000002', CALLBACK_MAX_PER_NUMBER_DAY: '3' } });
});
afterAll(async () => c?.stop());
afterEach(async () => cleanUp(c));

async function ticket(number: string | null, line: Line = 'first'): Promise<string> {
  const r = await c.t.api<{ id: string }>('POST', '/api/tickets', { subject: 'click-to-call', line, callerNumber: number });
  expect(r.status).toBe(201);
  return r.body.id;
}

type Dto = { id: string; status: string; direction: string; ticketId: string; operatorId: string; callerNumber: string; line: string };
const clickToCall = (body: Record<string, unknown>) => c.t.api<Dto & { error: { code: string; message: string } }>('POST', '/api/calls/outbound', body);

/** A click-to-call from a new ticket of the customer's: the operator's ring and the call. */
async function started(line: Line = 'first') {
  const number = randomPhone();
  const op = await availableOperator(c, line);
  const ticketId = await ticket(number, line);
  const r = await clickToCall({ ticketId, operatorId: op.id });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({ status: 'ringing', direction: 'outbound', ticketId, operatorId: op.id, callerNumber: `+${number}`, line });
  const id = r.body.id;
  const ring = await until('operator rung', () => c.pbx.dials(id).find((d) => d.endpoint === op.endpoint));
  return { op, number, ticketId, id, ring };
}

describe('click-to-call through the call core', () => {
  it('rings the operator, then dials the customer into their bridge: ringing → dialling → bridged → completed, recorded, on the ticket', async () => {
    const { op, number, ticketId, id, ring } = await started();
    expect(c.pbx.dialOuts(id)).toEqual([]); // nobody dialled before the operator is on
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(id)[0]);
    expect(out).toMatchObject({ dialString: `PJSIP/+${number}@trunk`, callerId: '+74950000001' });
    expect((await apiCall(c, id)).status).toBe('dialling'); // the API tells the live state
    c.pbx.customerAnswers(out);
    await until('bridged', () => c.t.app.ledger.row(id)?.status === 'bridged');
    expect(await operatorState(c, op.id)).toBe('on_call');
    c.pbx.gone(out.channelId); // the customer hangs up
    await settled(c, id);
    expect(c.pbx.trace(id)).toEqual(['dial', 'createBridge', 'startBridgeMoh', 'dialOut', 'stopBridgeMoh', 'addToBridge', 'recordBridge', 'hangup', 'destroyBridge']);
    expect(c.pbx.argsOf('recordBridge').find((a) => a[1] === `call-${id}`)).toBeDefined();
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ringing', 'dialling', 'bridged', 'completed']);
    const row = await findCallById(db, id);
    expect(row).toMatchObject({ direction: 'outbound', status: 'completed', ticket_id: ticketId, operator_id: op.id, hangup_by: 'caller', queued_at: null });
    expect(row?.recording_id).toBeTruthy();
    expect(await apiCall(c, id)).toMatchObject({ direction: 'outbound', status: 'completed' });
    // Wrap-up as after any call (WRAPUP_SEC=0 here: available at once).
    await until('operator available again', async () => (await operatorState(c, op.id)) === 'available');
  });

  it('presents the caller ID of the operator’s line; the operator hanging up ends it (completed, by the operator)', async () => {
    const { id, ring } = await started('second');
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(id)[0]);
    expect(out.callerId).toBe('+74950000002');
    c.pbx.customerAnswers(out);
    await until('bridged', () => c.t.app.ledger.row(id)?.status === 'bridged');
    c.pbx.gone(ring.channelId);
    await settled(c, id);
    expect(c.pbx.argsOf('hangup')).toContainEqual([out.channelId]);
    expect(await findCallById(db, id)).toMatchObject({ status: 'completed', hangup_by: 'operator', direction: 'outbound' });
  });

  it('the operator does not pick up: unanswered, nobody dialled, the operator not paused', async () => {
    const { op, id, ring } = await started();
    c.pbx.gone(ring.channelId, CAUSE.noAnswer);
    await settled(c, id);
    expect(c.pbx.dialOuts(id)).toEqual([]);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ringing', 'unanswered']);
    expect(await findCallById(db, id)).toMatchObject({ status: 'unanswered', hangup_by: 'operator' });
    expect(await operatorState(c, op.id)).toBe('available');
    expect(c.t.app.calls.busy.has(op.id)).toBe(false);
  });

  it.each([
    ['does not answer', CAUSE.noAnswer],
    ['is busy', CAUSE.busy],
  ])('the customer %s: dialling → unanswered, the operator let go', async (_what, cause) => {
    const { op, id, ring } = await started();
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(id)[0]);
    c.pbx.gone(out.channelId, cause);
    await settled(c, id);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ringing', 'dialling', 'unanswered']);
    expect(await findCallById(db, id)).toMatchObject({ status: 'unanswered', hangup_cause_code: cause.code, answered_at: null });
    expect(c.pbx.argsOf('hangup')).toContainEqual([ring.channelId]);
    await until('operator available again', async () => (await operatorState(c, op.id)) === 'available');
  });

  it('the operator hangs up while the customer’s phone rings: unanswered, the customer’s leg hung up', async () => {
    const { id, ring } = await started();
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(id)[0]);
    c.pbx.gone(ring.channelId);
    await settled(c, id);
    expect(c.pbx.argsOf('hangup')).toContainEqual([out.channelId]);
    expect(await findCallById(db, id)).toMatchObject({ status: 'unanswered', hangup_by: 'operator' });
  });

  it('refuses: a denied prefix (422), an operator on a call (409), the per-number limit (429), no operator named (422)', async () => {
    const op = await availableOperator(c);
    const t = await ticket(randomPhone());
    const denied = await clickToCall({ ticketId: t, operatorId: op.id, number: '+77012345678' }); // Kazakhstan: +77 is denied
    expect(denied.status).toBe(422);
    expect(denied.body.error.code).toBe('callback_number_not_allowed');
    expect(denied.body.error.message).toContain('+77');
    expect((await clickToCall({ ticketId: t })).body.error.code).toBe('click_to_call_operator_required');
    // The operator is being rung for one call: a second click finds them busy.
    const first = await clickToCall({ ticketId: t, operatorId: op.id });
    expect(first.status).toBe(201);
    const busy = await clickToCall({ ticketId: t, operatorId: op.id });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'operator_unavailable']);
    const ring = await until('operator rung', () => c.pbx.dials(first.body.id)[0]);
    c.pbx.gone(ring.channelId, CAUSE.noAnswer);
    await settled(c, first.body.id);
    // Three calls to the number a day (CALLBACK_MAX_PER_NUMBER_DAY here): the fourth is refused.
    for (let i = 0; i < 2; i++) {
      const r = await clickToCall({ ticketId: t, operatorId: op.id });
      expect(r.status).toBe(201);
      c.pbx.gone((await until('operator rung', () => c.pbx.dials(r.body.id)[0])).channelId, CAUSE.noAnswer);
      await settled(c, r.body.id);
    }
    const limited = await clickToCall({ ticketId: t, operatorId: op.id });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'callback_rate_limited']);
    expect(c.t.app.calls.busy.has(op.id)).toBe(false);
  });
});
