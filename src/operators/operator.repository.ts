import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type { NewOperatorRow, OperatorRow, OperatorState } from './operator.table.js';
import type { Line } from '../vocabulary.js';
import type { Skills } from '../queues/skills.js';

export async function insertOperator(db: Db, o: NewOperatorRow): Promise<OperatorRow> {
  return db.insertInto('operators').values(o).returningAll().executeTakeFirstOrThrow();
}

export async function findOperatorById(db: Db, id: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOperatorByLogin(db: Db, login: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('login', '=', login).executeTakeFirst();
}

export async function findOperatorBySipUsername(db: Db, sipUsername: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('sip_username', '=', sipUsername).executeTakeFirst();
}

/** A new SIP digest credential (HA1) for an operator's endpoint. */
export async function setSipCredential(db: Db, id: string, md5Cred: string): Promise<OperatorRow | undefined> {
  return db.updateTable('operators').set({ sip_md5_cred: md5Cred }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function listOperators(db: Db): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().orderBy('id').execute();
}

/**
 * Changes an operator's state and records the change in its history, in one statement: the row
 * is locked first (FOR UPDATE in the first step), so the history's from_state is what was really
 * replaced. One round trip instead of a transaction's five: a call changes its operator's state
 * several times, and that transaction was a visible share of the service's CPU under load.
 */
export async function changeOperatorState(
  db: Kysely<Database>,
  id: string,
  state: OperatorState,
  reason: string | null,
  wrapupUntil: Date | null = null,
): Promise<OperatorRow | undefined> {
  const r = await sql<OperatorRow>`
    WITH old AS (
      SELECT id, state FROM operators WHERE id = ${id} FOR UPDATE
    ), upd AS (
      UPDATE operators o SET state = ${state}, state_reason = ${reason}, state_changed_at = ${new Date()}, wrapup_until = ${wrapupUntil}
      FROM old WHERE o.id = old.id
      RETURNING o.*
    ), hist AS (
      INSERT INTO operator_state_history (operator_id, from_state, to_state, reason)
      SELECT old.id, old.state, ${state}, ${reason} FROM old
    )
    SELECT * FROM upd`.execute(db);
  return r.rows[0];
}

export async function listOperatorsInWrapUp(db: Db): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().where('state', '=', 'wrap_up').execute();
}

export async function listStateHistory(db: Db, operatorId: string) {
  return db.selectFrom('operator_state_history').selectAll().where('operator_id', '=', operatorId).orderBy('id').execute();
}

/** Free operators whose phones are on `node` (a call cannot ring a phone on another node). */
export async function listAvailableOnNode(db: Db, node: string): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().where('pbx_node', '=', node).where('state', '=', 'available').execute();
}

export async function markOperatorCallEnded(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('operators').set({ last_call_ended_at: at }).where('id', '=', id).execute();
}

export async function countOperatorsByState(db: Db): Promise<{ line: Line; state: OperatorState; count: number }[]> {
  const rows = await db
    .selectFrom('operators')
    .select(['line', 'state', db.fn.countAll<string>().as('count')])
    .groupBy(['line', 'state'])
    .execute();
  return rows.map((r) => ({ line: r.line, state: r.state, count: Number(r.count) }));
}

/**
 * Operators serving a line homed on `node` who are logged in (any state but offline): only they
 * can answer that node's callers, so they alone count for its wait estimate and overflow rule.
 */
export async function countStaffed(db: Db, line: Line, node: string): Promise<number> {
  const r = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(sql<boolean>`${line} = ANY (lines)`)
    .where('pbx_node', '=', node)
    .where('state', '!=', 'offline')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setWrapUpCall(db: Db, id: string, callId: string | null): Promise<void> {
  await db.updateTable('operators').set({ wrapup_call_id: callId }).where('id', '=', id).execute();
}

/** Records what was pushed to Asterisk for the operator's endpoint (see pushEndpoints). */
export async function setEndpointFingerprint(db: Db, id: string, fingerprint: string | null): Promise<void> {
  await db.updateTable('operators').set({ endpoint_fingerprint: fingerprint }).where('id', '=', id).execute();
}

/** The lines an operator serves (the home line among them: migration 0024's trigger adds it anyway). */
export async function setOperatorLines(db: Db, id: string, lines: readonly Line[]): Promise<OperatorRow | undefined> {
  return db.updateTable('operators').set({ lines: [...lines] }).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Internal calls: a new extension (null: none). A unique violation (23505) means another operator has it. */
export async function setOperatorExtension(db: Db, id: string, extension: string | null): Promise<OperatorRow | undefined> {
  return db.updateTable('operators').set({ extension }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function listExtensions(db: Db): Promise<(string | null)[]> {
  return (await db.selectFrom('operators').select('extension').execute()).map((r) => r.extension);
}

/** Skills (issue 21): an operator's skills, replaced whole. */
export async function setOperatorSkills(db: Db, id: string, skills: Skills): Promise<OperatorRow | undefined> {
  return db.updateTable('operators').set({ skills }).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Operators whose phones are on `node` and who are logged in (any state but offline): the ACD's picture of the node. */
export async function listLoggedInOnNode(db: Db, node: string): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().where('pbx_node', '=', node).where('state', '!=', 'offline').execute();
}
