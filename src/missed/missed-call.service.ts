// The missed-calls worklist's actions: list a line's entries, and call one back (now, or at a
// time within the line's business hours) through the callback service, whose number rules
// (allowed countries and types, denied prefixes, per-number and per-account limits) decide.
// A click first claims the entry (open → booked, one row update): a second click, or a
// clearing that came first, gets 409 and nothing is dialled twice.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import type { CallbackService } from '../callbacks/callback.service.js';
import type { CallbackRow } from '../callbacks/callback.table.js';
import { AppError, CallbackTicketLineError, ForbiddenError, MissedCallTakenError, NotFoundError, TicketForbiddenError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import { servedLines, type Actor } from '../tickets/ticket.service.js';
import { mayFollowUp } from './missed-call-rules.js';
import type { MissedCallNotifier } from './missed-call.notifier.js';
import { attachCallback, claimForCallback, findMissedCall, listMissedCalls, noteOutcome, releaseClaim, type MissedCallRow } from './missed-call.repository.js';

export type MissedCallbacks = Pick<CallbackService, 'book' | 'withdraw' | 'refusal' | 'actorOf'>;

/** The label an automatic booking carries (MISSED_CALLS_AUTO_CALLBACK_SEC). */
export const AUTO_BOOKER = 'missed-calls';

export class MissedCallService {
  constructor(
    private readonly db: Db,
    private readonly callbacks: MissedCallbacks,
    private readonly notifier: MissedCallNotifier,
    private readonly log: Logger,
  ) {}

  actorOf(p: Principal): Promise<Actor> {
    return this.callbacks.actorOf(p);
  }

  refusal(number: string): string | undefined {
    return this.callbacks.refusal(number);
  }

  /** An operator sees the entries of the lines they serve only (one of them when asked); admins and supervisors any line's, or all. */
  async list(actor: Actor, q: { line?: Line; status: 'open' | 'all'; limit: number }): Promise<MissedCallRow[]> {
    let lines = q.line === undefined ? undefined : [q.line];
    if (actor.role === 'operator') {
      const served = servedLines(actor) ?? [];
      if (!served.length || (q.line && !mayFollowUp(actor, q.line))) throw this.forbidden(actor, q.line ?? 'another');
      lines = lines ?? [...served];
    }
    return listMissedCalls(this.db, { status: q.status, limit: q.limit, lines });
  }

  /** A click: call back now (no notBefore) or at notBefore, within the line's business hours. */
  async callBack(actor: Actor, id: string, notBefore?: Date): Promise<{ entry: MissedCallRow; callback: CallbackRow }> {
    const e = await findMissedCall(this.db, id);
    if (!e) throw new NotFoundError('missed call', id);
    if (!mayFollowUp(actor, e.line)) throw this.forbidden(actor, e.line);
    return this.book(e, actor, notBefore);
  }

  /** The automatic booking for a long wait: a refusal (the number rules, the limits) stays on the entry. */
  async autoBook(e: MissedCallRow): Promise<void> {
    try {
      const r = await this.book(e, AUTO_BOOKER);
      this.log.info({ missedCallId: e.id, callbackId: r.callback.id, line: e.line }, 'callback booked for a caller who gave up waiting');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.log.info({ missedCallId: e.id, reason: err.message }, 'no automatic callback for this missed call');
      const row = await noteOutcome(this.db, e.id, err.message);
      if (row) await this.notifier.publish([row]);
    }
  }

  private async book(e: MissedCallRow, by: Actor | string, notBefore?: Date): Promise<{ entry: MissedCallRow; callback: CallbackRow }> {
    const label = typeof by === 'string' ? by : by.label;
    const claimed = await claimForCallback(this.db, e.id, label);
    if (!claimed) {
      const now = await findMissedCall(this.db, e.id);
      throw new MissedCallTakenError(e.id, now?.status ?? 'cleared');
    }
    await this.notifier.publish([claimed]);
    let callback: CallbackRow;
    try {
      callback = await this.bookOnTicket(claimed, by, notBefore);
    } catch (err) {
      const back = await releaseClaim(this.db, e.id, err instanceof AppError ? err.message : null);
      if (back) await this.notifier.publish([back]);
      throw err;
    }
    const entry = await attachCallback(this.db, e.id, callback.id);
    if (!entry) {
      // Cleared between the claim and the booking (the number got through): the customer is
      // served, so the callback just booked is withdrawn before anyone dials it.
      await this.callbacks.withdraw(callback.id);
      throw new MissedCallTakenError(e.id, 'cleared');
    }
    await this.notifier.publish([entry]);
    this.log.info({ missedCallId: e.id, callbackId: callback.id, by: label }, 'missed call: callback booked');
    return { entry, callback };
  }

  /**
   * On the last missed call's ticket when the line sees it (the operator who rings finds the
   * caller's history there); a ticket moved elsewhere since gets a callback ticket of its own.
   */
  private async bookOnTicket(e: MissedCallRow, by: Actor | string, notBefore?: Date): Promise<CallbackRow> {
    const req = { number: e.number, line: e.line, notBefore };
    if (e.ticket_id) {
      try {
        return await this.callbacks.book({ ...req, ticketId: e.ticket_id }, by);
      } catch (err) {
        const ticketGone = err instanceof NotFoundError && err.details?.resource === 'ticket';
        if (!(err instanceof CallbackTicketLineError || err instanceof TicketForbiddenError || ticketGone)) throw err;
      }
    }
    return this.callbacks.book(req, by);
  }

  private forbidden(actor: Actor, line: string): ForbiddenError {
    return new ForbiddenError(actor.role, ['admin', 'supervisor', `an operator of the ${line} line`]);
  }
}
