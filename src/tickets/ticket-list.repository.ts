// The operator's ticket lists (views): filtered, counted and paged in SQL, so a page is a full
// page and the total is the line's, not the page's. Search has its own query (ticket.repository).
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import { SLA_NEARING_SHARE } from './ticket-rules.js';
import { seenByLines } from './ticket.repository.js';
import { ACTIVE_STATUSES, type TicketView } from './ticket-list-rules.js';
import type { TicketPriority, TicketRow } from './ticket.table.js';

export interface TicketViewQuery {
  view: TicketView;
  /** "mine": whose tickets; none (an API token of no operator) has none. */
  operatorId: string | null;
  /** Only what these lines see (their tickets and those escalated to them, ticket-rules.ts lineSeesTicket); null: every line. */
  lines: readonly Line[] | null;
  priority?: TicketPriority;
  category?: string;
  now: Date;
  limit: number;
  offset: number;
}

/** A target not met yet whose 80% mark has passed (the SLA timers' "nearing"; breached included). */
const nearing = (now: Date, due: 'sla_first_due' | 'sla_resolve_due', met: 'first_response_at' | 'resolved_at'): Expression<SqlBool> =>
  sql<SqlBool>`(${sql.ref(`t.${met}`)} is null and ${sql.ref(`t.${due}`)} is not null and ${now}::timestamptz >= t.created_at + (${sql.ref(`t.${due}`)} - t.created_at) * ${SLA_NEARING_SHARE}::float8)`;

/** The first pending due: what an SLA list sorts by (most urgent, or most overdue, first). */
const pendingDue = sql<Date>`least(case when t.first_response_at is null then t.sla_first_due end, case when t.resolved_at is null then t.sla_resolve_due end)`;

export async function listTicketView(db: Db, f: TicketViewQuery): Promise<{ rows: TicketRow[]; total: number }> {
  let q = db.selectFrom('tickets as t').where('t.status', 'in', [...ACTIVE_STATUSES]);
  if (f.lines) q = q.where(seenByLines('t', f.lines));
  if (f.priority) q = q.where('t.priority', '=', f.priority);
  if (f.category) q = q.where('t.category', '=', f.category);
  switch (f.view) {
    case 'mine':
      q = f.operatorId ? q.where('t.assignee_id', '=', f.operatorId) : q.where(sql<SqlBool>`false`);
      break;
    case 'unassigned':
      q = q.where('t.assignee_id', 'is', null);
      break;
    case 'waiting':
      q = q.where('t.status', '=', 'pending_customer');
      break;
    case 'sla':
      q = q.where((eb) => eb.or([nearing(f.now, 'sla_first_due', 'first_response_at'), nearing(f.now, 'sla_resolve_due', 'resolved_at')]));
      break;
  }
  let page = q.selectAll('t');
  // Mine: what moved last on top; unassigned: the oldest first (a queue); waiting: the longest waiting first.
  if (f.view === 'sla') page = page.orderBy(pendingDue, 'asc');
  else if (f.view === 'mine') page = page.orderBy('t.updated_at', 'desc');
  else if (f.view === 'unassigned') page = page.orderBy('t.created_at', 'asc');
  else page = page.orderBy('t.updated_at', 'asc');
  const [rows, count] = await Promise.all([
    page.orderBy('t.id', f.view === 'mine' ? 'desc' : 'asc').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
