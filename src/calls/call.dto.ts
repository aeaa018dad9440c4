import { Type, type Static } from '@fastify/type-provider-typebox';
import type { CallRow } from './call.table.js';
import { Nullable } from '../http/schemas.js';


export const CallDto = Type.Object({
  id: Type.String(),
  ticketId: Nullable(Type.String()),
  callerNumber: Nullable(Type.String()),
  dialledNumber: Nullable(Type.String()),
  language: Type.String(),
  line: Nullable(Type.String()),
  ivrPath: Type.Array(Type.String()),
  operatorId: Nullable(Type.String()),
  pbxNode: Type.String({ description: 'the Asterisk node the call is on' }),
  status: Type.String(),
  enteredAt: Type.String(),
  queuedAt: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  hangupCause: Nullable(Type.String()),
  hangupCauseCode: Nullable(Type.Integer()),
  hangupBy: Nullable(Type.String()),
  recordingId: Nullable(Type.String()),
  keyedTicketNumber: Nullable(Type.String()),
  verification: Type.Object({
    status: Type.Union([Type.Literal('none'), Type.Literal('verified'), Type.Literal('failed')]),
    accountId: Nullable(Type.String()),
    method: Nullable(Type.String()),
    at: Nullable(Type.String()),
    /** Verified, but from another number than the control panel was told. */
    flagged: Type.Boolean(),
  }),
  callbackId: Nullable(Type.String()),
  surveyScore: Nullable(Type.Integer()),
  onHold: Type.Boolean(),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], { description: 'outbound: an operator called the customer (click-to-call)' }),
});
export type CallDto = Static<typeof CallDto>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toCallDto(c: CallRow): CallDto {
  return {
    id: c.id,
    ticketId: c.ticket_id,
    callerNumber: c.caller_number,
    dialledNumber: c.dialled_number,
    language: c.language,
    line: c.line,
    ivrPath: c.ivr_path,
    operatorId: c.operator_id,
    pbxNode: c.pbx_node,
    status: c.status,
    enteredAt: c.entered_at.toISOString(),
    queuedAt: iso(c.queued_at),
    answeredAt: iso(c.answered_at),
    endedAt: iso(c.ended_at),
    hangupCause: c.hangup_cause,
    hangupCauseCode: c.hangup_cause_code,
    hangupBy: c.hangup_by,
    recordingId: c.recording_id,
    keyedTicketNumber: c.keyed_ticket_number,
    verification: {
      status: c.verification_status,
      accountId: c.verified_account_id,
      method: c.verification_method,
      at: iso(c.verified_at),
      flagged: c.verification_flagged,
    },
    callbackId: c.callback_id,
    surveyScore: c.survey_score,
    onHold: c.on_hold,
    direction: c.direction ?? 'inbound',
  };
}
