// Which ticket a call belongs to: the open one whose number the caller keyed in the IVR, or a
// new one made when the call is queued or ends. Every call ends up on exactly one ticket.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { Line } from '../operators/operator.table.js';
import { findOpenTicketByNumber } from '../tickets/ticket.repository.js';
import type { TicketService } from '../tickets/ticket.service.js';
import { bindTicket } from '../verification/verification.repository.js';
import { updateCall } from './call.repository.js';
import type { CallSession } from './call-session.js';

export class CallTickets {
  constructor(private readonly db: Kysely<Database>, private readonly tickets: TicketService, private readonly log: Logger) {}

  async ensure(s: CallSession): Promise<string> {
    if (s.ticketId) return s.ticketId;
    const ticket = await this.tickets.openForCall(this.db, s.callerNumber);
    s.ticketId = ticket.id;
    await updateCall(this.db, s.callId, { ticket_id: ticket.id });
    // Verified before the ticket existed (a code keyed early in the IVR): the ticket gets the account.
    if (s.verifiedAccountId) await bindTicket(this.db, ticket.id, s.verifiedAccountId, s.callId);
    return ticket.id;
  }

  /** The keyed number is stored whether or not it matched. */
  async attach(s: CallSession, keyed: string): Promise<{ found: boolean; line: Line | null }> {
    const ticket = await findOpenTicketByNumber(this.db, keyed);
    if (ticket) s.ticketId = ticket.id;
    if (ticket && s.verifiedAccountId) await bindTicket(this.db, ticket.id, s.verifiedAccountId, s.callId);
    await updateCall(this.db, s.callId, { keyed_ticket_number: keyed, ...(ticket ? { ticket_id: ticket.id } : {}) });
    this.log.info({ callId: s.callId, keyed, ticketId: ticket?.id }, ticket ? 'call attached to an existing ticket' : 'unknown ticket number keyed');
    return { found: ticket !== undefined, line: ticket?.line ?? null };
  }
}
