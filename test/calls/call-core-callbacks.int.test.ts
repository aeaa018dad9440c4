// Callbacks through the call core's fast path (issue 17), with a FakePbx: a queued caller books a
// callback (queued → callback), its placeholder keeps their place, and when an operator comes
// free the callback makes a call of its own, agent-first: queued → ringing → dialling → bridged
// → completed, or dialling → unanswered when the customer does not pick up. Postgres (the
// callback and its attempts) and Redis (BullMQ: the next attempt) are the suite's real ones.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCallback, listAttempts } from '../../src/callbacks/callback.repository.js';
import { findCallById } from '../../src/calls/call.repository.js';
import { randomPhone } from '../support/app.js';
import { CAUSE } from '../support/fake-pbx.js';
import { apiCall, availableOperator, cancelOpenCallbacks, cleanUp, db, keyedCall, newCall, operatorState, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

let c: CoreApp;
const booked: string[] = [];
beforeAll(async () => {
  c = await startCoreApp();
});
afterAll(async () => {
  // This file's callbacks left open (a next attempt scheduled) are closed: no other file's operators get them.
  await cancelOpenCallbacks(booked);
  await c?.stop();
});
afterEach(async () => cleanUp(c));

const played = (ch: string, prompt: string) => c.pbx.argsOf('play').some((a) => a[0] === ch && (a[2] as string[]).some((m) => m.endsWith(`/${prompt}`)));

/** A caller queued on the first line (nobody free) who books a callback to their own number; the callback's id. */
async function bookFromQueue(): Promise<{ callId: string; callbackId: string; number: string }> {
  const number = randomPhone();
  const ch = c.pbx.inbound(number);
  c.pbx.press(ch, '1');
  const callId = await newCall(c, ch);
  await until('waiting on the first line', () => c.t.app.calls.queueOf('first').some((e) => e.id === callId));
  c.pbx.press(ch, '*');
  await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
  c.pbx.press(ch, '1'); // their own number
  await settled(c, callId);
  expect(c.pbx.trace(ch, callId)).toEqual(['answer', 'startMoh', 'stopMoh', 'play', 'play', 'hangup']);
  expect(played(ch, 'callback-booked')).toBe(true);
  expect(await apiCall(c, callId)).toMatchObject({ status: 'callback', hangupBy: 'system' });
  expect((await storedEvents(callId)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'callback']);
  const callbackId = (await db.selectFrom('callbacks').select('id').where('call_id', '=', callId).executeTakeFirstOrThrow()).id;
  booked.push(callbackId);
  // Their place in the line is kept by the placeholder.
  expect(c.t.app.calls.queueOf('first').map((e) => [e.kind, e.id])).toEqual([['callback', callbackId]]);
  expect(await findCallback(db, callbackId)).toMatchObject({ status: 'waiting', number: `+${number}`, line: 'first', call_id: callId });
  return { callId, callbackId, number };
}

describe('callbacks through the call core', () => {
  it('queued → callback; then the callback call: queued → ringing → dialling → bridged → completed', async () => {
    const { callbackId, number } = await bookFromQueue();
    const op = await availableOperator(c);
    const ring = await until('operator rung for the callback', () => c.pbx.dials().find((d) => d.endpoint === op.endpoint));
    const id = ring.callId;
    expect(c.t.app.ledger.row(id)).toMatchObject({ status: 'ringing', callback_id: callbackId, caller_number: `+${number}` });
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(id)[0]);
    expect(out.dialString).toBe(`PJSIP/+${number}@trunk`);
    expect(c.t.app.ledger.row(id)?.status).toBe('dialling');
    expect((await apiCall(c, id)).status).toBe('dialling');
    expect((await listAttempts(db, callbackId)).map((a) => [a.attempt_no, a.call_id, a.outcome])).toEqual([[1, id, null]]);
    c.pbx.customerAnswers(out);
    await until('bridged', () => c.t.app.ledger.row(id)?.status === 'bridged');
    await until('callback completed', async () => (await findCallback(db, callbackId))?.status === 'completed');
    c.pbx.gone(out.channelId);
    await settled(c, id);
    expect(c.pbx.trace(id)).toEqual(['dial', 'createBridge', 'startBridgeMoh', 'dialOut', 'stopBridgeMoh', 'addToBridge', 'recordBridge', 'hangup', 'destroyBridge']);
    expect(c.pbx.argsOf('recordBridge').find((a) => a[1] === `call-${id}`)).toBeDefined();
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['queued', 'ringing', 'dialling', 'bridged', 'completed']);
    expect(await apiCall(c, id)).toMatchObject({ status: 'completed', operatorId: op.id });
    expect((await listAttempts(db, callbackId)).map((a) => a.outcome)).toEqual(['answered']);
    await until('operator available again', async () => (await operatorState(c, op.id)) === 'available');
  });

  it('the callback call: dialling → unanswered when the customer does not pick up, and the next attempt is scheduled', async () => {
    const { callbackId } = await bookFromQueue();
    const op = await availableOperator(c);
    const ring = await until('operator rung for the callback', () => c.pbx.dials().find((d) => d.endpoint === op.endpoint));
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(ring.callId)[0]);
    c.pbx.gone(out.channelId, CAUSE.noAnswer);
    await settled(c, ring.callId);
    expect((await storedEvents(ring.callId)).map((e) => e.to_status)).toEqual(['queued', 'ringing', 'dialling', 'unanswered']);
    expect(c.pbx.argsOf('hangup')).toContainEqual([ring.channelId]); // the operator waiting in the bridge is let go
    await until('attempt ended', async () => (await listAttempts(db, callbackId))[0]?.outcome === 'no-answer');
    expect(await findCallback(db, callbackId)).toMatchObject({ status: 'scheduled', attempts: 1 });
  });

  it('the operator hangs up while the customer is dialled: unanswered, the customer’s leg hung up, the attempt failed', async () => {
    const { callbackId } = await bookFromQueue();
    const op = await availableOperator(c);
    const ring = await until('operator rung for the callback', () => c.pbx.dials().find((d) => d.endpoint === op.endpoint));
    c.pbx.operatorAnswers(ring);
    const out = await until('customer dialled', () => c.pbx.dialOuts(ring.callId)[0]);
    c.pbx.gone(ring.channelId);
    await settled(c, ring.callId);
    expect(c.pbx.argsOf('hangup')).toContainEqual([out.channelId]);
    expect(await findCallById(db, ring.callId)).toMatchObject({ status: 'unanswered', hangup_by: 'operator' });
    expect((await storedEvents(ring.callId)).map((e) => e.to_status)).toEqual(['queued', 'ringing', 'dialling', 'unanswered']);
    await until('attempt ended', async () => (await listAttempts(db, callbackId))[0]?.outcome === 'failed');
  });

  it('the caller hangs up in the callback menu before confirming: abandoned, no callback booked', async () => {
    const { ch, id } = await keyedCall(c, '1');
    await until('waiting on the first line', () => c.t.app.calls.queueOf('first').some((e) => e.id === id));
    c.pbx.press(ch, '*');
    await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
    c.pbx.gone(ch);
    await settled(c, id);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'abandoned']);
    expect(await db.selectFrom('callbacks').select('id').where('call_id', '=', id).execute()).toEqual([]);
    expect(c.t.app.calls.queueOf('first')).toEqual([]);
  });

  it('the IVR’s callback offer: the caller takes it before the queue and books at once (ivr → queued → callback)', async () => {
    const number = randomPhone();
    const ch = c.pbx.inbound(number);
    c.pbx.press(ch, '5');
    const id = await newCall(c, ch);
    await until('callback offer', () => c.pbx.prompted(ch, 'callback-offer'));
    c.pbx.press(ch, '1');
    await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
    c.pbx.press(ch, '1');
    await settled(c, id);
    const row = await findCallById(db, id);
    expect(row).toMatchObject({ status: 'callback', line: 'first', hangup_by: 'system' });
    expect(row?.ivr_path).toEqual(['menu:main-menu=5', 'callback-offer:first=yes', 'callback:booked']);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'callback']);
    const cb = await db.selectFrom('callbacks').selectAll().where('call_id', '=', id).executeTakeFirstOrThrow();
    booked.push(cb.id);
    expect(cb).toMatchObject({ status: 'waiting', number: `+${number}` });
  });
});
