// One-time voice-verification codes. The control panel asks for a code for an account; the
// caller keys it (in the IVR or when an operator asks); a match binds the call and its ticket to
// that account. The code itself exists only in the panel's response: we keep an HMAC of it.
import { silentPublisher, type EventPublisher } from '../outbound/outbound.service.js';
import { createHmac, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { VerificationLockedError } from '../errors.js';
import {
  accountsHintedFor,
  bindCall,
  bindTicket,
  countCallerFailuresSince,
  countWrongOnCall,
  findAccount,
  findCodesByHash,
  hashInUse,
  insertAttempt,
  insertCode,
  lockAccountRow,
  markCodeUsed,
  updateAccount,
} from './verification.repository.js';
import { afterAccountFailure, classifyMatch, isFailure, isLocked, precheck, type Limits } from './verification-rules.js';
import type { VerifyMethod, VerifyOutcome } from './verification.table.js';

export interface VerificationSettings extends Limits {
  codeTtlSec: number;
  callerWindowSec: number;
}

export interface CheckRequest {
  callId: string;
  ticketId: string | null;
  callerNumber: string | null;
  code: string;
  method: VerifyMethod;
  operatorId?: string | null;
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

  useEvents(events: EventPublisher): void {
    this.events = events;
  }

  constructor(private readonly db: Kysely<Database>, private readonly secretKey: string, private readonly s: VerificationSettings, private readonly log: Logger) {}

  private hash(code: string): string {
    return createHmac('sha256', this.secretKey).update(`voice-otp:${code}`).digest('hex');
  }

  async issue(req: { accountId: string; accountName?: string; callerNumberHint?: string }): Promise<{ code: string; expiresAt: Date }> {
    const acc = await findAccount(this.db, req.accountId);
    if (acc && isLocked(acc, new Date())) throw new VerificationLockedError(req.accountId, acc.locked_until as Date);
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

  async triesLeft(callId: string): Promise<number> {
    return Math.max(0, this.s.maxWrongPerCall - (await countWrongOnCall(this.db, callId)));
  }

  /** Checks a keyed code for a call; every call of this is one audited attempt. */
  async check(req: CheckRequest): Promise<CheckResult> {
    const now = new Date();
    const result = await this.db.transaction().execute(async (trx) => {
      const wrongOnCall = await countWrongOnCall(trx, req.callId);
      const callerFailures = req.callerNumber
        ? await countCallerFailuresSince(trx, req.callerNumber, new Date(now.getTime() - this.s.callerWindowSec * 1000))
        : 0;
      let outcome = precheck({ wrongOnCall, callerFailures }, this.s);
      let accountId: string | null = null;
      let flagged = false;
      const blamed: string[] = [];
      if (!outcome) {
        const m = classifyMatch(await findCodesByHash(trx, this.hash(req.code)), now);
        outcome = m.outcome;
        accountId = m.code?.account_id ?? null;
        if (m.code) blamed.push(m.code.account_id);
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
        for (const id of blamed) {
          const acc = await lockAccountRow(trx, id);
          await updateAccount(trx, id, afterAccountFailure(acc, this.s, now));
        }
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
      const wrongNow = wrongOnCall + (isFailure(outcome) && outcome !== 'throttled' ? 1 : 0);
      return { outcome, accountId: outcome === 'verified' ? accountId : null, flagged, triesLeft: Math.max(0, this.s.maxWrongPerCall - wrongNow) };
    });
    if (result.outcome === 'verified') {
      void this.events.publish('verification.succeeded', { callId: req.callId, ticketId: req.ticketId, accountId: result.accountId, method: req.method, operatorId: req.operatorId ?? null, flagged: result.flagged });
    }
    // Never the digits: only what they came to.
    this.log.info({ callId: req.callId, method: req.method, outcome: result.outcome, accountId: result.accountId, flagged: result.flagged }, 'verification attempt');
    return result;
  }

  /** A ticket made after the call was verified gets the account too. */
  async bindLateTicket(ticketId: string, accountId: string, callId: string): Promise<void> {
    await bindTicket(this.db, ticketId, accountId, callId);
  }
}
