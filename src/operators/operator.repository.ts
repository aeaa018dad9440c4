import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type { Line, NewOperatorRow, OperatorRow, OperatorState } from './operator.table.js';

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
 * Changes an operator's state and records the change in its history, in one transaction
 * (row lock first, so the history's from_state is what was really replaced).
 */
export async function changeOperatorState(
  db: Kysely<Database>,
  id: string,
  state: OperatorState,
  reason: string | null,
  wrapupUntil: Date | null = null,
): Promise<OperatorRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom('operators').select('state').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!old) return undefined;
    const row = await trx
      .updateTable('operators')
      .set({ state, state_reason: reason, state_changed_at: new Date(), wrapup_until: wrapupUntil })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('operator_state_history').values({ operator_id: id, from_state: old.state, to_state: state, reason }).execute();
    return row;
  });
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
 * Operators of a line homed on `node` who are logged in (any state but offline): only they can
 * answer that node's callers, so they alone count for its wait estimate and overflow rule.
 */
export async function countStaffed(db: Db, line: Line, node: string): Promise<number> {
  const r = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('line', '=', line)
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
