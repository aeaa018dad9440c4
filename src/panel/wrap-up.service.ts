// Wrap-up: after a call the operator says how it ended (a disposition) and/or leaves a note on
// the ticket. Where the rule asks for it (WRAPUP_REQUIRES_NOTE), the operator is not offered the
// next call before this; the note lands on the call's ticket like any other note.
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import { ForbiddenError, NotFoundError, WrapUpEmptyError } from '../errors.js';
import { findCallById, updateCall } from '../calls/call.repository.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { TicketService } from '../tickets/ticket.service.js';

export const DISPOSITIONS = ['resolved', 'follow_up', 'escalated', 'wrong_number', 'other'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export class WrapUpService {
  constructor(private readonly db: Db, private readonly operators: OperatorService, private readonly tickets: TicketService) {}

  async wrapUp(by: Principal, callId: string, input: { disposition?: Disposition; note?: string }): Promise<OperatorRow> {
    const note = input.note?.trim();
    if (!input.disposition && !note) throw new WrapUpEmptyError();
    if (!by.operatorId) throw new ForbiddenError(by.role, ['an operator']);
    const [call, op] = await Promise.all([findCallById(this.db, callId), this.operators.get(by.operatorId)]);
    if (!call) throw new NotFoundError('call', callId);
    // The operator who had the call last, or one who handed it over and still owes its wrap-up.
    if (call.operator_id !== op.id && op.wrapup_call_id !== callId) throw new ForbiddenError(by.role, ['the operator of the call']);
    await updateCall(this.db, callId, { disposition: input.disposition ?? call.disposition ?? 'other', wrapped_up_at: new Date() });
    // Entitled by the call (checked above), not by the ticket's line: a first-line operator who
    // handed the call to the second line still writes the wrap-up note of their part.
    if (note && call.ticket_id) await this.tickets.addNote({ ...(await this.tickets.actorOf(by)), role: 'system' }, call.ticket_id, note);
    return this.operators.wrappedUp(op.id, callId);
  }
}
