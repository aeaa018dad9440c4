// A ticket as the operator's lists show it: the summary, and the next SLA target with the time left.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';
import { summaryFields, toTicketSummary } from './ticket.dto.js';
import { slaClock } from './ticket-list-rules.js';
import type { TicketRow } from './ticket.table.js';

export const TicketListItem = Type.Object({
  ...summaryFields,
  /** The first SLA target not met yet, when it is due and how long is left (negative: breached); null when none is pending. */
  slaClock: Nullable(
    Type.Object({
      target: Type.Union([Type.Literal('first_response'), Type.Literal('resolution')]),
      due: Type.String(),
      leftSec: Type.Integer(),
      state: Type.Union([Type.Literal('ok'), Type.Literal('nearing'), Type.Literal('breached')]),
    }),
  ),
});
export type TicketListItemDto = Static<typeof TicketListItem>;

export function toTicketListItem(t: TicketRow, now: Date): TicketListItemDto {
  const c = slaClock(t, now);
  return { ...toTicketSummary(t), slaClock: c ? { target: c.target, due: c.due.toISOString(), leftSec: c.leftSec, state: c.state } : null };
}
