// One-time voice-verification codes. The control panel asks for a code for an account; the
// caller keys it (in the IVR or when an operator asks); a match binds the call and its ticket to
// that account. The code itself exists only in the panel's response: we keep an HMAC of it.
import { silentPublisher, type EventPublisher } from '../outbound/outbound.service.js';
import { createHmac, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { VerificationIssueRateLimitedError, VerificationLockedError } from '../errors.js';
import {
  accountsHintedFor,
  addAccountFailure,
  bindCall,
  bindTicket,
  bumpCounter,
  findAccount,
  findCodesByHash,
  hashInUse,
  insertAttempt,
  insertCode,
  lockAccountRow,
  markCodeUsed,
  purgeCounters,
  readCounter,
  scopeAccountOfCall,
  setScope,
  updateAccount,
} from './verification.repository.js';
import {
  budgetDelayMs,
  budgetJustExceeded,
  callerBucket,
  classifyMatch,
  isFailure,
  isLocked,
  precheck,
  windowStart,
  type Limits,
} from './verification-rules.js';
import type { VerifyMethod, VerifyOutcome } from './verification.table.js';

export interface VerificationSettings extends Limits {
  codeTtlSec: number;
  callerWindowSec: number;
  /** Failed checks per minute across all callers before the alert and the slowing. */
  failureBudgetPerMin: number;
  budgetDelayMs: number;
  issuePerTokenPerMin: number;
  issuePerAccountPerHour: number;
}

/** Where the guards report (metrics): every failed check, and the budget spent. */
export interface VerificationObserver {
  verificationFailed(outcome: VerifyOutcome): void;
  verificationBudgetExceeded(): void;
}

const DAY_SEC = 86_400;

export interface CheckRequest {
  callId: string;
  ticketId: string | null;
  callerNumber: string | null;
  code: string;
  method: VerifyMethod;
  operatorId?: string | null;
  /**
   * The account the caller claims to be (the operator's panel named it for the call): the code
   * is checked against that account only. Without it, the account of the ticket the caller
   * keyed (or the call's ticket) scopes the check; with neither, every live code is tried.
   */
  accountId?: string | null;
}

export interface CheckResult {
  outcome: VerifyOutcome;
  accountId: string | null;
  /** The calling number is not the one the panel said the customer would call from. */
  flagged: boolean;
  /** Wrong codes this call may still key. */
  triesLeft: number;
}

export class VerificationService {
  private events: EventPublisher = silentPublisher;
  private observer: VerificationObserver | undefined;
  private lastPurge = 0;

  useEvents(events: EventPublisher): void {
    this.events = events;
  }

  observe(o: VerificationObserver): void {
    this.observer = o;
  }

  constructor(private readonly db: Kysely<Database>, private readonly secretKey: string, private readonly s: VerificationSettings, private readonly log: Logger) {}

  private hash(code: string): string {
    return createHmac('sha256', this.secretKey).update(`voice-otp:${code}`).digest('hex');
  }

  /** Codes one API token may have issued per minute (the route's rate limit, in Redis). */
  get issuePerTokenPerMin(): number {
    return this.s.issuePerTokenPerMin;
  }

  /**
   * A new code for an account. Issuing is limited per account (an hour) by an atomic counter
   * (and per API token by the route); it never resets the account's failures.
   */
  async issue(req: { accountId: string; accountName?: string; callerNumberHint?: string }): Promise<{ code: string; expiresAt: Date }> {
    const acc = await findAccount(this.db, req.accountId);
    if (acc && isLocked(acc, new Date())) throw new VerificationLockedError(req.accountId, acc.locked_until as Date);
    const now = new Date();
    await this.purgeOldCounters(now);
    if ((await bumpCounter(this.db, `verify-issue:account:${req.accountId}`, windowStart(now, 3600))) > this.s.issuePerAccountPerHour) {
      throw new VerificationIssueRateLimitedError(this.s.issuePerAccountPerHour);
    }
    const expiresAt = new Date(Date.now() + this.s.codeTtlSec * 1000);
    return this.db.transaction().execute(async (trx) => {
      // Two usable codes alike would let one account's caller verify as another: draw again.
      for (;;) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const codeHash = this.hash(code);
        if (await hashInUse(trx, codeHash, new Date())) continue;
        await insertCode(trx, {
          accountId: req.accountId,
          accountName: req.accountName ?? null,
          callerNumberHint: req.callerNumberHint ?? null,
          codeHash,
          expiresAt,
        });
        this.log.info({ accountId: req.accountId, expiresAt }, 'verification code issued');
        return { code, expiresAt };
      }
    });
  }

  /** Counter windows older than the longest window in use are dropped, at most once a minute. */
  private async purgeOldCounters(now: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = now.getTime();
    const keep = Math.max(DAY_SEC, this.s.callerWindowSec) * 2 * 1000;
    await purgeCounters(this.db, new Date(now.getTime() - keep)).catch((err: Error) => this.log.warn({ err: err.message }, 'guard counters not purged'));
  }

  private callBucket(callId: string): string {
    return `verify-wrong:call:${callId}`;
  }

  async triesLeft(callId: string): Promise<number> {
    const used = await readCounter(this.db, this.callBucket(callId), windowStart(new Date(), DAY_SEC));
    return Math.max(0, this.s.maxWrongPerCall - used);
  }

  /** Checks a keyed code for a call; every call of this is one audited attempt. */
  async check(req: CheckRequest): Promise<CheckResult> {
    const now = new Date();
    await this.purgeOldCounters(now);
    const scope = req.accountId ?? (await scopeAccountOfCall(this.db, req.callId, req.ticketId));
    // A failure slot of the call and of the calling number is taken before the code is looked
    // at, each by one atomic bump (outside the transaction, so parallel calls never queue on
    // it): parallel attempts cannot all see room left. A check that did not fail gives it back.
    const held: [string, Date][] = [
      [this.callBucket(req.callId), windowStart(now, DAY_SEC)],
      [callerBucket(req.callerNumber), windowStart(now, this.s.callerWindowSec)],
    ];
    const [onCall, ofCaller] = await Promise.all(held.map(([b, w]) => bumpCounter(this.db, b, w)));
    const result = await this.db.transaction().execute(async (trx) => {
      let outcome = precheck({ wrongOnCall: (onCall as number) - 1, callerFailures: (ofCaller as number) - 1 }, this.s);
      let accountId: string | null = null;
      let flagged = false;
      const blamed: string[] = [];
      if (!outcome) {
        const m = classifyMatch(await findCodesByHash(trx, this.hash(req.code), scope), now);
        outcome = m.outcome;
        accountId = m.code?.account_id ?? null;
        if (m.code) blamed.push(m.code.account_id);
        // Checked against one account: a wrong code counts against it.
        else if (scope) blamed.push(scope);
        else if (req.callerNumber) blamed.push(...(await accountsHintedFor(trx, req.callerNumber, now)));
        if (outcome === 'verified' && m.code) {
          const acc = await lockAccountRow(trx, m.code.account_id);
          if (isLocked(acc, now)) {
            outcome = 'locked';
            blamed.length = 0; // already locked: the lock is not pushed further by its own refusals
          }
          else if (!(await markCodeUsed(trx, m.code.id, req.callId))) outcome = 'reused';
          else {
            await updateAccount(trx, m.code.account_id, { consecutive_failures: 0, locked_until: null });
            flagged = !!m.code.caller_number_hint && m.code.caller_number_hint !== req.callerNumber;
            blamed.length = 0;
          }
        }
      }
      if (isFailure(outcome) && outcome !== 'throttled') {
        const lockUntil = new Date(now.getTime() + this.s.accountLockSec * 1000);
        for (const id of blamed) await addAccountFailure(trx, id, this.s.accountMaxFailures, lockUntil);
      }
      await insertAttempt(trx, {
        callId: req.callId,
        accountId,
        callerNumber: req.callerNumber,
        method: req.method,
        outcome,
        flagged,
        operatorId: req.operatorId ?? null,
      });
      if (outcome === 'verified' && accountId) {
        await bindCall(trx, req.callId, { status: 'verified', accountId, method: req.method, flagged });
        if (req.ticketId) await bindTicket(trx, req.ticketId, accountId, req.callId);
      } else {
        await bindCall(trx, req.callId, { status: 'failed' });
      }
      return { outcome, accountId: outcome === 'verified' ? accountId : null, flagged };
    });
    const failed = isFailure(result.outcome) && result.outcome !== 'throttled';
    // Not a wrong code (verified, or refused before looking): the slots go back.
    const onCallNow = failed ? (onCall as number) : (onCall as number) - 1;
    if (!failed) await Promise.all(held.map(([b, w]) => bumpCounter(this.db, b, w, -1)));
    if (result.outcome === 'verified') {
      void this.events.publish('verification.succeeded', { callId: req.callId, ticketId: req.ticketId, accountId: result.accountId, method: req.method, operatorId: req.operatorId ?? null, flagged: result.flagged });
    }
    // Never the digits: only what they came to.
    this.log.info({ callId: req.callId, method: req.method, outcome: result.outcome, accountId: result.accountId, flagged: result.flagged, scoped: scope !== null }, 'verification attempt');
    if (isFailure(result.outcome)) await this.spendBudget(now, result.outcome);
    return { ...result, triesLeft: Math.max(0, this.s.maxWrongPerCall - onCallNow) };
  }

  /**
   * The global failure budget: every failed check, across all callers, counts against this
   * minute's. Beyond it an alert goes out (once a minute) and each failed check is held back,
   * which slows the IVR step of whoever is guessing (their next try waits for this one).
   */
  private async spendBudget(now: Date, outcome: VerifyOutcome): Promise<void> {
    this.observer?.verificationFailed(outcome);
    const failures = await bumpCounter(this.db, 'verify-fail:global', windowStart(now, 60));
    if (budgetJustExceeded(failures, this.s.failureBudgetPerMin)) {
      this.observer?.verificationBudgetExceeded();
      this.log.error({ budgetPerMin: this.s.failureBudgetPerMin, alert: 'verification-failure-budget' }, 'verification failure budget exceeded: codes may be being guessed');
    }
    const delay = budgetDelayMs(failures, this.s.failureBudgetPerMin, this.s.budgetDelayMs);
    if (delay > 0) {
      this.log.warn({ failuresThisMinute: failures, delayMs: delay }, 'failed verification slowed');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /**
   * For a call in progress, the account the caller says they are (the operator named it in the
   * panel): its codes are then checked against that account only, and a wrong one counts
   * against it.
   */
  async scopeCall(callId: string, accountId: string, setBy: string): Promise<void> {
    await setScope(this.db, callId, accountId, setBy);
    this.log.info({ callId, accountId, setBy }, 'verification scoped to an account');
  }

  /** A ticket made after the call was verified gets the account too. */
  async bindLateTicket(ticketId: string, accountId: string, callId: string): Promise<void> {
    await bindTicket(this.db, ticketId, accountId, callId);
  }
}
