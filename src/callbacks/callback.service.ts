// Callbacks: booked by a queued caller (keeping their place) or through the API (scheduled).
// Postgres holds the truth (status, attempts, outcomes); BullMQ only says when an attempt is
// due; the call service dials. Every attempt is one row keyed (callback, attempt number).
import { silentPublisher, type EventPublisher } from '../outbound/outbound.service.js';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import {
  CallbackClosedError,
  CallbackNotAnsweredError,
  CallbackNumberRefusedError,
  CallbackRateLimitedError,
  CallbackTicketLineError,
  CallbackWindowError,
  ForbiddenError,
  NotFoundError,
  TicketForbiddenError,
} from '../errors.js';
import type { CallbackPort, CallbackSink, ClaimedCallback, DialOutcome } from '../calls/callback.port.js';
import { hoursOf, nextOpen, type BusinessHours } from '../lines/business-hours.js';
import type { Line } from '../vocabulary.js';
import { findTicketById, insertTicketNote } from '../tickets/ticket.repository.js';
import { canSeeTicket, lineSeesTicket } from '../tickets/ticket-rules.js';
import type { Actor, TicketService } from '../tickets/ticket.service.js';
import { countRecentOutboundCalls } from '../calls/outbound-calls.repository.js';
import { checkNumber, type NumberRules } from './callback-number.js';
import { firstDue, mayHandleCallback, nextAttemptAt } from './callback-rules.js';
import type { CallbackQueue } from './callback.queue.js';
import {
  countRecentCallbacks,
  endAttempt,
  findAttempt,
  findAttemptOfCall,
  findCallback,
  insertAttemptOnce,
  insertCallback,
  listAttempts,
  listOpenCallbacks,
  listWaitingCallbacks,
  lockCallbackKeys,
  markAttemptMachine,
  moveCallback,
} from './callback.repository.js';
import type { CallbackRow } from './callback.table.js';

export interface CallbackSettings extends NumberRules {
  attempts: number;
  retrySec: number;
  maxPerNumberDay: number;
  maxPerAccountDay: number;
}

export interface BookRequest {
  number: string;
  line: Line;
  ticketId?: string;
  accountId?: string;
  notBefore?: Date;
  notAfter?: Date;
}

const DAY_MS = 86_400_000;

export class CallbackService implements CallbackPort {
  constructor(
    private readonly db: Db,
    private readonly queue: CallbackQueue,
    private readonly hours: () => BusinessHours,
    private readonly s: CallbackSettings,
    private readonly sink: () => CallbackSink,
    private readonly log: Logger,
    private readonly tickets: Pick<TicketService, 'openForCallback' | 'actorOf'>,
  ) {}

  private events: EventPublisher = silentPublisher;

  useEvents(events: EventPublisher): void {
    this.events = events;
  }

  private eventOf(r: CallbackRow): Record<string, unknown> {
    return {
      callbackId: r.id,
      kind: r.kind,
      status: r.status,
      number: r.number,
      line: r.line,
      ticketId: r.ticket_id,
      accountId: r.account_id,
      callId: r.call_id,
      nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
      attempts: r.attempts,
      closedReason: r.closed_reason,
    };
  }

  refusal(number: string): string | undefined {
    const v = checkNumber(number, this.s);
    return v.ok ? undefined : v.reason;
  }

  /** The number in E.164, or the refusal as an error. */
  private e164(raw: string): string {
    const v = checkNumber(raw, this.s);
    if (!v.ok) throw new CallbackNumberRefusedError(v.reason);
    return v.e164;
  }

  /**
   * The per-number and per-account limits, counted on the E.164 number and cancelled callbacks
   * included (book, cancel, book again is still three bookings). Runs in the booking's
   * transaction under a lock on the number and account, so parallel bookings cannot all pass.
   */
  private async guard(trx: Db, number: string, accountId: string | null): Promise<void> {
    await lockCallbackKeys(trx, number, accountId);
    const since = new Date(Date.now() - DAY_MS);
    // Click-to-calls to the number count too (they count callbacks likewise: outbound-calls.repository.ts).
    const toNumber = (await countRecentCallbacks(trx, 'number', number, since)) + (await countRecentOutboundCalls(trx, number, since));
    if (toNumber >= this.s.maxPerNumberDay) {
      throw new CallbackRateLimitedError('number', this.s.maxPerNumberDay);
    }
    if (accountId && (await countRecentCallbacks(trx, 'account_id', accountId, since)) >= this.s.maxPerAccountDay) {
      throw new CallbackRateLimitedError('account', this.s.maxPerAccountDay);
    }
  }

  /** Who asks, with their line (an operator's) and the label a booking keeps of them. */
  actorOf(p: Principal): Promise<Actor> {
    return this.tickets.actorOf(p);
  }

  /**
   * A callback on an existing ticket: the booker must see the ticket (a panel token sees only
   * the tickets of the account it books for), and so must the callback's line, whose operators
   * get the ticket's screen pop when it rings.
   */
  private async checkTicket(actor: Actor, ticketId: string, req: BookRequest): Promise<void> {
    const t = await findTicketById(this.db, ticketId);
    if (!t) throw new NotFoundError('ticket', ticketId);
    if (actor.role === 'panel') {
      if (!req.accountId || t.account_id !== req.accountId) throw new ForbiddenError(actor.role, ['a ticket of the accountId booked for']);
    } else if (!canSeeTicket(actor, t)) {
      throw new TicketForbiddenError(t.id, actor.line);
    }
    if (!lineSeesTicket(req.line, t)) throw new CallbackTicketLineError(t.id, req.line);
  }

  private async visible(actor: Actor, id: string): Promise<CallbackRow> {
    const c = await findCallback(this.db, id);
    if (!c) throw new NotFoundError('callback', id);
    if (!mayHandleCallback(actor, c)) throw new ForbiddenError(actor.role, ['admin', 'supervisor', `an operator of the ${c.line} line`, 'whoever booked it']);
    return c;
  }

  /** A scheduled callback (the API): due at notBefore, or the line's next opening after it. */
  async book(req: BookRequest, by: Actor | string): Promise<CallbackRow> {
    // A plain label is pbxdesk itself booking (the callback benchmark): it sees every ticket.
    const actor: Actor = typeof by === 'string' ? { label: by, role: 'system', line: null, operatorId: null } : by;
    const number = this.e164(req.number);
    const w = firstDue(new Date(), req.notBefore ?? null, req.notAfter ?? null);
    if ('error' in w) throw new CallbackWindowError(w.error);
    const due = nextOpen(hoursOf(this.hours(), req.line), w.due);
    if (!due || (req.notAfter && due >= req.notAfter)) {
      throw new CallbackWindowError(`the ${req.line} line is closed for the whole requested window`);
    }
    if (req.ticketId) await this.checkTicket(actor, req.ticketId, req);
    const row = await this.db.transaction().execute(async (trx) => {
      await this.guard(trx, number, req.accountId ?? null);
      const ticketId = req.ticketId ?? (await this.tickets.openForCallback(trx, number, req.line)).id;
      return insertCallback(trx, {
        kind: 'scheduled',
        number,
        line: req.line,
        ticket_id: ticketId,
        account_id: req.accountId ?? null,
        status: 'scheduled',
        rank: due,
        not_before: req.notBefore ?? null,
        not_after: req.notAfter ?? null,
        next_attempt_at: due,
        max_attempts: this.s.attempts,
        requested_by: actor.label,
      });
    });
    await this.queue.schedule(row.id, 1, due);
    this.log.info({ callbackId: row.id, line: row.line, due, ticketId: row.ticket_id }, 'callback scheduled');
    void this.events.publish('callback.scheduled', this.eventOf(row));
    return row;
  }

  async bookFromQueue(req: { callId: string; number: string; line: Line; ticketId: string | null; accountId: string | null; rank: Date }): Promise<string> {
    const number = this.e164(req.number);
    const row = await this.db.transaction().execute(async (trx) => {
      await this.guard(trx, number, req.accountId);
      return insertCallback(trx, {
        kind: 'queued',
        number,
        line: req.line,
        ticket_id: req.ticketId,
        account_id: req.accountId,
        call_id: req.callId,
        status: 'waiting',
        rank: req.rank,
        max_attempts: this.s.attempts,
        requested_by: 'caller',
      });
    });
    this.log.info({ callbackId: row.id, callId: req.callId, line: req.line }, 'callback booked from the queue');
    void this.events.publish('callback.scheduled', this.eventOf(row));
    return row.id;
  }

  async withdraw(id: string): Promise<void> {
    const row = await moveCallback(this.db, id, ['scheduled', 'waiting'], { status: 'cancelled', closed_reason: 'withdrawn: the caller was put through while booking' });
    this.sink().removeCallback(id);
    if (row) this.log.info({ callbackId: id }, 'callback withdrawn: the caller was put through while booking');
  }

  async get(id: string, actor: Actor): Promise<{ callback: CallbackRow; attempts: Awaited<ReturnType<typeof listAttempts>> }> {
    const callback = await this.visible(actor, id);
    return { callback, attempts: await listAttempts(this.db, id) };
  }

  async cancel(id: string, actor: Actor): Promise<CallbackRow> {
    await this.visible(actor, id);
    const by = actor.label;
    const row = await moveCallback(this.db, id, ['scheduled', 'waiting'], { status: 'cancelled', closed_reason: `cancelled by ${by}` });
    if (!row) {
      const now = await findCallback(this.db, id);
      if (!now) throw new NotFoundError('callback', id);
      throw new CallbackClosedError(id, now.status);
    }
    this.sink().removeCallback(id);
    this.log.info({ callbackId: id, by }, 'callback cancelled');
    return row;
  }

  /** The delayed job fired: the callback joins its line's queue at its rank. */
  async due(job: { callbackId: string; attemptNo: number }): Promise<void> {
    const cb = await findCallback(this.db, job.callbackId);
    // A stale or duplicate job (cancelled since, or this attempt moved on): nothing to do.
    if (!cb || cb.status !== 'scheduled' || cb.attempts !== job.attemptNo - 1) return;
    const now = new Date();
    if (cb.not_after && cb.not_after <= now) return void (await this.close(cb, 'the calling window passed'));
    const open = nextOpen(hoursOf(this.hours(), cb.line), now);
    if (!open) return void (await this.close(cb, `the ${cb.line} line is closed`));
    if (open > now) {
      // Closed now (a retry ran into the evening): the same attempt, at the next opening.
      await moveCallback(this.db, cb.id, 'scheduled', { next_attempt_at: open });
      await this.queue.schedule(cb.id, job.attemptNo, open);
      return;
    }
    const row = await moveCallback(this.db, cb.id, 'scheduled', { status: 'waiting' });
    if (row) this.sink().placeCallback(row.line, row.id, row.rank.getTime());
  }

  async claim(callbackId: string): Promise<ClaimedCallback | null> {
    const row = await moveCallback(this.db, callbackId, 'waiting', { status: 'dialling' });
    if (!row) return null;
    return { id: row.id, number: row.number, line: row.line, ticketId: row.ticket_id, accountId: row.account_id, attemptNo: row.attempts + 1 };
  }

  async beginAttempt(cb: ClaimedCallback, callId: string, operatorId: string | null): Promise<boolean> {
    const first = await insertAttemptOnce(this.db, { callbackId: cb.id, attemptNo: cb.attemptNo, callId, operatorId });
    await moveCallback(this.db, cb.id, 'dialling', { attempts: cb.attemptNo });
    if (!first) {
      // Only one instance can claim a callback, so a clash means a crash right around the dial
      // of this attempt: it may have rung the customer. It counts, and is never dialled twice.
      this.log.warn({ callbackId: cb.id, attemptNo: cb.attemptNo }, 'attempt dialled already: not dialling again');
      await endAttempt(this.db, cb.id, cb.attemptNo, 'interrupted');
      await this.followUp(cb.id, 'interrupted');
    }
    return first;
  }

  async attemptEnded(cb: ClaimedCallback, outcome: DialOutcome): Promise<void> {
    if (!(await endAttempt(this.db, cb.id, cb.attemptNo, outcome))) return; // told already
    this.log.info({ callbackId: cb.id, attemptNo: cb.attemptNo, outcome }, 'callback attempt ended');
    await this.followUp(cb.id, outcome);
  }

  /** After an attempt: done when answered, else the next attempt is scheduled or the callback fails. */
  private async followUp(id: string, outcome: DialOutcome): Promise<void> {
    if (outcome === 'answered') {
      const done = await moveCallback(this.db, id, 'dialling', { status: 'completed', closed_reason: 'answered' });
      if (done) void this.events.publish('callback.completed', this.eventOf(done));
      return;
    }
    const row = await findCallback(this.db, id);
    if (!row || row.status !== 'dialling') return;
    const next = nextAttemptAt(row, new Date(), this.s.retrySec);
    const at = next && nextOpen(hoursOf(this.hours(), row.line), next);
    if (!at || (row.not_after && at >= row.not_after)) {
      const outcomes = (await listAttempts(this.db, id)).map((a) => a.outcome ?? 'unknown');
      return this.close(row, `not reached after ${row.attempts} attempt(s): ${outcomes.join(', ')}`);
    }
    // The outcome is stored (above) before the next attempt exists.
    await moveCallback(this.db, id, 'dialling', { status: 'scheduled', next_attempt_at: at });
    await this.queue.schedule(id, row.attempts + 1, at);
  }

  /**
   * The operator reached an answering machine: that attempt does not count as answered. The
   * callback is retried like after no answer, or fails when it was the last attempt.
   */
  async answeringMachine(id: string, actor: Actor): Promise<CallbackRow> {
    const row = await this.visible(actor, id);
    const by = actor.label;
    if (row.status !== 'completed' || !(await markAttemptMachine(this.db, id, row.attempts))) {
      throw new CallbackNotAnsweredError(id, row.status);
    }
    await moveCallback(this.db, id, 'completed', { status: 'dialling', closed_reason: null });
    this.log.info({ callbackId: id, attemptNo: row.attempts, by }, 'callback attempt was an answering machine');
    await this.followUp(id, 'machine');
    return (await findCallback(this.db, id)) as CallbackRow;
  }

  async attemptInterrupted(callbackId: string, callId: string): Promise<void> {
    const a = await findAttemptOfCall(this.db, callbackId, callId);
    const row = await findCallback(this.db, callbackId);
    if (!a || !row) return;
    await this.attemptEnded({ id: row.id, number: row.number, line: row.line, ticketId: row.ticket_id, accountId: row.account_id, attemptNo: a.attempt_no }, 'interrupted');
  }

  async release(callbackId: string): Promise<void> {
    const row = await moveCallback(this.db, callbackId, 'dialling', { status: 'waiting' });
    if (row) this.sink().placeCallback(row.line, row.id, row.rank.getTime());
  }

  private async close(row: CallbackRow, reason: string): Promise<void> {
    const failed = await moveCallback(this.db, row.id, ['dialling', 'scheduled', 'waiting'], { status: 'failed', closed_reason: reason });
    // Not reached is an outcome too: the helpdesk hears of it as a completed callback, status failed.
    if (failed) void this.events.publish('callback.completed', this.eventOf(failed));
    if (row.ticket_id) await insertTicketNote(this.db, row.ticket_id, 'pbxdesk', `Callback to ${row.number} failed: ${reason}.`);
    this.log.warn({ callbackId: row.id, reason }, 'callback failed');
  }

  /**
   * Placeholders of every waiting callback, in this instance's lines too. The due job goes to
   * one instance, but with several nodes the free operator may be on another: each instance
   * holds every placeholder, and the claim (waiting → dialling, one row update) lets exactly one
   * of them dial. Re-placing one already there keeps its place (the same rank).
   */
  async adoptWaiting(): Promise<void> {
    for (const cb of await listWaitingCallbacks(this.db)) this.sink().placeCallback(cb.line, cb.id, cb.rank.getTime());
  }

  /**
   * At start-up: waiting placeholders go back into their lines (by rank), scheduled ones get
   * their job again (the job id makes that a no-op when Redis kept it), and a callback claimed
   * but never dialled is released. One whose dial was under way is the call service's
   * (its reclaim ends the attempt as interrupted).
   */
  async restore(): Promise<void> {
    for (const cb of await listOpenCallbacks(this.db)) {
      if (cb.status === 'waiting') this.sink().placeCallback(cb.line, cb.id, cb.rank.getTime());
      else if (cb.status === 'scheduled') await this.queue.schedule(cb.id, cb.attempts + 1, cb.next_attempt_at ?? new Date());
      else {
        const current = cb.attempts > 0 ? await findAttempt(this.db, cb.id, cb.attempts) : undefined;
        const dialling = (await findAttempt(this.db, cb.id, cb.attempts + 1)) !== undefined || (current !== undefined && current.outcome === null);
        if (!dialling) await this.release(cb.id);
      }
    }
  }
}
