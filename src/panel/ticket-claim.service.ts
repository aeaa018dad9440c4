// What a caller claims, settled by staff on the call. "Keyed 100032 — not confirmed": a caller
// keyed an open ticket's number in the IVR but did not prove they belong to it
// (calls/call-tickets.ts); the operator on the call checks them and confirms with one click.
// "I am account X": the operator names the account, and the caller's code is then checked
// against that account only. The operator on the call, supervisors and admins may; nobody else
// (confirming hands the ticket's history to whoever is on the call).
import type { Principal } from '../auth/token.service.js';
import type { CallSession } from '../calls/call-session.js';
import type { CallTickets } from '../calls/call-tickets.js';
import { findCallById } from '../calls/call.repository.js';
import type { Db } from '../db/database.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
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
  ) {}

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
    const call = await findCallById(this.db, callId);
    if (!call) throw new NotFoundError('call', callId);
    if (by.role === 'operator' && (!by.operatorId || call.operator_id !== by.operatorId)) {
      throw new ForbiddenError(by.role, ['the operator on the call', 'supervisor', 'admin']);
    }
    if (by.role !== 'operator' && by.role !== 'supervisor' && by.role !== 'admin') throw new ForbiddenError(by.role, ['operator', 'supervisor', 'admin']);
    return call;
  }
}
