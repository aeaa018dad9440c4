// A ticket as the API and outbound events show it (without calls, notes and timeline).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';
import type { TicketRow } from './ticket.table.js';

export const summaryFields = {
  id: Type.String(),
  number: Type.String(),
  subject: Type.String(),
  description: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  category: Nullable(Type.String()),
  line: Nullable(Type.String()),
  /** Ever moved up the escalation order (first → second, ...). */
  escalated: Type.Boolean(),
  /** The lines it was escalated to: their operators see it wherever it goes next. */
  escalatedLines: Type.Array(Type.String()),
  assigneeId: Nullable(Type.String()),
  callerNumber: Nullable(Type.String()),
  /** The account a verified caller proved they own (one-time code), or null. */
  accountId: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  verifiedAt: Nullable(Type.String()),
  /** The latest satisfaction score (1-5) a call on this ticket was given. */
  surveyScore: Nullable(Type.Integer()),
  sla: Type.Object({
    state: Type.String(),
    firstResponseDue: Nullable(Type.String()),
    firstResponseAt: Nullable(Type.String()),
    resolutionDue: Nullable(Type.String()),
    resolvedAt: Nullable(Type.String()),
  }),
  mergedInto: Nullable(Type.String()),
  splitFrom: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
export const TicketSummary = Type.Object(summaryFields);


const iso = (d: Date | null) => (d ? d.toISOString() : null);
export function toTicketSummary(t: TicketRow): Static<typeof TicketSummary> {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    category: t.category,
    line: t.line,
    escalated: t.escalated,
    escalatedLines: t.escalated_lines,
    assigneeId: t.assignee_id,
    callerNumber: t.caller_number,
    accountId: t.account_id,
    customerName: t.customer_name,
    verifiedAt: iso(t.verified_at),
    surveyScore: t.survey_score,
    sla: { state: t.sla_state, firstResponseDue: iso(t.sla_first_due), firstResponseAt: iso(t.first_response_at), resolutionDue: iso(t.sla_resolve_due), resolvedAt: iso(t.resolved_at) },
    mergedInto: t.merged_into,
    splitFrom: t.split_from,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}

