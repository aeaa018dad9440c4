import type { Db } from '../db/database.js';
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

export async function listOperators(db: Db): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().orderBy('id').execute();
}

export async function updateOperatorState(
  db: Db,
  id: string,
  state: OperatorState,
  reason: string | null,
): Promise<OperatorRow | undefined> {
  return db
    .updateTable('operators')
    .set({ state, state_reason: reason, state_changed_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Available operators of a line, the one idle longest first (the queues' 'leastrecent'). */
export async function listAvailableOperators(db: Db, line: Line): Promise<OperatorRow[]> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('line', '=', line)
    .where('state', '=', 'available')
    .orderBy('last_call_ended_at', (ob) => ob.asc().nullsFirst())
    .orderBy('id')
    .execute();
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
