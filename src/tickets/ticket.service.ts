import type { Db } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import { listCallsOfTicket } from '../calls/call.repository.js';
import type { CallRow } from '../calls/call.table.js';
import { findTicketById, insertTicket, listTicketNotes } from './ticket.repository.js';
import type { TicketNoteRow, TicketRow } from './ticket.table.js';

export class TicketService {
  constructor(private readonly db: Db) {}

  /** A new ticket for a call that did not name an existing one. */
  async openForCall(db: Db, callerNumber: string | null): Promise<TicketRow> {
    return insertTicket(db, {
      subject: callerNumber ? `Call from ${callerNumber}` : 'Call from an unknown number',
      caller_number: callerNumber,
    });
  }

  async getWithCalls(id: string): Promise<{ ticket: TicketRow; calls: CallRow[]; notes: TicketNoteRow[] }> {
    const ticket = await findTicketById(this.db, id);
    if (!ticket) throw new NotFoundError('ticket', id);
    return { ticket, calls: await listCallsOfTicket(this.db, id), notes: await listTicketNotes(this.db, id) };
  }
}
