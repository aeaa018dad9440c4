// A missed-calls entry as the API answers it and the panels receive it (the same shape both ways).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Line, Nullable } from '../http/schemas.js';
import type { MissedCallRow } from './missed-call.repository.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const MissedCallDto = Type.Object({
  id: Type.String(),
  line: Line,
  /** E.164 ("+79121234567") when the caller ID is a valid number, else its digits. */
  number: Type.String(),
  reason: Type.Union([Type.Literal('abandoned'), Type.Literal('voicemail')]),
  calls: Type.Integer(),
  firstAt: Type.String(),
  lastAt: Type.String(),
  longestWaitSec: Type.Integer(),
  lastCallId: Type.String(),
  ticketId: Nullable(Type.String()),
  status: Type.Union([Type.Literal('open'), Type.Literal('booked'), Type.Literal('cleared')]),
  callbackId: Nullable(Type.String()),
  callbackOutcome: Nullable(Type.String()),
  bookedBy: Nullable(Type.String()),
  clearedAt: Nullable(Type.String()),
  clearedReason: Nullable(Type.Union([Type.Literal('answered'), Type.Literal('called-back')])),
  /** Why the number may not be called back (the callback number rules), or null. */
  refusal: Nullable(Type.String()),
  updatedAt: Type.String(),
});
export type MissedCallDto = Static<typeof MissedCallDto>;

export function toMissedCallDto(r: MissedCallRow, refusal: (number: string) => string | undefined): MissedCallDto {
  return {
    id: r.id,
    line: r.line,
    number: r.number,
    reason: r.reason,
    calls: r.calls,
    firstAt: r.first_at.toISOString(),
    lastAt: r.last_at.toISOString(),
    longestWaitSec: r.longest_wait_sec,
    lastCallId: r.last_call_id,
    ticketId: r.ticket_id,
    status: r.status,
    callbackId: r.callback_id,
    callbackOutcome: r.callback_outcome,
    bookedBy: r.booked_by,
    clearedAt: iso(r.cleared_at),
    clearedReason: r.cleared_reason,
    refusal: refusal(r.number) ?? null,
    updatedAt: r.updated_at.toISOString(),
  };
}
