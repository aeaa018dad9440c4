// Which calls a viewer may read: the ticket visibility rules (tickets/ticket-rules.ts) applied
// to calls, which show the caller's number, verification and IVR path. Admins and supervisors
// read every call; an operator reads the calls they took, the calls of tickets the lines they
// serve see, and calls without a ticket routed to one of those lines.
import type { Principal } from '../auth/token.service.js';
import type { Db } from '../db/database.js';
import { findOperatorById } from '../operators/operator.repository.js';
import type { Line } from '../vocabulary.js';
import { findTicketLines } from '../tickets/ticket.repository.js';
import { canSeeTicket, type TicketLineView } from '../tickets/ticket-rules.js';
import type { CallRow } from './call.table.js';

export interface CallViewer {
  role: Principal['role'];
  /** The operator's home line. */
  line: Line | null;
  /** Every line the operator serves (absent: the home line only). */
  lines?: readonly Line[];
  operatorId: string | null;
}

type CallRef = Pick<CallRow, 'ticket_id' | 'line' | 'operator_id'>;

/** Pure: may `v` read `call`, given its ticket's line (undefined: no ticket, or gone)? */
export function callVisibleTo(v: CallViewer, call: CallRef, ticket: TicketLineView | undefined): boolean {
  // Staff read every call, a panel token none: what they may do with any ticket.
  if (v.role !== 'operator') return canSeeTicket(v, { line: null, escalated: false });
  if (call.operator_id !== null && call.operator_id === v.operatorId) return true;
  if (ticket) return canSeeTicket(v, ticket);
  return call.line !== null && (v.lines ?? [v.line]).includes(call.line);
}

export async function callViewerOf(db: Db, p: Principal): Promise<CallViewer> {
  // Only an operator's line matters: staff read every call without a lookup.
  const op = p.role === 'operator' && p.operatorId ? await findOperatorById(db, p.operatorId) : undefined;
  return { role: p.role, line: op?.line ?? null, ...(op ? { lines: op.lines } : {}), operatorId: op?.id ?? null };
}

/** The calls among `rows` the viewer may read, in their order. */
export async function visibleCalls<T extends CallRef>(db: Db, v: CallViewer, rows: readonly T[]): Promise<T[]> {
  if (v.role !== 'operator') return rows.filter((c) => callVisibleTo(v, c, undefined));
  const ids = [...new Set(rows.map((c) => c.ticket_id).filter((id): id is string => id !== null))];
  const tickets = new Map((await findTicketLines(db, ids)).map((t) => [t.id, t]));
  return rows.filter((c) => callVisibleTo(v, c, c.ticket_id ? tickets.get(c.ticket_id) : undefined));
}
