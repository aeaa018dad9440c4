import type { Line } from '../vocabulary.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { NewRecordingRow, RecordingRow, RecordingUpdate } from './recording.table.js';

export async function insertRecording(db: Db, r: NewRecordingRow): Promise<RecordingRow> {
  return db.insertInto('recordings').values(r).returningAll().executeTakeFirstOrThrow();
}

export async function findRecordingById(db: Db, id: string): Promise<RecordingRow | undefined> {
  return db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRecordingByName(db: Db, name: string): Promise<RecordingRow | undefined> {
  return db.selectFrom('recordings').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function updateRecording(db: Db, id: string, patch: RecordingUpdate): Promise<RecordingRow | undefined> {
  return db.updateTable('recordings').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Marks a recording archived unless something already did; undefined when it lost that race. */
/** The row, locked until the transaction ends: one archive attempt at a time gets past it. */
export async function lockRecordingRow(db: Db, id: string): Promise<RecordingRow | undefined> {
  return db.selectFrom('recordings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function finishRecordingOnce(db: Db, id: string, patch: RecordingUpdate): Promise<RecordingRow | undefined> {
  return db
    .updateTable('recordings')
    .set(patch)
    .where('id', '=', id)
    .where('status', 'in', ['recording', 'spooled', 'failed'])
    .returningAll()
    .executeTakeFirst();
}

export async function listLiveLegRecordings(db: Db, callId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('recordings')
    .select(['id', 'name'])
    .where('call_id', '=', callId)
    .where('kind', 'in', ['caller-leg', 'operator-leg'])
    .where('status', '=', 'recording')
    .execute();
}

/** Recordings that were still running when their process went away. */
export async function listUnfinishedRecordings(db: Db, node: string): Promise<RecordingRow[]> {
  return db.selectFrom('recordings').selectAll().where('pbx_node', '=', node).where('status', 'in', ['recording', 'spooled']).execute();
}

export interface RecordingSearch {
  from?: Date;
  to?: Date;
  operatorId?: string;
  caller?: string;
  ticketId?: string;
  line?: Line;
  minDurationMs?: number;
  /** Calls whose caller proved who they are (one-time code), or those who did not. */
  verified?: boolean;
  /** Only calls taken by this operator (an operator's own view). */
  onlyOperatorId?: string;
  limit: number;
  offset: number;
}

/** The search as a query (the million-row test reads its plan). */
export function searchRecordingsQuery(db: Db, q: RecordingSearch) {
  let s = db
    .selectFrom('recordings as r')
    .leftJoin('calls as c', 'c.id', 'r.call_id')
    .select([
      'r.id', 'r.call_id', 'r.status', 'r.format', 'r.duration_ms', 'r.size_bytes', 'r.sha256', 'r.started_at', 'r.ended_at',
      'r.legal_hold', 'c.caller_number', 'c.line', 'c.operator_id', 'c.ticket_id',
    ])
    .where('r.status', 'in', ['archived', 'incomplete']);
  if (q.from) s = s.where('r.started_at', '>=', q.from);
  if (q.to) s = s.where('r.started_at', '<', q.to);
  if (q.operatorId) s = s.where('c.operator_id', '=', q.operatorId);
  if (q.onlyOperatorId) s = s.where('c.operator_id', '=', q.onlyOperatorId);
  if (q.caller) s = s.where('c.caller_number', '=', q.caller);
  if (q.ticketId) s = s.where('c.ticket_id', '=', q.ticketId);
  if (q.line) s = s.where('c.line', '=', q.line);
  if (q.minDurationMs !== undefined) s = s.where('r.duration_ms', '>=', q.minDurationMs);
  if (q.verified !== undefined) s = s.where('c.verification_status', q.verified ? '=' : '!=', 'verified');
  return s.orderBy('r.started_at', 'desc').orderBy('r.id').limit(q.limit).offset(q.offset);
}

export async function searchRecordings(db: Db, q: RecordingSearch) {
  return searchRecordingsQuery(db, q).execute();
}

/**
 * A verified customer's own recordings: calls bound to the account by a one-time code, and
 * nothing else (not calls from the same number, not other calls on the same ticket).
 */
export async function listOwnRecordingsOfAccount(db: Db, accountId: string, limit: number, offset: number) {
  return db
    .selectFrom('recordings as r')
    .innerJoin('calls as c', 'c.id', 'r.call_id')
    .select(['r.id', 'r.call_id', 'r.kind', 'r.status', 'r.duration_ms', 'r.started_at', 'c.line', 'c.verified_at'])
    .where('c.verified_account_id', '=', accountId)
    .where('c.verification_status', '=', 'verified')
    .where('r.status', 'in', ['archived', 'incomplete'])
    .orderBy('r.started_at', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Recordings past retention (older than `olderThan`), with no legal hold on them, their call or
 * their ticket: of calls on `scope.line`, or, with
 * `scope.except`, of every other call (any other line, one no longer configured, or none).
 */
export async function listPurgeable(db: Db, scope: { line: Line } | { except: readonly Line[] }, olderThan: Date) {
  let s = db
    .selectFrom('recordings as r')
    .leftJoin('calls as c', 'c.id', 'r.call_id')
    .leftJoin('tickets as t', 't.id', 'c.ticket_id')
    .select(['r.id', 'r.call_id', 'r.archive_path', 'r.started_at', 'r.size_bytes', 'c.line'])
    .where('r.status', 'in', ['archived', 'incomplete'])
    .where('r.started_at', '<', olderThan)
    .where('r.legal_hold', '=', false)
    .where((eb) => eb.or([eb('c.legal_hold', 'is', null), eb('c.legal_hold', '=', false)]))
    .where((eb) => eb.or([eb('t.legal_hold', 'is', null), eb('t.legal_hold', '=', false)]));
  s =
    'line' in scope
      ? s.where('c.line', '=', scope.line)
      : scope.except.length
        ? s.where((eb) => eb.or([eb('c.line', 'is', null), eb('c.line', 'not in', [...scope.except])]))
        : s;
  return s.orderBy('r.started_at').execute();
}

export async function listRecordingsByStatus(db: Db, statuses: RecordingRow['status'][]): Promise<RecordingRow[]> {
  return db.selectFrom('recordings').selectAll().where('status', 'in', statuses).orderBy('started_at').execute();
}

export async function setLegalHold(db: Db, target: 'recordings' | 'calls' | 'tickets', id: string, hold: boolean): Promise<boolean> {
  const r = await db.updateTable(target).set({ legal_hold: hold }).where('id', '=', id).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Notes a pause in the recording's own metadata (the verification step is not recorded). */
export async function addRecordingPause(db: Db, id: string, reason: string): Promise<void> {
  const pause = JSON.stringify([{ reason, at: new Date().toISOString(), resumedAt: null }]);
  await db
    .updateTable('recordings')
    .set({ pauses: sql`pauses || ${pause}::jsonb` as never })
    .where('id', '=', id)
    .execute();
}

export async function closeRecordingPause(db: Db, id: string): Promise<void> {
  // The last pause is the open one: pauses never overlap (one verification at a time per call).
  await sql`UPDATE recordings
    SET pauses = jsonb_set(pauses, ARRAY[(jsonb_array_length(pauses) - 1)::text, 'resumedAt'], to_jsonb(${new Date().toISOString()}::text))
    WHERE id = ${id} AND jsonb_array_length(pauses) > 0`.execute(db);
}

/** A customer's recordings still on disk: calls bound to the account, or on tickets bound to it. */
export async function listRecordingsOfAccount(db: Db, accountId: string) {
  return db
    .selectFrom('recordings as r')
    .innerJoin('calls as c', 'c.id', 'r.call_id')
    .leftJoin('tickets as t', 't.id', 'c.ticket_id')
    .select(['r.id', 'r.call_id', 'r.name', 'r.pbx_node', 'r.archive_path', 'r.spool_path', 'r.status', 'r.legal_hold as recording_hold', 'c.legal_hold as call_hold', 't.legal_hold as ticket_hold'])
    .where((eb) => eb.or([eb('c.verified_account_id', '=', accountId), eb('t.account_id', '=', accountId)]))
    .where('r.status', '!=', 'purged')
    .orderBy('r.started_at')
    .execute();
}
