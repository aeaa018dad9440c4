// Warm transfer and conference with real phones: the first operator consults a named colleague
// while the caller is on hold and hands the call over; a conference brings a third party in,
// who is then let go. One call row (ticket, IVR path, recording) throughout; the hand-over is a
// call.transferred event for webhook subscribers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp, cancelOpenCallbacks } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

interface Call {
  id: string;
  status: string;
  operatorId: string;
  onHold: boolean;
  endedAt: string | null;
  recordingId: string;
  transitions: { from: string | null; to: string; hold?: boolean }[];
}

let t: TestApp;
let hook: Receiver;
let subId: string;
beforeAll(async () => {
  await cancelOpenCallbacks();
  t = await startTestApp();
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  hook = await startReceiver();
  subId = (await t.api<{ id: string }>('POST', '/api/webhooks', { url: hook.url, events: ['call.transferred'] })).body.id;
});
afterAll(async () => {
  if (subId) await t.api('DELETE', `/api/webhooks/${subId}`);
  await t?.stop();
  await hook?.close();
});

async function bridgedCall(caller: string, talkMs: number) {
  const calling = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs });
  const live = await waitFor('the call to be bridged', async () => {
    const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.status === 'bridged' ? c : undefined;
  });
  return { calling, live };
}

const operatorState = async (id: string) =>
  (await t.api<{ operators: { id: string; state: string }[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === id)?.state;

describe('warm transfer', () => {
  it('consults a named colleague with the caller on hold, then hands the call over', async () => {
    const first = await operatorWithPhone(t.api, 'first');
    const colleague = await operatorWithPhone(t.api, 'second');
    const { calling, live } = await bridgedCall(randomPhone(), 16_000);
    expect(live.operatorId).toBe(first.id);
    const consult = await t.api<Call>('POST', `/api/calls/${live.id}/consult`, { operatorId: colleague.id });
    expect(consult.status, JSON.stringify(consult.body)).toBe(202);
    expect(consult.body.onHold).toBe(true);
    const done = await waitFor('the colleague to answer', async () => {
      const r = await t.api<Call>('POST', `/api/calls/${live.id}/consult/complete`, {});
      return r.status === 200 ? r.body : undefined;
    });
    expect(done).toMatchObject({ operatorId: colleague.id, onHold: false, status: 'bridged' });
    const event = await waitFor('the call.transferred webhook', async () =>
      hook.accepted().map((r) => JSON.parse(r.body) as { type: string; data: { callId: string; operator: { id: string }; transfer: Record<string, unknown> } }).find((b) => b.data.callId === live.id),
    );
    expect(event).toMatchObject({ type: 'call.transferred', data: { operator: { id: colleague.id }, transfer: { kind: 'warm', toOperatorId: colleague.id } } });
    expect((await first.phone).code).toBe(0); // the first operator was hung up
    expect((await calling).code).toBe(0);
    expect((await colleague.phone).code).toBe(0);
    const ended = await waitFor('the call to end', async () => {
      const c = (await t.api<Call>('GET', `/api/calls/${live.id}`)).body;
      return c.endedAt ? c : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', operatorId: colleague.id, recordingId: live.recordingId });
    // The hand-over; the caller's hold and its end are events beside it, marked `hold`.
    expect(ended.transitions.filter((x) => x.from === 'bridged' && x.to === 'bridged' && x.hold === undefined)).toHaveLength(1);
    expect(ended.transitions.filter((x) => x.hold !== undefined).map((x) => x.hold)).toEqual([true, false]);
  });
});

describe('conference', () => {
  it('brings a third party into the call and lets them go again', async () => {
    await clearLine(t.api, 'first');
    await clearLine(t.api, 'second');
    const first = await operatorWithPhone(t.api, 'first');
    const third = await operatorWithPhone(t.api, 'second');
    const { calling, live } = await bridgedCall(randomPhone(), 14_000);
    const conf = await t.api<Call>('POST', `/api/calls/${live.id}/conference`, { operatorId: third.id });
    expect(conf.status).toBe(202);
    expect(conf.body.onHold).toBe(false);
    await waitFor('the third party on the call', async () => (await operatorState(third.id)) === 'on_call');
    const cancelled = await t.api<Call>('POST', `/api/calls/${live.id}/consult/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect((await third.phone).code).toBe(0);
    expect((await calling).code).toBe(0);
    expect((await first.phone).code).toBe(0);
    const ended = await waitFor('the call to end', async () => {
      const c = (await t.api<Call>('GET', `/api/calls/${live.id}`)).body;
      return c.endedAt ? c : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', operatorId: first.id });
    // Once the call is over there is nobody to consult for.
    expect((await t.api<{ error: { code: string } }>('POST', `/api/calls/${live.id}/consult`, { operatorId: third.id })).status).toBe(404);
  });
});
