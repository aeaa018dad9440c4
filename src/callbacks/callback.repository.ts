import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { OPEN_CALLBACK_STATUSES, type CallbackOutcome, type CallbackRow, type CallbackStatus, type NewCallbackRow } from './callback.table.js';

export async function insertCallback(db: Db, c: NewCallbackRow): Promise<CallbackRow> {
  return db.insertInto('callbacks').values(c).returningAll().executeTakeFirstOrThrow();
}

export async function findCallback(db: Db, id: string): Promise<CallbackRow | undefined> {
  return db.selectFrom('callbacks').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Moves a callback between statuses; the WHERE on the old status is what makes a second
 * instance (or a duplicate job) lose the race instead of acting twice.
 */
export async function moveCallback(
  db: Db,
  id: string,
  from: CallbackStatus | readonly CallbackStatus[],
  patch: Partial<Pick<CallbackRow, 'status' | 'attempts' | 'next_attempt_at' | 'closed_reason'>>,
): Promise<CallbackRow | undefined> {
  const froms = typeof from === 'string' ? [from] : [...from];
  return db
    .updateTable('callbacks')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', froms)
    .returningAll()
    .executeTakeFirst();
}

export async function listOpenCallbacks(db: Db): Promise<CallbackRow[]> {
  return db.selectFrom('callbacks').selectAll().where('status', 'in', [...OPEN_CALLBACK_STATUSES]).orderBy('rank').execute();
}

export async function listWaitingCallbacks(db: Db): Promise<Pick<CallbackRow, 'id' | 'line' | 'rank'>[]> {
  return db.selectFrom('callbacks').select(['id', 'line', 'rank']).where('status', '=', 'waiting').execute();
}

export async function countRecentCallbacks(db: Db, by: 'number' | 'account_id', value: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('callbacks')
    .select(sql<string>`count(*)`.as('n'))
    .where(by, '=', value)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Serialises bookings of one number and one account until the transaction ends (count, then insert). */
export async function lockCallbackKeys(trx: Db, number: string, accountId: string | null): Promise<void> {
  // Two-key locks in a class of their own, so they never meet the single-key locks of the node guard or migrator.
  await sql`select pg_advisory_xact_lock(hashtext('callback-number'), hashtext(${number}))`.execute(trx);
  if (accountId) await sql`select pg_advisory_xact_lock(hashtext('callback-account'), hashtext(${accountId}))`.execute(trx);
}

/**
 * The dial's idempotency key: one row per (callback, attempt). false when the row exists,
 * i.e. this attempt was dialled already (by another instance, or before a crash).
 */
export async function insertAttemptOnce(db: Db, a: { callbackId: string; attemptNo: number; callId: string; operatorId: string | null }): Promise<boolean> {
  const r = await db
    .insertInto('callback_attempts')
    .values({ callback_id: a.callbackId, attempt_no: a.attemptNo, call_id: a.callId, operator_id: a.operatorId })
    .onConflict((oc) => oc.columns(['callback_id', 'attempt_no']).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) === 1n;
}

export async function endAttempt(db: Db, callbackId: string, attemptNo: number, outcome: CallbackOutcome): Promise<boolean> {
  const r = await db
    .updateTable('callback_attempts')
    .set({ outcome, ended_at: new Date() })
    .where('callback_id', '=', callbackId)
    .where('attempt_no', '=', attemptNo)
    .where('outcome', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function findAttempt(db: Db, callbackId: string, attemptNo: number) {
  return db.selectFrom('callback_attempts').selectAll().where('callback_id', '=', callbackId).where('attempt_no', '=', attemptNo).executeTakeFirst();
}

export async function listAttempts(db: Db, callbackId: string) {
  return db.selectFrom('callback_attempts').selectAll().where('callback_id', '=', callbackId).orderBy('attempt_no').execute();
}

export async function findAttemptOfCall(db: Db, callbackId: string, callId: string) {
  return db.selectFrom('callback_attempts').selectAll().where('callback_id', '=', callbackId).where('call_id', '=', callId).executeTakeFirst();
}

/** An answered attempt turned out to be an answering machine (the operator said so). */
export async function markAttemptMachine(db: Db, callbackId: string, attemptNo: number): Promise<boolean> {
  const r = await db
    .updateTable('callback_attempts')
    .set({ outcome: 'machine' })
    .where('callback_id', '=', callbackId)
    .where('attempt_no', '=', attemptNo)
    .where('outcome', '=', 'answered')
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}
