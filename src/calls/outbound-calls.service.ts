// Click-to-call, the request's side: who asks, for which operator's phone, on which ticket, to
// which number. The operator's own phone rings (operators call from their own phone; supervisors
// and admins name the operator, or ring their own). The ticket must be one the asker sees, and
// one the named operator's served lines see (their panel pops it). The number (the ticket's phone unless given) must pass the
// callback number rules. Then the call core's flow (outbound-calls.ts) takes over.
import type { Principal } from '../auth/token.service.js';
import type { Db } from '../db/database.js';
import { CallbackNumberRefusedError, ClickToCallOperatorRequiredError, ForbiddenError, InvalidValueError, NotFoundError, TicketForbiddenError } from '../errors.js';
import type { OperatorService } from '../operators/operator.service.js';
import { findTicketById } from '../tickets/ticket.repository.js';
import { canSeeTicket, lineSeesTicket } from '../tickets/ticket-rules.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { CallRow } from './call.table.js';
import type { OutboundCalls } from './outbound-calls.js';

export interface ClickToCall {
  ticketId?: string;
  /** Defaults to the ticket's phone (its caller's number). */
  number?: string;
  /** Whose phone rings; an operator's own by default (and only theirs). */
  operatorId?: string;
}

/** The callback number rules' verdict (src/callbacks/callback-number.ts checkNumber). */
export type NumberCheck = (raw: string) => { ok: true; e164: string } | { ok: false; reason: string };

export class OutboundCallService {
  constructor(
    private readonly d: {
      db: Db;
      tickets: Pick<TicketService, 'actorOf'>;
      operators: Pick<OperatorService, 'get'>;
      flow: OutboundCalls;
      check: NumberCheck;
    },
  ) {}

  async call(p: Principal, req: ClickToCall): Promise<CallRow> {
    const actor = await this.d.tickets.actorOf(p);
    // The ticket first: an operator of another line learns nothing else about it (403 before any 4xx of the body).
    const ticket = req.ticketId ? await findTicketById(this.d.db, req.ticketId) : undefined;
    if (req.ticketId && !ticket) throw new NotFoundError('ticket', req.ticketId);
    if (ticket && !canSeeTicket(actor, ticket)) throw new TicketForbiddenError(ticket.id, actor.line);
    const operatorId = req.operatorId ?? actor.operatorId;
    if (!operatorId) throw new ClickToCallOperatorRequiredError();
    if (actor.role === 'operator' && operatorId !== actor.operatorId) throw new ForbiddenError(actor.role, ['admin', 'supervisor', 'the operator whose phone rings']);
    const op = await this.d.operators.get(operatorId);
    // A colleague named by a supervisor or admin gets the ticket's pop: a line they serve must see it (the asker's own phone: the check above).
    if (ticket && op.id !== actor.operatorId && !lineSeesTicket(op.lines, ticket)) throw new TicketForbiddenError(ticket.id, op.line);
    const raw = req.number ?? ticket?.caller_number ?? null;
    if (!raw) throw new InvalidValueError(ticket ? `ticket ${ticket.id} has no phone number: give number` : 'give ticketId or number');
    const v = this.d.check(raw);
    if (!v.ok) throw new CallbackNumberRefusedError(v.reason);
    return this.d.flow.start({ operator: op, number: v.e164, ticketId: ticket?.id ?? null, by: actor.label });
  }
}
