// The ACD's handling of operators with real phones: a ring that times out goes to the next
// operator and pauses the one who missed it; the one who answers is on call, then in wrap-up,
// then available again; every change is in the history. At an ARI connect only the endpoints
// Asterisk lacks or that changed are pushed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOnce, ringNoAnswer, runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone, type Phone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ OPERATOR_RING_TIMEOUT_SEC: '5', WRAPUP_SEC: '3' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
afterAll(async () => t?.stop());

const operator = (phone: Phone) => operatorWithPhone(t.api, 'first', phone).then((o) => ({ id: o.id, run: o.phone }));

const stateOf = async (id: string) =>
  (await t.api<{ operators: { id: string; state: string; stateReason: string | null }[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === id)!;

describe('operators under the ACD', () => {
  it('re-offers a missed call to the next operator, pauses the one who missed it, and runs wrap-up', async () => {
    // Created first, so idle longest: rung first.
    const missing = await operator((p) => ringNoAnswer({ sipPort: p.sip }));
    const answering = await operator((p) => answerOnce({ sipPort: p.sip, mediaPort: p.media }));
    const caller = randomPhone();
    const c = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 12_000 });
    expect(c.code, c.stdout).toBe(0);
    expect((await missing.run).code).toBe(0);
    expect((await answering.run).code).toBe(0);

    const call = await waitFor('the call to end', async () => {
      const r = (await t.api<{ calls: { id: string; endedAt: string | null; operatorId: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return r?.endedAt ? r : undefined;
    });
    expect(call).toMatchObject({ status: 'completed', operatorId: answering.id });
    const detail = await t.api<{ transitions: { to: string }[] }>('GET', `/api/calls/${call.id}`);
    expect(detail.body.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);

    expect(await stateOf(missing.id)).toMatchObject({ state: 'paused', stateReason: 'missed' });
    await waitFor('wrap-up to start', async () => (await stateOf(answering.id)).state === 'wrap_up', 5_000);
    await waitFor('wrap-up to end', async () => (await stateOf(answering.id)).state === 'available', 15_000);
    const history = await t.api<{ history: { from: string | null; to: string }[] }>('GET', `/api/operators/${answering.id}/states`);
    expect(history.body.history.map((h) => h.to)).toEqual(['available', 'on_call', 'wrap_up', 'available']);

    for (const o of [missing, answering]) await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });
  });
});

describe('operator endpoints at an ARI connect', () => {
  const ari = (method: string, p: string) =>
    fetch(`${process.env.ARI_URL}/ari${p}`, { method, headers: { authorization: `Basic ${Buffer.from(`${process.env.PBX_ARI_USER}:${process.env.PBX_ARI_PASSWORD}`).toString('base64')}` } });

  it('pushes only the endpoints Asterisk lacks or that changed', async () => {
    const r = await t.api<{ id: string; sip: { username: string } }>('POST', '/api/operators', { login: uniq('ep'), name: 'Endpoint', line: 'first', sipPassword: `a-long-sip-secret-${uniq()}` });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await t.app.operators.pushEndpoints(); // whatever earlier files' operators left unrecorded
    expect((await t.app.operators.pushEndpoints()).pushed).toBe(0);

    // Asterisk lost one (a wiped astdb): that one alone is pushed again, and is there after.
    expect((await ari('DELETE', `/asterisk/config/dynamic/res_pjsip/endpoint/${r.body.sip.username}`)).status).toBe(204);
    // Asterisk drops the endpoint's ARI snapshot a moment after the sorcery object (asynchronously): a
    // GET at once saw it still there once.
    await waitFor('the endpoint gone from ARI', async () => (await ari('GET', `/endpoints/PJSIP/${r.body.sip.username}`)).status === 404);
    expect((await t.app.operators.pushEndpoints()).pushed).toBe(1);
    expect((await ari('GET', `/endpoints/PJSIP/${r.body.sip.username}`)).status).toBe(200);
  });
});
