// Which ticket a call belongs to: the open one whose number the caller keyed in the IVR, or a
// new one made when the call is queued or ends. Every call ends up on exactly one ticket.
//
// Ticket numbers are sequential, so a keyed number alone proves nothing (tickets/ticket-claim-rules.ts):
// the call takes the ticket only when the caller is verified as its account or calls from a
// number already on it. Otherwise the keyed number is a claim: s.ticketId stays unset (so the
// ticket's priority, history and notes do not reach the caller's call), the call gets a new
// ticket that notes the claim, and the call row keeps keyed_ticket_number for the operator's
// screen pop, where they confirm it with one click once they have checked the caller.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { NoTicketClaimError, NotFoundError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import { decideKeyedTicket, isRealNumber } from '../tickets/ticket-claim-rules.js';
import { findOpenTicketByNumber, findTicketById, insertTicketEvent, ticketHasPhone } from '../tickets/ticket.repository.js';
import type { Actor, TicketService } from '../tickets/ticket.service.js';
import type { TicketRow } from '../tickets/ticket.table.js';
import { bindTicket } from '../verification/verification.repository.js';
import { findCallById, insertCallEvent, updateCall } from './call.repository.js';
import type { CallSession } from './call-session.js';
import type { CallSticky } from './call-sticky.js';
import type { CallUpdate } from './call.table.js';

/** How the call's row learns its ticket and keyed number: directly by default, or through the call core's own writer. */
export type CallRowWriter = (callId: string, patch: Pick<CallUpdate, 'ticket_id' | 'keyed_ticket_number'>) => Promise<unknown> | void;

/**
 * What keying a ticket number came to. `found`: an open ticket has that number, and the IVR
 * routes the caller to its line either way (an operator there can check a claim; pressing 2
 * in the menu reaches the second line anyhow, so the route gives nothing away). `confirmed`:
 * the call took the ticket; false: only a claim.
 */
export interface KeyedTicketResult {
  found: boolean;
  line: Line | null;
  confirmed: boolean;
}

/**
 * A live call's ticket as this instance made or found it, and its claim: what the screen pop and
 * the queue's head start read instead of asking Postgres again at the ring. `fresh`: made for
 * this call just now, so it has no earlier calls and no notes to show.
 */
export interface KnownTicket {
  ticket: TicketRow;
  fresh: boolean;
  claim: TicketClaim | null;
}

export interface TicketClaim {
  ticketId: string;
  number: string;
  line: Line | null;
}

export class CallTickets {
  /** Claims of live calls (the ticket keyed, not proved); the call row keeps the keyed number for good. */
  private readonly claims = new WeakMap<CallSession, TicketClaim>();
  /** The ticket each live call is on, as made or looked up here (gone with the session). */
  private readonly known = new WeakMap<CallSession, { ticket: TicketRow; fresh: boolean }>();

  private readonly writeRow: CallRowWriter;

  /** `sticky`: told each keyed ticket and how it is the caller's, to ring its assignee first (call-sticky.ts). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly tickets: TicketService,
    private readonly log: Logger,
    writeRow?: CallRowWriter,
    private readonly sticky?: Pick<CallSticky, 'ticketKeyed'>,
  ) {
    this.writeRow = writeRow ?? ((callId, patch) => updateCall(this.db, callId, patch));
  }

  async ensure(s: CallSession): Promise<string> {
    if (s.ticketId) return s.ticketId;
    const claim = this.claims.get(s);
    // Verified after keying, as the claimed ticket's account: the claim is proved now.
    if (claim && s.verifiedAccountId) {
      const t = await findTicketById(this.db, claim.ticketId);
      if (t && isOpen(t) && t.account_id === s.verifiedAccountId) {
        this.sticky?.ticketKeyed(s, stickyTicket(t), 'account');
        await this.take(s, t, claim.number);
        return t.id;
      }
    }
    const ticket = await this.tickets.openForCall(this.db, s.callerNumber);
    // On the session only once the row has it: a write retried later (Postgres away) must not
    // find the session already ticketed and skip it.
    await this.writeRow(s.callId, { ticket_id: ticket.id });
    s.ticketId = ticket.id;
    this.known.set(s, { ticket, fresh: true });
    // Verified before the ticket existed (a code keyed early in the IVR): the ticket gets the account.
    if (s.verifiedAccountId) await bindTicket(this.db, ticket.id, s.verifiedAccountId, s.callId);
    // The claim on the new ticket's timeline, for whoever picks it up later.
    if (claim) await insertTicketEvent(this.db, ticket.id, 'ticket-claim', 'caller', { callId: s.callId, keyed: claim.number, claimedTicketId: claim.ticketId, confirmed: false });
    return ticket.id;
  }

  /** The keyed number is stored whether or not it matched, and whether or not it was proved. */
  async attach(s: CallSession, keyed: string): Promise<KeyedTicketResult> {
    const ticket = await findOpenTicketByNumber(this.db, keyed);
    if (!ticket) {
      await this.writeRow(s.callId, { keyed_ticket_number: keyed });
      this.log.info({ callId: s.callId, keyed }, 'unknown ticket number keyed');
      return { found: false, line: null, confirmed: false };
    }
    const callerOnTicket = isRealNumber(s.callerNumber) && (await ticketHasPhone(this.db, ticket.id, s.callerNumber));
    const d = decideKeyedTicket({ accountId: ticket.account_id, callerOnTicket }, { verifiedAccountId: s.verifiedAccountId });
    // Known before the caller is queued, with the ticket looked up here anyway: no round trip of its own.
    const owner = s.verifiedAccountId !== null && ticket.account_id === s.verifiedAccountId;
    this.sticky?.ticketKeyed(s, stickyTicket(ticket), d.conflict ? 'conflict' : owner ? 'account' : d.attach ? 'number' : 'keyed');
    if (d.conflict) await this.flagConflict(s, ticket, keyed);
    if (d.attach) {
      await this.take(s, ticket, keyed);
      if (d.bindAccount && s.verifiedAccountId) await bindTicket(this.db, ticket.id, s.verifiedAccountId, s.callId);
      this.log.info({ callId: s.callId, keyed, ticketId: ticket.id }, 'call attached to an existing ticket');
      return { found: true, line: ticket.line, confirmed: true };
    }
    this.claims.set(s, { ticketId: ticket.id, number: keyed, line: ticket.line });
    await this.writeRow(s.callId, { keyed_ticket_number: keyed });
    this.log.info({ callId: s.callId, keyed, ticketId: ticket.id }, 'ticket number keyed but not proved: a claim for the operator to confirm');
    return { found: true, line: ticket.line, confirmed: false };
  }

  /**
   * Staff confirm a call's claim after checking the caller: the call moves onto the keyed
   * ticket (the ticket made for it alone is merged into it). `live` is the call's session while
   * it lasts, so the call core sees the ticket too. The account of a verified caller is bound
   * unless the ticket has another (flagged, never overwritten).
   */
  async confirmClaim(callId: string, actor: Actor, live: CallSession | undefined): Promise<TicketRow> {
    const call = await findCallById(this.db, callId);
    if (!call) throw new NotFoundError('call', callId);
    const keyed = call.keyed_ticket_number;
    const claimed = keyed ? await findOpenTicketByNumber(this.db, keyed) : undefined;
    if (!keyed || !claimed || claimed.id === call.ticket_id) throw new NoTicketClaimError(callId);
    const t = await this.tickets.takeClaimedCall(actor, { id: callId, ticketId: live?.ticketId ?? call.ticket_id, keyed }, claimed.id);
    if (live) {
      live.ticketId = claimed.id;
      this.claims.delete(live);
    }
    if (call.verified_account_id) await bindTicket(this.db, claimed.id, call.verified_account_id, callId);
    this.log.info({ callId, ticketId: claimed.id, by: actor.label }, 'ticket claim confirmed');
    return t;
  }

  /**
   * What this instance knows of the call's ticket without Postgres; undefined when the call has
   * moved onto another ticket since (a claim confirmed elsewhere), or never had one made here.
   */
  ticketOf(s: CallSession): KnownTicket | undefined {
    const k = this.known.get(s);
    if (!k || k.ticket.id !== s.ticketId) return undefined;
    return { ...k, claim: this.claims.get(s) ?? null };
  }

  /**
   * The ticket's priority for the queue's head start. A ticket made for this call moments ago is
   * known here (one Postgres round trip fewer on the way to the queue); a keyed one may have been
   * changed by staff since it was looked up, so it is read again. Unreadable (Postgres away): none.
   */
  async priorityOf(s: CallSession, ticketId: string): Promise<TicketRow['priority'] | null> {
    const k = this.ticketOf(s);
    if (k?.fresh && k.ticket.id === ticketId) return k.ticket.priority;
    return (await findTicketById(this.db, ticketId).catch(() => undefined))?.priority ?? null;
  }

  private async take(s: CallSession, t: TicketRow, keyed: string): Promise<void> {
    s.ticketId = t.id;
    this.known.set(s, { ticket: t, fresh: false });
    this.claims.delete(s);
    await this.writeRow(s.callId, { keyed_ticket_number: keyed, ticket_id: t.id });
  }

  /** Verified as one account, keying another's ticket: noted on the ticket and on the call, flagged. */
  private async flagConflict(s: CallSession, t: TicketRow, keyed: string): Promise<void> {
    const data = { flagged: true, callId: s.callId, keyed, ticketId: t.id, ticketAccountId: t.account_id, verifiedAccountId: s.verifiedAccountId };
    await insertTicketEvent(this.db, t.id, 'account-conflict', 'caller', data);
    // The call's own record of it; its row may still be on its way to Postgres (written behind).
    await insertCallEvent(this.db, s.callId, s.status, { event: 'ticket-account-conflict', ...data }).catch((err: Error) =>
      this.log.warn({ callId: s.callId, err: err.message }, 'conflict not noted on the call'),
    );
    this.log.warn({ callId: s.callId, ticketId: t.id, keyed }, 'caller verified as another account keyed this ticket: flagged');
  }
}

function stickyTicket(t: TicketRow): { id: string; number: string; assigneeId: string | null } {
  return { id: t.id, number: t.number, assigneeId: t.assignee_id };
}

function isOpen(t: TicketRow): boolean {
  return t.status === 'new' || t.status === 'open' || t.status === 'pending_customer';
}
