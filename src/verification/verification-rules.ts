// The throttling and matching rules of one-time codes, as pure functions: what a keyed code
// comes to, given the stored codes it matched and the counters around it.
import type { VerificationCodeRow, VerifyOutcome } from './verification.table.js';

export interface Limits {
  maxWrongPerCall: number;
  accountMaxFailures: number;
  accountLockSec: number;
  callerMaxFailures: number;
}

/** The code rows whose hash matched, newest first. A usable one wins over older spent ones. */
export function classifyMatch(matches: VerificationCodeRow[], now: Date): { outcome: VerifyOutcome; code: VerificationCodeRow | undefined } {
  const usable = matches.find((c) => !c.used_at && !c.superseded_at && c.expires_at > now);
  if (usable) return { outcome: 'verified', code: usable };
  const newest = matches[0];
  if (!newest) return { outcome: 'wrong', code: undefined };
  if (newest.used_at) return { outcome: 'reused', code: newest };
  if (newest.superseded_at) return { outcome: 'superseded', code: newest };
  return { outcome: 'expired', code: newest };
}

/**
 * Refusals that come before the code is even looked at: this call used up its wrong codes,
 * or the calling number failed too often lately (someone trying codes from many calls).
 */
export function precheck(c: { wrongOnCall: number; callerFailures: number }, l: Limits): VerifyOutcome | undefined {
  if (c.wrongOnCall >= l.maxWrongPerCall) return 'throttled';
  if (c.callerFailures >= l.callerMaxFailures) return 'throttled';
  return undefined;
}

/**
 * An account's counter after a failure: at the limit it is locked, and the count starts over.
 * (The repository's addAccountFailure applies this rule in one statement.)
 */
export function afterAccountFailure(
  acc: { consecutive_failures: number; locked_until: Date | null },
  l: Limits,
  now: Date,
): { consecutive_failures: number; locked_until: Date | null } {
  const n = acc.consecutive_failures + 1;
  if (n >= l.accountMaxFailures) return { consecutive_failures: 0, locked_until: new Date(now.getTime() + l.accountLockSec * 1000) };
  return { consecutive_failures: n, locked_until: acc.locked_until };
}

export function isLocked(acc: { locked_until: Date | null } | undefined, now: Date): boolean {
  return !!acc?.locked_until && acc.locked_until > now;
}

export function isFailure(o: VerifyOutcome): boolean {
  return o !== 'verified' && o !== 'none';
}

/** Where a fixed-window counter of `windowSec` seconds starts for `now`. */
export function windowStart(now: Date, windowSec: number): Date {
  const ms = windowSec * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/**
 * The calling number's bucket for the per-number limit. A withheld or anonymous number (no
 * digits, "anonymous", "restricted", a short code) would otherwise skip the limit: they all
 * share one bucket.
 */
export function callerBucket(callerNumber: string | null): string {
  const n = (callerNumber ?? '').trim();
  return /^\+?[0-9]{5,18}$/.test(n) ? `verify-fail:caller:${n.replace(/^\+/, '')}` : 'verify-fail:caller:anonymous';
}

/**
 * How long a failed check is held back once the global failure budget of the minute is spent
 * (`failures` is this minute's count, this one included): one step of `delayMs` per budget
 * exceeded, at most 10, so the slowing grows with the attack.
 */
export function budgetDelayMs(failures: number, budgetPerMin: number, delayMs: number): number {
  if (failures <= budgetPerMin) return 0;
  return delayMs * Math.min(10, Math.ceil(failures / budgetPerMin) - 1);
}

/** The first failure over the budget in a minute raises the alert (once per minute, not per failure). */
export function budgetJustExceeded(failures: number, budgetPerMin: number): boolean {
  return failures === budgetPerMin + 1;
}
