// Callbacks customer-first (CALLBACK_MODE=customer-first) through the call core's fast path
// (issue 17), with a FakePbx: the customer is dialled first (queued → dialling) and, once they
// answer, is a caller at the head of the line (dialling → queued) put through to the operator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCallback, listAttempts } from '../../src/callbacks/callback.repository.js';
import { randomPhone } from '../support/app.js';
import { availableOperator, cancelOpenCallbacks, cleanUp, db, newCall, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

let c: CoreApp;
const booked: string[] = [];
beforeAll(async () => {
  c = await startCoreApp({ env: { CALLBACK_MODE: 'customer-first' } });
});
afterAll(async () => {
  await cancelOpenCallbacks(booked);
  await c?.stop();
});
afterEach(async () => cleanUp(c));

describe('callbacks customer-first through the call core', () => {
  it('queued → dialling → queued (at the head) → ringing → bridged → completed', async () => {
    const number = randomPhone();
    const ch = c.pbx.inbound(number);
    c.pbx.press(ch, '1');
    const booking = await newCall(c, ch);
    await until('waiting on the first line', () => c.t.app.calls.queueOf('first').some((e) => e.id === booking));
    c.pbx.press(ch, '*');
    await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
    c.pbx.press(ch, '1');
    await settled(c, booking);
    const cb = await db.selectFrom('callbacks').selectAll().where('call_id', '=', booking).executeTakeFirstOrThrow();
    booked.push(cb.id);

    const op = await availableOperator(c);
    const out = await until('customer dialled first', () => c.pbx.dialOuts().find((d) => d.dialString === `PJSIP/+${number}@trunk`));
    const id = out.callId;
    expect(c.pbx.dials(id)).toEqual([]); // no operator is rung before the customer answers
    expect(c.t.app.ledger.row(id)).toMatchObject({ status: 'dialling', callback_id: cb.id });
    c.pbx.customerAnswers(out);
    const ring = await until('operator rung for the customer', () => c.pbx.lastDial(id));
    expect(ring.endpoint).toBe(op.endpoint);
    c.pbx.operatorAnswers(ring);
    await until('bridged', () => c.t.app.ledger.row(id)?.status === 'bridged');
    expect(c.pbx.argsOf('bridgeAndRecord').find((a) => a[2] === `call-${id}`)?.[1]).toEqual([out.channelId, ring.channelId]);
    c.pbx.gone(out.channelId);
    await settled(c, id);
    expect(c.pbx.trace(id)).toEqual(['dialOut', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord', 'hangup', 'destroyBridge']);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['queued', 'dialling', 'queued', 'ringing', 'bridged', 'completed']);
    expect(await findCallback(db, cb.id)).toMatchObject({ status: 'completed' });
    expect((await listAttempts(db, cb.id)).map((a) => [a.call_id, a.outcome])).toEqual([[id, 'answered']]);
  });
});
