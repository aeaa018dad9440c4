import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { CallEventRow, CallRow, CallUpdate, NewCallRow } from './call.table.js';
import { CALL_STATUSES, assertTransition, isFinal, type CallStatus } from './call-state-machine.js';

export async function insertCall(db: Db, c: NewCallRow): Promise<CallRow> {
  const row = await db.insertInto('calls').values(c).returningAll().executeTakeFirstOrThrow();
  await db
    .insertInto('call_events')
    .values({ call_id: row.id, from_status: null, to_status: row.status })
    .execute();
  return row;
}

export async function findCallById(db: Db, id: string): Promise<CallRow | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateCall(db: Db, id: string, patch: CallUpdate): Promise<CallRow | undefined> {
  return db.updateTable('calls').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * Moves a call from `from` to `to` and records the transition. The WHERE on the old status
 * makes a lost race visible (undefined) instead of silently overwriting a newer state.
 */
export async function transitionCall(
  db: Db,
  id: string,
  from: CallStatus,
  to: CallStatus,
  patch: CallUpdate = {},
  detail: Record<string, unknown> = {},
): Promise<CallRow | undefined> {
  assertTransition(from, to);
  // One statement, so one round trip and atomic: the row moves and its event is written
  // together (a data-modifying CTE), or neither happens when the call was not in `from`.
  return db
    .with('moved', (q) => q.updateTable('calls').set({ ...patch, status: to }).where('id', '=', id).where('status', '=', from).returningAll())
    .with('event', (q) =>
      q
        .insertInto('call_events')
        .columns(['call_id', 'from_status', 'to_status', 'detail'])
        .expression((eb) =>
          eb.selectFrom('moved').select([
            'moved.id',
            sql<CallStatus>`${from}::text`.as('from_status'),
            sql<CallStatus>`${to}::text`.as('to_status'),
            sql<string>`${JSON.stringify(detail)}::jsonb`.as('detail'),
          ]),
        ),
    )
    .selectFrom('moved')
    .selectAll()
    .executeTakeFirst() as Promise<CallRow | undefined>;
}

/** An event that changes who is on the call but not its status (a warm transfer completed). */
export async function insertCallEvent(db: Db, callId: string, status: CallStatus, detail: Record<string, unknown>): Promise<void> {
  await db.insertInto('call_events').values({ call_id: callId, from_status: status, to_status: status, detail: JSON.stringify(detail) }).execute();
}

export async function listCallEvents(db: Db, callId: string): Promise<CallEventRow[]> {
  return db.selectFrom('call_events').selectAll().where('call_id', '=', callId).orderBy('id').execute();
}

/**
 * One node's calls not over: no end time and not in a final status (a row in one without an end
 * time is not live either). Another node's calls are its own instance's to reclaim.
 */
export async function listActiveCalls(db: Db, node: string): Promise<CallRow[]> {
  const live = CALL_STATUSES.filter((s) => !isFinal(s));
  return db.selectFrom('calls').selectAll().where('pbx_node', '=', node).where('ended_at', 'is', null).where('status', 'in', live).orderBy('entered_at').execute();
}

export interface CallFilter {
  from?: Date;
  to?: Date;
  caller?: string;
  line?: Line;
  operatorId?: string;
  ticketId?: string;
  /**
   * An operator: only the calls they may read (call-visibility.ts: their own, those of tickets
   * the lines they serve see, ticketless ones on those lines), filtered here so a page is a full
   * page. The served lines are the operator's row's (`lines` given: those; neither: `line`).
   */
  visibleTo?: { operatorId: string | null; line: Line | null; lines?: readonly Line[] };
  limit: number;
  offset: number;
}

export async function listCalls(db: Db, f: CallFilter): Promise<CallRow[]> {
  let q = db.selectFrom('calls').leftJoin('tickets', 'tickets.id', 'calls.ticket_id').selectAll('calls');
  if (f.from) q = q.where('calls.entered_at', '>=', f.from);
  if (f.to) q = q.where('calls.entered_at', '<', f.to);
  if (f.caller) q = q.where('calls.caller_number', '=', f.caller);
  if (f.line) q = q.where('calls.line', '=', f.line);
  if (f.operatorId) q = q.where('calls.operator_id', '=', f.operatorId);
  if (f.ticketId) q = q.where('calls.ticket_id', '=', f.ticketId);
  const v = f.visibleTo;
  if (v) {
    const served = v.lines
      ? sql`${sql.val([...v.lines])}::text[]`
      : v.operatorId
        ? // An array expression, not `= ANY (subquery)` (which would compare text with text[]).
          sql`coalesce((SELECT o.lines FROM operators o WHERE o.id = ${v.operatorId}), '{}')::text[]`
        : sql`${sql.val(v.line ? [v.line] : [])}::text[]`;
    q = q.where((eb) =>
      eb.or([
        ...(v.operatorId ? [eb('calls.operator_id', '=', v.operatorId)] : []),
        // The ticket rule (ticket-rules.ts lineSeesTicket): a served line's tickets, and the
        // tickets escalated to a served line.
        sql<SqlBool>`(tickets.line = ANY (${served}) OR tickets.escalated_lines && ${served})`,
        sql<SqlBool>`(tickets.id IS NULL AND calls.line = ANY (${served}))`,
      ]),
    );
  }
  return q.orderBy('calls.entered_at', 'desc').orderBy('calls.id').limit(f.limit).offset(f.offset).execute();
}

export async function listCallsOfTicket(db: Db, ticketId: string): Promise<CallRow[]> {
  return db.selectFrom('calls').selectAll().where('ticket_id', '=', ticketId).orderBy('entered_at').execute();
}
