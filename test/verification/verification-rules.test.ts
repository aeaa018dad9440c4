import { describe, expect, it } from 'vitest';
import {
  afterAccountFailure,
  budgetDelayMs,
  budgetJustExceeded,
  callerBucket,
  classifyMatch,
  isFailure,
  isLocked,
  precheck,
  windowStart,
} from '../../src/verification/verification-rules.js';
import type { VerificationCodeRow } from '../../src/verification/verification.table.js';

const limits = { maxWrongPerCall: 3, accountMaxFailures: 5, accountLockSec: 900, callerMaxFailures: 10 };
const now = new Date('2026-11-22T10:00:00Z');
const code = (o: Partial<VerificationCodeRow>): VerificationCodeRow => ({
  id: '1', account_id: 'a', account_name: null, caller_number_hint: null, code_hash: 'h', created_at: now,
  expires_at: new Date(now.getTime() + 60_000), used_at: null, used_by_call_id: null, superseded_at: null, ...o,
});

describe('matching a keyed code', () => {
  it('accepts a usable code, even when an older spent one has the same hash', () => {
    const spent = code({ id: '1', used_at: now });
    const fresh = code({ id: '2', account_id: 'b' });
    expect(classifyMatch([fresh, spent], now)).toMatchObject({ outcome: 'verified', code: fresh });
  });
  it('tells a wrong, a spent, a replaced and an expired code apart', () => {
    expect(classifyMatch([], now).outcome).toBe('wrong');
    expect(classifyMatch([code({ used_at: now })], now).outcome).toBe('reused');
    expect(classifyMatch([code({ superseded_at: now })], now).outcome).toBe('superseded');
    expect(classifyMatch([code({ expires_at: now })], now).outcome).toBe('expired');
  });
});

describe('throttling', () => {
  it('stops a call after three wrong codes and a calling number after too many failures', () => {
    expect(precheck({ wrongOnCall: 2, callerFailures: 0 }, limits)).toBeUndefined();
    expect(precheck({ wrongOnCall: 3, callerFailures: 0 }, limits)).toBe('throttled');
    expect(precheck({ wrongOnCall: 0, callerFailures: 10 }, limits)).toBe('throttled');
  });
  it('locks an account at the fifth failure in a row, for the configured time, and starts the count over', () => {
    let acc = { consecutive_failures: 0, locked_until: null as Date | null };
    for (let i = 0; i < 4; i++) acc = afterAccountFailure(acc, limits, now);
    expect(acc).toEqual({ consecutive_failures: 4, locked_until: null });
    expect(isLocked(acc, now)).toBe(false);
    acc = afterAccountFailure(acc, limits, now);
    expect(acc.consecutive_failures).toBe(0);
    expect(acc.locked_until?.getTime()).toBe(now.getTime() + 900_000);
    expect(isLocked(acc, now)).toBe(true);
    expect(isLocked(acc, new Date(now.getTime() + 900_001))).toBe(false);
  });
  it('counts every outcome but a verification (or nothing keyed) as a failure', () => {
    expect(isFailure('verified')).toBe(false);
    expect(isFailure('none')).toBe(false);
    for (const o of ['wrong', 'expired', 'reused', 'superseded', 'locked', 'throttled'] as const) expect(isFailure(o)).toBe(true);
  });
});

describe('guards around code guessing', () => {
  it('puts withheld and anonymous numbers into one bucket, and each real number into its own', () => {
    const anon = callerBucket(null);
    for (const n of ['', 'anonymous', 'Anonymous', 'restricted', 'unknown', '123', ' ']) expect(callerBucket(n)).toBe(anon);
    expect(callerBucket('79991234567')).toBe('verify-fail:caller:79991234567');
    expect(callerBucket('+79991234567')).toBe(callerBucket('79991234567'));
    expect(callerBucket('79991234568')).not.toBe(callerBucket('79991234567'));
  });
  it('counts in fixed windows', () => {
    expect(windowStart(new Date('2026-11-22T10:00:59.999Z'), 60)).toEqual(new Date('2026-11-22T10:00:00Z'));
    expect(windowStart(new Date('2026-11-22T10:01:00Z'), 60)).toEqual(new Date('2026-11-22T10:01:00Z'));
    expect(windowStart(new Date('2026-11-22T10:59:00Z'), 3600)).toEqual(new Date('2026-11-22T10:00:00Z'));
  });
  it('slows failed checks once the global budget is spent, more the further it is exceeded, up to ten steps', () => {
    expect(budgetDelayMs(30, 30, 3000)).toBe(0);
    expect(budgetDelayMs(31, 30, 3000)).toBe(3000);
    expect(budgetDelayMs(60, 30, 3000)).toBe(3000);
    expect(budgetDelayMs(61, 30, 3000)).toBe(6000);
    expect(budgetDelayMs(100_000, 30, 3000)).toBe(30_000);
  });
  it('raises the alert once a minute, at the first failure over the budget', () => {
    expect([29, 30, 31, 32].map((n) => budgetJustExceeded(n, 30))).toEqual([false, false, true, false]);
  });
});
