// The operator's ticket lists between calls: which views there are, and the SLA "time left" a
// list shows. Pure (no I/O): the repository filters the same way in SQL, unit tests run these
// with any clock.
import { slaState } from './ticket-rules.js';
import type { TicketRow, TicketStatus } from './ticket.table.js';

/**
 * mine: assigned to me; unassigned: my line's, nobody's yet; sla: nearing or past an SLA target;
 * waiting: waiting for the customer. Search is GET /api/tickets (full text, number, phone, account).
 */
export const TICKET_VIEWS = ['mine', 'unassigned', 'sla', 'waiting'] as const;
export type TicketView = (typeof TICKET_VIEWS)[number];

/** Tickets still being worked: a list of work leaves resolved and closed ones out. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending_customer'];

export interface SlaClock {
  /** The target that falls due first among those not met yet. */
  target: 'first_response' | 'resolution';
  due: Date;
  /** Seconds until it is due; negative once breached. */
  leftSec: number;
  /** As the SLA timers judge it at `now`: ok, nearing (80% of the time gone) or breached. */
  state: 'ok' | 'nearing' | 'breached';
}

type SlaFields = Pick<TicketRow, 'created_at' | 'sla_first_due' | 'sla_resolve_due' | 'first_response_at' | 'resolved_at' | 'status'>;

/** The next SLA target of a ticket and the time left to it; null when none is pending (resolved, met). */
export function slaClock(t: SlaFields, now: Date): SlaClock | null {
  if (t.status === 'resolved' || t.status === 'closed') return null;
  const pending: [SlaClock['target'], Date][] = [];
  if (t.sla_first_due && !t.first_response_at) pending.push(['first_response', t.sla_first_due]);
  if (t.sla_resolve_due && !t.resolved_at) pending.push(['resolution', t.sla_resolve_due]);
  const next = pending.sort((a, b) => a[1].getTime() - b[1].getTime())[0];
  if (!next) return null;
  const s = slaState({ createdAt: t.created_at, firstDue: t.sla_first_due, resolveDue: t.sla_resolve_due, firstResponseAt: t.first_response_at, resolvedAt: t.resolved_at, status: t.status }, now);
  return { target: next[0], due: next[1], leftSec: Math.round((next[1].getTime() - now.getTime()) / 1000), state: s.state };
}
