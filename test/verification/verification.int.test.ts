// One-time voice-verification codes with real callers (SIPp): codes keyed as RFC 4733 events
// and as SIP INFO, spent, expired and wrong codes, the per-call limit and the account lockout,
// and an operator asking for the code mid-call with the recording paused for the step.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { decodeToPcm, detectDtmf, synthDtmf } from '../support/audio.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';

interface Call {
  id: string;
  ticketId: string;
  status: string;
  ivrPath: string[];
  endedAt: string | null;
  recordingId: string | null;
  verification: { status: string; accountId: string | null; method: string | null; at: string | null; flagged: boolean };
}

let t: TestApp;
let panel: string;
const logs: string[] = [];
const codesIssued: string[] = [];

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) });
  // debug: the most the service ever logs, so the check below covers every log line.
  // RECORD_LEGS: the caller's own leg is recorded too, and must be paused for the code as well.
  t = await startTestApp({ LOG_LEVEL: 'debug', VERIFY_ACCOUNT_LOCK_SEC: '600', RECORD_LEGS: 'true' }, sink);
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  const tok = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-'), role: 'panel' });
  panel = tok.body.token;
});
afterAll(async () => t?.stop());

async function issue(accountId: string, callerNumberHint?: string): Promise<string> {
  const r = await t.api<{ code: string; expiresAt: string }>('POST', '/api/verification-codes', { accountId, accountName: 'ООО Ромашка', callerNumberHint }, panel);
  expect(r.status).toBe(201);
  expect(r.body.code).toMatch(/^[0-9]{6}$/);
  const ttl = Date.parse(r.body.expiresAt) - Date.now();
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(600_000);
  codesIssued.push(r.body.code);
  return r.body.code;
}

const keys = (digits: string, method: DtmfStep['method'], firstAfterMs: number): DtmfStep[] =>
  [...digits].map((digit, i) => ({ digit, method, afterMs: i === 0 ? firstAfterMs : method === 'rfc4733' ? 500 : 250 }));

/** Menu 4 (verify), then each code, then 1 (first line); waits for the call to end. */
async function callWithCodes(caller: string, codes: string[], method: DtmfStep['method']): Promise<Call> {
  const steps = [...keys('4', 'info', 1500), ...codes.flatMap((c) => keys(c, method, 1500)), ...keys('1', 'info', 2000)];
  const r = await runCaller({ caller, number: '88005553535', steps, talkMs: 2500 });
  expect(r.code, r.stdout).toBe(0);
  return waitFor('the call to end', async () => {
    const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.endedAt ? c : undefined;
  });
}

describe('one-time codes keyed in the IVR', () => {
  let spent: string;

  it('verifies a caller who keys the right code as RFC 4733 events, and binds call and ticket', async () => {
    const account = uniq('acc-');
    spent = await issue(account);
    const c = await callWithCodes(randomPhone(), [spent], 'rfc4733');
    expect(c.ivrPath).toEqual(['menu:main-menu=4', 'verify:verified', 'menu:main-menu=1']);
    expect(c.verification).toMatchObject({ status: 'verified', accountId: account, method: 'ivr', flagged: false });
    const tk = await t.api<{ accountId: string; verifiedAt: string; customerName: string; phones: string[]; timeline: { kind: string; data: { outcome?: string } }[] }>('GET', `/api/tickets/${c.ticketId}`);
    expect(tk.body.accountId).toBe(account);
    expect(tk.body.verifiedAt).toBeTruthy();
    // The customer as the control panel named them, the number they called from, and the step in the timeline.
    expect(tk.body.customerName).toBe('ООО Ромашка');
    expect(tk.body.phones).toHaveLength(1);
    expect(tk.body.timeline).toContainEqual(expect.objectContaining({ kind: 'verification', data: expect.objectContaining({ outcome: 'verified' }) }));
  });

  it('refuses an expired and a spent code, then verifies with the right one keyed as SIP INFO, flagged for the other number', async () => {
    const expiredAccount = uniq('acc-');
    const expired = await issue(expiredAccount);
    await db.updateTable('verification_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('account_id', '=', expiredAccount).execute();
    const account = uniq('acc-');
    const good = await issue(account, '79000000000');
    const c = await callWithCodes(randomPhone(), [expired, spent, good], 'info');
    expect(c.ivrPath).toEqual(['menu:main-menu=4', 'verify:expired', 'verify:reused', 'verify:verified', 'menu:main-menu=1']);
    expect(c.verification).toMatchObject({ status: 'verified', accountId: account, flagged: true });
    const attempts = await db.selectFrom('verification_attempts').selectAll().where('call_id', '=', c.id).orderBy('id').execute();
    expect(attempts.map((a) => a.outcome)).toEqual(['expired', 'reused', 'verified']);
  });

  it('routes a caller on unverified after three wrong codes, and locks the account after five failures in a row', async () => {
    const account = uniq('acc-');
    const caller = randomPhone();
    const good = await issue(account, caller);
    const wrong = (n: number) => String((Number(good) + 1 + n) % 1_000_000).padStart(6, '0');
    const first = await callWithCodes(caller, [wrong(0), wrong(1), wrong(2)], 'info');
    expect(first.ivrPath).toEqual(['menu:main-menu=4', 'verify:wrong', 'verify:wrong', 'verify:wrong', 'menu:main-menu=1']);
    expect(first.verification.status).toBe('failed');
    // A new code does not reset the account's failures.
    const good2 = await issue(account, caller);
    const second = await callWithCodes(caller, [wrong(3), wrong(4)], 'info');
    expect(second.ivrPath.slice(0, 3)).toEqual(['menu:main-menu=4', 'verify:wrong', 'verify:wrong']);
    const acc = await db.selectFrom('verification_accounts').selectAll().where('account_id', '=', account).executeTakeFirstOrThrow();
    expect(acc.locked_until!.getTime()).toBeGreaterThan(Date.now());
    // Locked: even the right code is refused, and no new code is issued.
    const third = await callWithCodes(caller, [good2], 'info');
    expect(third.ivrPath).toContain('verify:locked');
    expect(third.verification.status).toBe('failed');
    const refused = await t.api<{ error: { code: string } }>('POST', '/api/verification-codes', { accountId: account }, panel);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('verification_locked');
  });

  it('puts a verified caller ahead of an unverified one who called shortly before', async () => {
    const code = await issue(uniq('acc-'));
    const [x, y] = [randomPhone(), randomPhone()];
    const waiting = runCaller({ caller: x, number: '88005553535', steps: keys('1', 'info', 1500), talkMs: 16_000 });
    const xCall = await waitFor('X queued', async () => {
      const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${x}`)).body.calls[0];
      return c?.status === 'queued' ? c : undefined;
    });
    const verified = runCaller({ caller: y, number: '88005553535', steps: [...keys('4', 'info', 1500), ...keys(code, 'info', 1500), ...keys('1', 'info', 2000)], talkMs: 6000 });
    const yCall = await waitFor('Y queued', async () => {
      const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${y}`)).body.calls[0];
      return c?.status === 'queued' ? c : undefined;
    });
    expect(yCall.verification.status).toBe('verified');
    const line = (await t.api<{ waiting: { id: string }[] }>('GET', '/api/lines/first/queue')).body.waiting.map((e) => e.id);
    expect(line.filter((id) => id === xCall.id || id === yCall.id)).toEqual([yCall.id, xCall.id]);
    expect((await verified).code).toBe(0);
    expect((await waiting).code).toBe(0);
  });

  it('takes codes only from the panel role and validates the request', async () => {
    const op = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('sup-'), role: 'supervisor' });
    expect((await t.api('POST', '/api/verification-codes', { accountId: 'x' }, op.body.token)).status).toBe(403);
    const bad = await t.api<{ error: { code: string } }>('POST', '/api/verification-codes', { accountId: '' }, panel);
    expect(bad.status).toBe(400);
  });
});

describe('an operator asks for the code mid-call', () => {
  it('pauses the recording while the caller keys it, so no digit is in the recording', async () => {
    // The detector itself hears DTMF when it is there.
    expect(detectDtmf(synthDtmf('402917'))).toEqual(['4', '0', '2', '9', '1', '7']);
    await clearLine(t.api, 'first');
    const op = await operatorWithPhone(t.api, 'first');
    const account = uniq('acc-');
    const code = await issue(account);
    const caller = randomPhone();
    // 1 for the first line; bridged ~1 s later; the test asks for the code; the caller keys it at ~9 s.
    const calling = runCaller({ caller, number: '88005553535', steps: [...keys('1', 'info', 1500), ...keys(code, 'rfc4733', 7500)], talkMs: 4000 });
    const live = await waitFor('the call to be bridged', async () => {
      const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.status === 'bridged' ? c : undefined;
    });
    const asked = await t.api<Call>('POST', `/api/calls/${live.id}/verification`, {});
    expect(asked.status).toBe(202);
    expect((await t.api<{ error: { code: string } }>('POST', `/api/calls/${live.id}/verification`, {})).body.error.code).toBe('verification_in_progress');
    expect((await calling).code).toBe(0);
    await op.phone;
    const done = await waitFor('the call to end', async () => {
      const c = (await t.api<Call>('GET', `/api/calls/${live.id}`)).body;
      return c.endedAt ? c : undefined;
    });
    expect(done.verification).toMatchObject({ status: 'verified', accountId: account, method: 'operator' });
    expect(done.ivrPath).toContain('operator-verify:verified');
    const rec = await waitFor('the recording to be archived', async () => {
      const r = await t.api<{ status: string; path: string; pauses: { reason: string; at: string; resumedAt: string | null }[] }>('GET', `/api/recordings/${done.recordingId}`);
      return r.body.status === 'archived' ? r.body : undefined;
    });
    expect(rec.pauses).toHaveLength(1);
    expect(rec.pauses[0]).toMatchObject({ reason: 'verification' });
    expect(rec.pauses[0]?.resumedAt).toBeTruthy();
    expect(detectDtmf(await decodeToPcm(rec.path))).toEqual([]);
    // The caller's leg alone (RECORD_LEGS) was paused for the step just the same.
    const legs = await waitFor('the caller leg to be archived', async () => {
      const rows = await db.selectFrom('recordings').select(['id', 'status']).where('call_id', '=', live.id).where('kind', '=', 'caller-leg').execute();
      return rows[0]?.status === 'archived' ? rows : undefined;
    }, 60_000);
    const leg = (await t.api<{ path: string; pauses: { reason: string; resumedAt: string | null }[] }>('GET', `/api/recordings/${legs[0]!.id}`)).body;
    expect(leg.pauses).toMatchObject([{ reason: 'verification', resumedAt: expect.any(String) }]);
    expect(detectDtmf(await decodeToPcm(leg.path))).toEqual([]);
  });
});

describe('logs', () => {
  it('never carry a code', () => {
    const all = logs.join('');
    expect(all.length).toBeGreaterThan(1000);
    for (const code of codesIssued) expect(all).not.toContain(code);
  });
});
