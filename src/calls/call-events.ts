// The call's life as outbound events: started (entered the service), answered (bridged to an
// operator), transferred, ended. The payload names the operator (login and name), which is
// what helpdesks match their users by (Zammad's answeringNumber).
import type { Db } from '../db/database.js';
import { findOperatorById } from '../operators/operator.repository.js';
import { findTicketById } from '../tickets/ticket.repository.js';
import type { EventPublisher } from '../outbound/outbound.service.js';
import type { CallDirection, CallRow } from './call.table.js';

type CallEventType = 'call.started' | 'call.answered' | 'call.ended' | 'call.transferred';

/** The data of every call.* event: what webhook receivers and helpdesk connectors read. */
export interface CallEventPayload {
  callId: string;
  ticketId: string | null;
  ticket: { number: string; subject: string } | null;
  /** What the caller keyed as a ticket number (a pbxdesk one, or a helpdesk's). */
  keyedTicketNumber: string | null;
  /** For outbound (click-to-call) the caller number is the customer called. */
  direction: CallDirection;
  callerNumber: string | null;
  dialledNumber: string | null;
  language: string;
  line: string | null;
  status: string;
  operator: { id: string; login: string; name: string } | null;
  enteredAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  hangupCause: string | null;
  hangupBy: string | null;
  recordingId: string | null;
  callbackId: string | null;
  verification: { status: string; accountId: string | null };
}

export class CallEvents {
  constructor(private readonly db: Db, private readonly out: EventPublisher) {}

  /** Events are stored one after another, so a call's events keep their order for subscribers. */
  private tail: Promise<void> = Promise.resolve();

  emit(type: CallEventType, call: CallRow, extra: Record<string, unknown> = {}): void {
    this.tail = this.tail.then(async () => {
      const p = await this.payload(call).catch(() => ({ callId: call.id }));
      await this.out.publish(type, { ...p, ...extra } as Record<string, unknown>);
    });
  }

  private async payload(c: CallRow): Promise<CallEventPayload> {
    const op = c.operator_id ? await findOperatorById(this.db, c.operator_id) : undefined;
    const ticket = c.ticket_id ? await findTicketById(this.db, c.ticket_id) : undefined;
    return {
      callId: c.id,
      ticketId: c.ticket_id,
      ticket: ticket ? { number: ticket.number, subject: ticket.subject } : null,
      keyedTicketNumber: c.keyed_ticket_number,
      direction: c.direction ?? 'inbound',
      callerNumber: c.caller_number,
      dialledNumber: c.dialled_number,
      language: c.language,
      line: c.line,
      status: c.status,
      operator: op ? { id: op.id, login: op.login, name: op.name } : null,
      enteredAt: c.entered_at.toISOString(),
      answeredAt: c.answered_at?.toISOString() ?? null,
      endedAt: c.ended_at?.toISOString() ?? null,
      hangupCause: c.hangup_cause,
      hangupBy: c.hangup_by,
      recordingId: c.recording_id,
      callbackId: c.callback_id,
      verification: { status: c.verification_status, accountId: c.verified_account_id },
    };
  }
}
