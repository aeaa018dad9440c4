// Priority in a line's queue as a head start: a caller with priority ranks as if they had
// called that many seconds earlier. They go ahead of those who called within the head start,
// never of everyone, so nobody waits forever behind a stream of priority callers. The rule is
// configurable per kind (QUEUE_*_AHEAD_SEC); kinds do not add up, the largest head start wins.
import type { TicketPriority } from '../tickets/ticket.table.js';

export interface PriorityRule {
  /** The caller proved who they are with a one-time code. */
  verifiedAheadSec: number;
  /** The call is on a ticket of priority high. */
  highAheadSec: number;
  /** The call is on a ticket of priority critical. */
  criticalAheadSec: number;
}

export function headStartSec(c: { verified: boolean; ticketPriority: TicketPriority | null }, rule: PriorityRule): number {
  const byTicket = c.ticketPriority === 'critical' ? rule.criticalAheadSec : c.ticketPriority === 'high' ? rule.highAheadSec : 0;
  return Math.max(c.verified ? rule.verifiedAheadSec : 0, byTicket);
}
