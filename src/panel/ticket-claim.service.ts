// What a caller claims, settled by staff on the call. "Keyed 100032 — not confirmed": a caller
// keyed an open ticket's number in the IVR but did not prove they belong to it
// (calls/call-tickets.ts); the operator on the call checks them and confirms with one click.
// "I am account X": the operator names the account, and the caller's code is then checked
// against that account only. The operator on the call, supervisors and admins may; nobody else
// (confirming hands the ticket's history to whoever is on the call).
// "This is the caller's ticket": a repeat caller's call attached to one of the open tickets the
// screen pop offered (repeat-caller.service.ts), instead of the ticket made for it; that one is
// merged into it when it is empty (no notes, no other calls) and kept otherwise.
import type { Principal } from '../auth/token.service.js';
import type { CallSession } from '../calls/call-session.js';
import type { CallTickets } from '../calls/call-tickets.js';
import type { CallLedger } from '../calls/call-ledger.js';
import { findCallById, updateCall } from '../calls/call.repository.js';
import type { Db } from '../db/database.js';
import { AttachVerificationRequiredError, CallAttachConflictError, ForbiddenError, NotFoundError, TicketForbiddenError, TicketMergeError } from '../errors.js';
import { findTicketById, insertTicketEvent, moveCallsToTicket } from '../tickets/ticket.repository.js';
import { claimAttach, releaseAttach, ticketContents } from '../tickets/repeat-caller.repository.js';
import { canSeeTicket } from '../tickets/ticket-rules.js';
import type { RepeatCallers } from './repeat-caller.service.js';
import type { RepeatMatch } from './repeat-caller-rules.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { TicketRow } from '../tickets/ticket.table.js';
import type { VerificationService } from '../verification/verification.service.js';
import type { CallRow } from '../calls/call.table.js';

export class TicketClaimService {
  constructor(
    private readonly db: Db,
    private readonly callTickets: CallTickets,
    private readonly tickets: TicketService,
    /** The call's live session, while it lasts (the call core then sees the ticket too). */
    private readonly live: (callId: string) => CallSession | undefined,
    private readonly verification: VerificationService,
    /** Attaching repeat callers: the lookup, and the call core's ledger (a live call's row is changed there, written behind). */
    private readonly attaching?: { repeat: RepeatCallers; ledger: Pick<CallLedger, 'row' | 'has' | 'update'> },
  ) {}

  /**
   * Attaches the call to `ticketId`, one of the caller's other open tickets as the pop offers
   * them now. The ticket made for the call is merged into it when empty, else kept (only this
   * call moves). One attach per call.
   */
  async attach(by: Principal, callId: string, ticketId: string): Promise<{ ticket: TicketRow; match: RepeatMatch; from: string; dropped: boolean }> {
    const a = this.attaching;
    if (!a) throw new NotFoundError('repeat-caller ticket', ticketId);
    const call = await this.callOf(by, callId);
    const live = this.live(callId);
    const own = live?.ticketId ?? a.ledger.row(callId)?.ticket_id ?? call.ticket_id;
    if (!own) throw new CallAttachConflictError(callId, 'no_ticket', `call ${callId} has no ticket yet`);
    if (own === ticketId) throw new CallAttachConflictError(callId, 'already_attached', `call ${callId} was attached to a ticket already`);
    const offered = (
      await a.repeat.forCall({ callerNumber: call.caller_number, verifiedAccountId: live?.verifiedAccountId ?? call.verified_account_id, line: call.line, ownTicketId: own })
    ).find((x) => x.id === ticketId);
    if (!offered) throw new NotFoundError('repeat-caller ticket of this call', ticketId);
    const actor = await this.tickets.actorOf(by);
    const target = await findTicketById(this.db, ticketId);
    if (!target) throw new NotFoundError('ticket', ticketId);
    if (!canSeeTicket(actor, target)) throw new TicketForbiddenError(target.id, actor.line);
    if (offered.match !== 'account' && target.account_id) throw new AttachVerificationRequiredError(target.id);
    // The one attach of this call, claimed in Postgres before anything moves: of two requests
    // (two staff, two instances) exactly one gets here; the other is a 409 whatever the timing.
    if (!(await claimAttach(this.db, { callId, ticketId, fromTicketId: own, by: actor.label }))) {
      throw new CallAttachConflictError(callId, 'already_attached', `call ${callId} was attached to a ticket already`);
    }
    let moved = false;
    try {
      const contents = await ticketContents(this.db, own, callId);
      const dropped = !!contents && contents.notes === 0 && contents.otherCalls === 0 && contents.mergedInto === null;
      if (dropped) await this.tickets.merge({ ...actor, role: 'system' }, own, ticketId);
      else await moveCallsToTicket(this.db, [callId], ticketId);
      moved = true;
      // The live call's row through the call core's ledger (in order with its other changes), and
      // its session, so the core's next change carries the ticket too (as a confirmed claim does).
      if (a.ledger.has(callId)) a.ledger.update(callId, { ticket_id: ticketId });
      else await updateCall(this.db, callId, { ticket_id: ticketId });
      if (live) live.ticketId = ticketId;
      await insertTicketEvent(this.db, ticketId, 'call-attached', actor.label, { callId, fromTicketId: own, match: offered.match, dropped });
      return { ticket: target, match: offered.match, from: own, dropped };
    } catch (err) {
      // Nothing moved (or the merge found the ticket merged meanwhile): the claim goes back. Once
      // the call has moved it stays claimed, whatever failed after (the event): one attach per call.
      if (!moved) await releaseAttach(this.db, callId).catch(() => undefined);
      if (err instanceof TicketMergeError) throw new CallAttachConflictError(callId, 'already_attached', `call ${callId} was attached to a ticket already`);
      throw err;
    }
  }

  async confirm(by: Principal, callId: string): Promise<TicketRow> {
    await this.callOf(by, callId);
    return this.callTickets.confirmClaim(callId, await this.tickets.actorOf(by), this.live(callId));
  }

  /** The account the caller says they are: their codes are checked against it only. */
  async nameAccount(by: Principal, callId: string, accountId: string): Promise<void> {
    await this.callOf(by, callId);
    await this.verification.scopeCall(callId, accountId, (await this.tickets.actorOf(by)).label);
  }

  private async callOf(by: Principal, callId: string): Promise<CallRow> {
    // The live row first: whom the call rings, and its ticket, reach Postgres behind (the call ledger).
    const stored = await findCallById(this.db, callId);
    const live = this.attaching?.ledger.row(callId);
    const call = live && stored ? { ...stored, operator_id: live.operator_id, line: live.line, ticket_id: live.ticket_id ?? stored.ticket_id } : (live ?? stored);
    if (!call) throw new NotFoundError('call', callId);
    if (by.role === 'operator' && (!by.operatorId || call.operator_id !== by.operatorId)) {
      throw new ForbiddenError(by.role, ['the operator on the call', 'supervisor', 'admin']);
    }
    if (by.role !== 'operator' && by.role !== 'supervisor' && by.role !== 'admin') throw new ForbiddenError(by.role, ['operator', 'supervisor', 'admin']);
    return call;
  }
}
