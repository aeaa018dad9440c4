// Zammad's generic CTI with a real call: a SIPp caller reaches a SIPp operator, and a receiver
// standing in for Zammad's /api/v1/cti/<token> endpoint gets newCall, answer and hangup, in
// that order, each checked against the documented payload format (docs.zammad.org,
// api/generic-cti). Events that mean nothing to Zammad are not sent at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

/** What Zammad's CTI endpoint accepts, per event: required and optional fields, and their values. */
function zammadProblems(p: Record<string, unknown>): string[] {
  const required: Record<string, string[]> = {
    newCall: ['event', 'from', 'to', 'direction', 'callId'],
    answer: ['event', 'from', 'to', 'direction', 'callId'],
    hangup: ['event', 'from', 'to', 'direction', 'callId', 'cause'],
  };
  const optional = ['user', 'queue', 'answeringNumber'];
  const event = String(p.event);
  const req = required[event];
  if (!req) return [`unknown event ${event}`];
  const problems = req.filter((k) => typeof p[k] !== 'string' || p[k] === '').map((k) => `missing ${k}`);
  problems.push(...Object.keys(p).filter((k) => !req.includes(k) && !optional.includes(k)).map((k) => `unknown field ${k}`));
  if (p.direction !== 'in' && p.direction !== 'out') problems.push('direction must be in or out');
  if (String(p.callId).length > 250) problems.push('callId longer than 250');
  if (event === 'hangup' && !['normalClearing', 'busy', 'cancel', 'noAnswer', 'congestion', 'notFound', 'forwarded'].includes(String(p.cause))) problems.push(`cause ${String(p.cause)}`);
  return problems;
}

let t: TestApp;
let zammad: Receiver;
let subId: string;
const token = uniq('cti');
beforeAll(async () => {
  t = await startTestApp({ WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  zammad = await startReceiver();
  const r = await t.api<{ id: string; events: string[] }>('POST', '/api/webhooks', { connector: 'zammad-cti', url: `${zammad.url}/api/v1/cti/${token}` });
  expect(r.status).toBe(201);
  expect(r.body.events).toEqual(['call.started', 'call.answered', 'call.ended']);
  subId = r.body.id;
  await clearLine(t.api, 'first');
});
afterAll(async () => {
  if (subId) await t.api('DELETE', `/api/webhooks/${subId}`);
  await t?.stop();
  await zammad?.close();
});

describe('Zammad generic CTI', () => {
  it('sends newCall, answer and hangup for a real call, in Zammad’s format', async () => {
    const op = await operatorWithPhone(t.api, 'first', undefined);
    const opRow = (await t.api<{ operators: { id: string; login: string; name: string }[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === op.id)!;
    const caller = randomPhone();
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 2500 });
    expect(r.code, r.stdout).toBe(0);
    expect((await op.phone).code).toBe(0);
    await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    const mine = () => zammad.accepted().map((x) => ({ path: x.path, type: x.headers['content-type'], p: JSON.parse(x.body) as Record<string, unknown> })).filter((x) => x.p.callId === call.id);
    const got = await waitFor('three CTI events', async () => (mine().length >= 3 ? mine() : undefined));
    expect(got.map((x) => x.p.event)).toEqual(['newCall', 'answer', 'hangup']);
    for (const x of got) {
      expect(x.path).toBe(`/api/v1/cti/${token}`);
      expect(x.type).toBe('application/json');
      expect(zammadProblems(x.p)).toEqual([]);
      expect(x.p).toMatchObject({ from: caller, to: '88005553535', direction: 'in' });
    }
    expect(got[1]!.p).toMatchObject({ user: opRow.name, answeringNumber: opRow.login });
    expect(got[2]!.p).toMatchObject({ cause: 'normalClearing', answeringNumber: opRow.login });
  });
});
