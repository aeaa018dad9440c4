// "Keyed 100032 — not confirmed": a caller keyed an open ticket's number in the IVR but did not
// prove they belong to it (calls/call-tickets.ts). The operator on the call checks them and
// confirms with one click; supervisors and admins may too. Nobody else: the click hands the
// ticket's history to whoever is on the call.
import type { Principal } from '../auth/token.service.js';
import type { CallSession } from '../calls/call-session.js';
import type { CallTickets } from '../calls/call-tickets.js';
import { findCallById } from '../calls/call.repository.js';
import type { Db } from '../db/database.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { TicketRow } from '../tickets/ticket.table.js';

export class TicketClaimService {
  constructor(
    private readonly db: Db,
    private readonly callTickets: CallTickets,
    private readonly tickets: TicketService,
    /** The call's live session, while it lasts (the call core then sees the ticket too). */
    private readonly live: (callId: string) => CallSession | undefined,
  ) {}

  async confirm(by: Principal, callId: string): Promise<TicketRow> {
    const call = await findCallById(this.db, callId);
    if (!call) throw new NotFoundError('call', callId);
    if (by.role === 'operator' && (!by.operatorId || call.operator_id !== by.operatorId)) {
      throw new ForbiddenError(by.role, ['the operator on the call', 'supervisor', 'admin']);
    }
    if (by.role !== 'operator' && by.role !== 'supervisor' && by.role !== 'admin') throw new ForbiddenError(by.role, ['operator', 'supervisor', 'admin']);
    return this.callTickets.confirmClaim(callId, await this.tickets.actorOf(by), this.live(callId));
  }
}
