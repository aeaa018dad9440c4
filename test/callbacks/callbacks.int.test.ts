// Callbacks with real callers and phones (SIPp): a queued caller books a callback and keeps
// their place between a caller before and one after; a scheduled callback retried after no
// answer, and one that fails for good; a pending callback across a restart of the service and
// of Redis, dialled exactly once; and the toll-fraud guard.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocPorts, answerOnce, ringNoAnswer, runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, type TestApp, uniq, waitFor } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';
import { restartRedis } from '../support/stack.js';

interface Call {
  id: string;
  ticketId: string;
  status: string;
  answeredAt: string | null;
  endedAt: string | null;
  callbackId: string | null;
  recordingId: string | null;
  ivrPath: string[];
}
interface Callback {
  id: string;
  nextAttemptAt?: string | null;
  status: string;
  attempts: number;
  ticketId: string;
  callId: string | null;
  closedReason: string | null;
  attemptLog: { attemptNo: number; outcome: string | null; callId: string | null }[];
}

const customer = allocPorts();
const prefix = uniq('test-');
const env = {
  PBXDESK_QUEUE_PREFIX: prefix,
  WRAPUP_SEC: '0',
  CALLBACK_RETRY_SEC: '3',
  CALLBACK_RING_SEC: '6',
  CALLBACK_ATTEMPTS: '2',
  // The customer's phone is a SIPp on loopback: the trunk, with the URI pointing at it.
  CALLBACK_DIAL_TEMPLATE: `PJSIP/trunk/sip:{number}@127.0.0.1:${customer.sip}`,
};
let t: TestApp;
const start = async () => {
  t = await startTestApp(env);
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
};
beforeAll(async () => {
  // Callbacks other runs left open would take the suite's operators: they are not this file's.
  await cancelOpenCallbacks();
  await start();
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
});
afterAll(async () => t?.stop());

const info = (digit: string, afterMs: number): DtmfStep => ({ digit, method: 'info', afterMs });
const callOf = async (caller: string) => (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls;
const callback = async (id: string) => (await t.api<Callback>('GET', `/api/callbacks/${id}`)).body;
const queue = async (line: string) => (await t.api<{ waiting: { kind: string; id: string }[] }>('GET', `/api/lines/${line}/queue`)).body.waiting;
const customerPhone = (o: { hangUpAfterMs?: number } = {}) => answerOnce({ sipPort: customer.sip, mediaPort: customer.media, ...o });

describe('a callback booked from the queue', () => {
  it('keeps the caller’s place: the caller before is served first, the caller after last', async () => {
    const [a, b, c] = [randomPhone(), randomPhone(), randomPhone()];
    const before = runCaller({ caller: a, number: '88005553535', steps: [info('1', 1500)], talkMs: 0, awaitBye: true });
    await waitFor('A queued', async () => (await callOf(a))[0]?.status === 'queued');
    // B: queued, then the callback key, then 1 to confirm the number they call from; the service hangs up.
    const asker = runCaller({ caller: b, number: '88005553535', steps: [info('1', 1500), info('*', 2500), info('1', 2000)], talkMs: 0, awaitBye: true });
    await waitFor('B queued', async () => (await callOf(b))[0]?.status === 'queued');
    const after = runCaller({ caller: c, number: '88005553535', steps: [info('1', 1500)], talkMs: 0, awaitBye: true });
    const askerR = await asker;
    expect(askerR.code, askerR.stdout + askerR.stderr).toBe(0);
    const bCall = await waitFor('B to end as a callback', async () => {
      const x = (await callOf(b))[0];
      return x?.endedAt ? x : undefined;
    });
    expect(bCall.status).toBe('callback');
    expect(bCall.ivrPath).toContain('callback:booked');
    await waitFor('C queued', async () => (await callOf(c))[0]?.status === 'queued');
    const cbRow = await db.selectFrom('callbacks').selectAll().where('call_id', '=', bCall.id).executeTakeFirstOrThrow();
    expect(cbRow).toMatchObject({ kind: 'queued', status: 'waiting', number: `+${b}`, line: 'first' });
    const aCall = (await callOf(a))[0] as Call;
    const cCall = (await callOf(c))[0] as Call;
    const mine = new Set([aCall.id, cbRow.id, cCall.id]);
    expect((await queue('first')).filter((e) => mine.has(e.id)).map((e) => `${e.kind}:${e.id}`)).toEqual([
      `call:${aCall.id}`,
      `callback:${cbRow.id}`,
      `call:${cCall.id}`,
    ]);

    // One operator, whose phone answers three calls and ends each after 2 s.
    const dialled = customerPhone();
    const op = await operatorWithPhone(t.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 3, hangUpAfterMs: 2000 }));
    for (const [who, p] of [['caller before', before], ['customer', dialled], ['caller after', after], ['operator', op.phone]] as const) {
      const r = await p;
      expect(r.code, `${who}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const done = await waitFor('the callback to complete', async () => {
      const x = await callback(cbRow.id);
      return x.status === 'completed' ? x : undefined;
    });
    expect(done.attemptLog).toMatchObject([{ attemptNo: 1, outcome: 'answered' }]);
    const cbCall = (await t.api<Call>('GET', `/api/calls/${done.attemptLog[0]?.callId}`)).body;
    const aDone = (await callOf(a))[0] as Call;
    const cDone = (await callOf(c))[0] as Call;
    // Served in the order they took their places.
    expect(Date.parse(aDone.answeredAt!)).toBeLessThan(Date.parse(cbCall.answeredAt!));
    expect(Date.parse(cbCall.answeredAt!)).toBeLessThan(Date.parse(cDone.answeredAt!));
    // The callback's call is on the original call's ticket, and recorded.
    expect(cbCall).toMatchObject({ callbackId: cbRow.id, ticketId: bCall.ticketId, status: 'completed' });
    expect(cbCall.recordingId).toBeTruthy();
  });
});

describe('a scheduled callback', () => {
  it('is retried after no answer and then answered; one with no answer at all fails with a note on its ticket', async () => {
    await clearLine(t.api, 'first');
    const number = randomPhone();
    // Attempt 1 rings out; attempt 2 (3 s later) is answered and the customer hangs up after 2 s.
    const phone = ringNoAnswer({ sipPort: customer.sip }).then(() => customerPhone({ hangUpAfterMs: 2000 }));
    const op = await operatorWithPhone(t.api, 'second', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 2 }));
    const booked = await t.api<Callback>('POST', '/api/callbacks', { number, line: 'second', accountId: uniq('acc-') });
    expect(booked.status).toBe(201);
    const done = await waitFor('the retry to be answered', async () => {
      const x = await callback(booked.body.id);
      return x.status === 'completed' ? x : undefined;
    }, 60_000);
    expect(done.attemptLog.map((a) => a.outcome)).toEqual(['no-answer', 'answered']);
    // The operator heard an answering machine: that was the last attempt, so the callback fails.
    const machine = await t.api<Callback>('POST', `/api/callbacks/${booked.body.id}/answering-machine`, {});
    expect(machine.status).toBe(200);
    expect(machine.body.status).toBe('failed');
    expect(machine.body.attemptLog.map((a) => a.outcome)).toEqual(['no-answer', 'machine']);
    expect((await t.api('POST', `/api/callbacks/${booked.body.id}/answering-machine`, {})).status).toBe(409);
    expect((await phone).code).toBe(0);
    expect((await op.phone).code).toBe(0);

    await clearLine(t.api, 'second'); // the first operator's phone took its two calls
    const op2 = await operatorWithPhone(t.api, 'second', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 2 }));
    const nobody = ringNoAnswer({ sipPort: customer.sip, calls: 2 });
    const lost = await t.api<Callback>('POST', '/api/callbacks', { number: randomPhone(), line: 'second' });
    const failed = await waitFor('the callback to fail', async () => {
      const x = await callback(lost.body.id);
      return x.status === 'failed' ? x : undefined;
    }, 60_000);
    expect(failed.attemptLog.map((a) => a.outcome)).toEqual(['no-answer', 'no-answer']);
    expect((await nobody).code).toBe(0);
    expect((await op2.phone).code).toBe(0);
    const ticket = await t.api<{ notes: { body: string }[] }>('GET', `/api/tickets/${failed.ticketId}`);
    expect(ticket.body.notes.map((n) => n.body).join()).toMatch(/failed: not reached after 2 attempt\(s\): no-answer, no-answer/);
    await clearLine(t.api, 'second');
  });

  it('survives a restart of the service and of Redis while pending, and is dialled exactly once', async () => {
    const booked = await t.api<Callback>('POST', '/api/callbacks', {
      number: randomPhone(), line: 'second', notBefore: new Date(Date.now() + 8000).toISOString(),
    });
    expect(booked.status).toBe(201);
    await t.stop();
    restartRedis();
    // The delayed job outlived the restart (AOF): the job id is callback.attempt.due.
    const redis = new Redis(process.env.REDIS_URL as string);
    const jobKey = `${prefix}:callback-due:${booked.body.id}.1.${Date.parse(booked.body.nextAttemptAt as string)}`;
    expect(await redis.exists(jobKey)).toBe(1);
    redis.disconnect();
    await start();
    const dialled = customerPhone({ hangUpAfterMs: 1500 });
    const op = await operatorWithPhone(t.api, 'second');
    const done = await waitFor('the callback to complete', async () => {
      const x = await callback(booked.body.id);
      return x.status === 'completed' ? x : undefined;
    }, 60_000);
    expect(done.attemptLog).toHaveLength(1);
    expect((await dialled).code).toBe(0);
    await op.phone;
    const calls = await db.selectFrom('calls').select('id').where('callback_id', '=', booked.body.id).execute();
    expect(calls).toHaveLength(1);
    await clearLine(t.api, 'second');
  });
});

describe('customer-first callbacks', () => {
  it('dial the customer first, who then waits at the head of the line for the next operator', async () => {
    await t.stop();
    t = await startTestApp({ ...env, CALLBACK_MODE: 'customer-first' });
    await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
    await clearLine(t.api, 'second');
    const dialled = customerPhone();
    const op = await operatorWithPhone(t.api, 'second', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, hangUpAfterMs: 1500 }));
    const booked = await t.api<Callback>('POST', '/api/callbacks', { number: randomPhone(), line: 'second' });
    const done = await waitFor('the callback to complete', async () => {
      const x = await callback(booked.body.id);
      return x.status === 'completed' ? x : undefined;
    }, 60_000);
    expect((await dialled).code).toBe(0);
    expect((await op.phone).code).toBe(0);
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<Call & { transitions: { to: string }[] }>('GET', `/api/calls/${done.attemptLog[0]?.callId}`)).body;
      return c.endedAt ? c : undefined;
    });
    expect(call.transitions.map((x) => x.to)).toEqual(['queued', 'dialling', 'queued', 'ringing', 'bridged', 'completed']);
    await clearLine(t.api, 'second');
  });
});

describe('the toll-fraud guard', () => {
  it('refuses premium-rate and international numbers and limits bookings per number', async () => {
    const premium = await t.api<{ error: { code: string; message: string } }>('POST', '/api/callbacks', { number: '+7 809 123 45 67', line: 'first' });
    expect(premium.status).toBe(422);
    expect(premium.body.error.code).toBe('callback_number_not_allowed');
    expect(premium.body.error.message).toMatch(/premium-rate/);
    const abroad = await t.api<{ error: { code: string } }>('POST', '/api/callbacks', { number: '+44 20 7946 0958', line: 'first' });
    expect(abroad.status).toBe(422);
    // "+" is international: +8812… is not the national 8-812 number.
    const satellite = await t.api<{ error: { code: string } }>('POST', '/api/callbacks', { number: '+88121234567', line: 'first' });
    expect(satellite.status).toBe(422);
    const letters = await t.api<{ error: { code: string } }>('POST', '/api/callbacks', { number: '8 800 FLOWERS', line: 'first' });
    expect(letters.body.error.code).toBe('callback_number_not_allowed');
    // One number in three spellings, stored as one E.164 number; a cancelled booking still counts.
    const number = randomPhone();
    const forms = [`+${number}`, `8${number.slice(1)}`, `+7 (${number.slice(1, 4)}) ${number.slice(4)}`];
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const booked: Callback[] = [];
    for (const f of forms) {
      const r = await t.api<Callback & { number: string }>('POST', '/api/callbacks', { number: f, line: 'first', notBefore: later });
      expect(r.status).toBe(201);
      expect(r.body.number).toBe(`+${number}`);
      booked.push(r.body);
    }
    expect((await t.api('DELETE', `/api/callbacks/${booked[0]!.id}`)).status).toBe(200);
    const fourth = await t.api<{ error: { code: string }; id: string }>('POST', '/api/callbacks', { number, line: 'first', notBefore: later });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('callback_rate_limited');
    // Cancelled by the customer's panel: gone from the schedule, and cancelling twice is a conflict.
    const one = await t.api<Callback>('POST', '/api/callbacks', { number: randomPhone(), line: 'first', notBefore: later });
    expect((await t.api<Callback>('DELETE', `/api/callbacks/${one.body.id}`)).body.status).toBe('cancelled');
    expect((await t.api('DELETE', `/api/callbacks/${one.body.id}`)).status).toBe(409);
  });
});
