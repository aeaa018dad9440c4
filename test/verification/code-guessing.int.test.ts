// Guessing one-time codes: the global failure budget (alert, metric, slowed IVR step) with a
// real caller (SIPp), withheld and anonymous numbers throttled as one bucket, issuing limited
// per token and per account even in parallel, and a code checked against the keyed ticket's
// account only. The limits are set tiny so that few calls show them.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { insertCall } from '../../src/calls/call.repository.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';

let t: TestApp;
const logs: string[] = [];
const LIMITS = { budget: 1, delayMs: 300, perToken: 2, perAccount: 2 };

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) });
  t = await startTestApp(
    {
      LOG_LEVEL: 'info',
      VERIFY_FAILURE_BUDGET_PER_MIN: String(LIMITS.budget),
      VERIFY_BUDGET_DELAY_MS: String(LIMITS.delayMs),
      VERIFY_ISSUE_PER_TOKEN_PER_MIN: String(LIMITS.perToken),
      VERIFY_ISSUE_PER_ACCOUNT_PER_HOUR: String(LIMITS.perAccount),
      VERIFY_CALLER_MAX_FAILURES: '2',
      // A day's window: the shared bucket cannot start over halfway through the test.
      VERIFY_CALLER_WINDOW_SEC: '86400',
    },
    sink,
  );
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => t?.stop());

const panelToken = async () => (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-'), role: 'panel' })).body.token;
const keys = (digits: string, firstAfterMs: number): DtmfStep[] => [...digits].map((digit, i) => ({ digit, method: 'info', afterMs: i === 0 ? firstAfterMs : 250 }));

/** Menu 4, then each code; the caller stays `talkMs` (the slowed checks take their time), then hangs up. Returns the call's IVR path. */
async function guess(caller: string, codes: string[], talkMs = 4000): Promise<string[]> {
  const before = new Date();
  const steps = [...keys('4', 1500), ...codes.flatMap((c) => keys(c, 1500))];
  const r = await runCaller({ caller, number: '88005553535', steps, talkMs });
  expect(r.code, r.stdout).toBe(0);
  return waitFor('the call to end', async () => {
    const c = await db.selectFrom('calls').select(['ivr_path', 'ended_at']).where('caller_number', '=', caller).where('entered_at', '>=', before).executeTakeFirst();
    return c?.ended_at ? c.ivr_path : undefined;
  });
}

describe('code guessing', () => {
  it('alerts (log and metric) and slows the step once the minute\'s failure budget across all callers is spent', async () => {
    // Budget 1: three failures in at most two minutes' windows spend it at least once. The
    // third is refused by the per-number limit (2 here), a failure all the same.
    const path = await guess(randomPhone(), ['000001', '000002', '000003'], 10_000);
    expect(path.filter((s) => s.startsWith('verify:'))).toEqual(['verify:wrong', 'verify:wrong', 'verify:throttled']);
    const all = logs.join('');
    expect(all).toContain('verification failure budget exceeded');
    expect(all).toMatch(/"delayMs":\d+[^\n]*failed verification slowed/);
    const metric = await t.app.metrics.registry.getSingleMetric('pbxdesk_verification_budget_exceeded_total')?.get();
    expect(metric?.values[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it('throttles withheld and anonymous numbers as one bucket', async () => {
    const first = await guess('anonymous', ['000004', '000005']);
    expect(first.filter((s) => s === 'verify:wrong')).toHaveLength(2);
    // Another withheld caller: the shared bucket is spent, the code is not even looked at.
    const second = await guess('restricted', ['000006']);
    expect(second).toContain('verify:throttled');
  });
});

describe('issuing and checking codes', () => {
  it('limits codes per token and per account, atomically: parallel requests do not slip past', async () => {
    const token = await panelToken();
    const tries = await Promise.all(Array.from({ length: 7 }, () => t.api<{ error?: { code: string } }>('POST', '/api/verification-codes', { accountId: uniq('acc-') }, token)));
    const ok = tries.filter((r) => r.status === 201).length;
    // At most two windows of the limit (a minute may turn over between the requests).
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok).toBeLessThanOrEqual(2 * LIMITS.perToken);
    // Per token: @fastify/rate-limit (Redis), in the one error shape.
    for (const r of tries.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(429);
      expect(r.body.error?.code).toBe('rate_limited');
    }

    const account = uniq('acc-');
    const perAccount = await Promise.all(Array.from({ length: 5 }, async () => t.api<{ error?: { details: { what: string } } }>('POST', '/api/verification-codes', { accountId: account }, await panelToken())));
    expect(perAccount.filter((r) => r.status === 201).length).toBeLessThanOrEqual(2 * LIMITS.perAccount);
    expect(perAccount.filter((r) => r.status === 429 && r.body.error?.details.what === 'account').length).toBeGreaterThanOrEqual(1);
  });

  it('checks the code of a caller who keyed a ticket against that ticket\'s account only', async () => {
    const [a, b] = [uniq('acc-'), uniq('acc-')];
    const keyed = await insertTicket(db, { subject: 'Счёт', line: 'first', account_id: a });
    const call = await insertCall(db, { caller_number: randomPhone(), status: 'ivr', caller_channel_id: uniq('ch-'), pbx_node: DEFAULT_PBX_NODE, keyed_ticket_number: keyed.number });
    const token = await panelToken();
    const codeOfB = (await t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: b }, token)).body.code;
    const check = (code: string) => t.app.verification.check({ callId: call.id, ticketId: null, callerNumber: call.caller_number, code, method: 'ivr' });
    // B's live code is wrong here, and counts against A (the account the caller claims).
    expect((await check(codeOfB)).outcome).toBe('wrong');
    expect((await db.selectFrom('verification_accounts').select('consecutive_failures').where('account_id', '=', a).executeTakeFirstOrThrow()).consecutive_failures).toBe(1);
    const codeOfA = (await t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: a }, token)).body.code;
    expect(await check(codeOfA)).toMatchObject({ outcome: 'verified', accountId: a });
  });

  it('checks the code against the account the operator named for the call in progress', async () => {
    const [a, b] = [uniq('acc-'), uniq('acc-')];
    const call = await insertCall(db, { caller_number: randomPhone(), status: 'bridged', caller_channel_id: uniq('ch-'), pbx_node: DEFAULT_PBX_NODE });
    // Only the operator on the call (none here), supervisors and admins may name it.
    const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('op'), name: 'Operator', line: 'first', sipPassword: `${uniq('pw-')}${uniq()}` });
    const opToken = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('op-'), role: 'operator', operatorId: op.body.id })).body.token;
    expect((await t.api('PUT', `/api/panel/calls/${call.id}/account-claim`, { accountId: a }, opToken)).status).toBe(403);
    expect((await t.api('PUT', `/api/panel/calls/${call.id}/account-claim`, { accountId: a })).status).toBe(204);
    const token = await panelToken();
    const codeOfB = (await t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: b }, token)).body.code;
    const check = (code: string) => t.app.verification.check({ callId: call.id, ticketId: null, callerNumber: call.caller_number, code, method: 'operator' });
    expect((await check(codeOfB)).outcome).toBe('wrong');
    const codeOfA = (await t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: a }, token)).body.code;
    expect(await check(codeOfA)).toMatchObject({ outcome: 'verified', accountId: a });
  });

  it('counts parallel wrong codes against an account one by one: the fifth locks it', async () => {
    const a = uniq('acc-');
    const keyed = await insertTicket(db, { subject: 'Доступ', line: 'first', account_id: a });
    const calls = await Promise.all(
      Array.from({ length: 5 }, () => insertCall(db, { caller_number: randomPhone(), status: 'ivr', caller_channel_id: uniq('ch-'), pbx_node: DEFAULT_PBX_NODE, keyed_ticket_number: keyed.number })),
    );
    const outcomes = await Promise.all(calls.map((c) => t.app.verification.check({ callId: c.id, ticketId: null, callerNumber: c.caller_number, code: '000000', method: 'ivr' })));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(5).fill('wrong'));
    const acc = await db.selectFrom('verification_accounts').selectAll().where('account_id', '=', a).executeTakeFirstOrThrow();
    expect(acc.consecutive_failures).toBe(0);
    expect(acc.locked_until!.getTime()).toBeGreaterThan(Date.now());
  });
});
