import type { Db } from '../db/database.js';
import type { PanelSessionRow } from './session.table.js';

export async function insertSession(db: Db, s: { tokenHash: string; operatorId: string; ip: string | null; userAgent: string | null }): Promise<PanelSessionRow> {
  return db
    .insertInto('panel_sessions')
    .values({ token_hash: s.tokenHash, operator_id: s.operatorId, ip: s.ip, user_agent: s.userAgent })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An open session, with whether its operator is a supervisor (the session's role). */
export async function findOpenSession(db: Db, tokenHash: string): Promise<(PanelSessionRow & { supervisor: boolean }) | undefined> {
  return db
    .selectFrom('panel_sessions')
    .innerJoin('operators', 'operators.id', 'panel_sessions.operator_id')
    .selectAll('panel_sessions')
    .select('operators.supervisor')
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('panel_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function endSession(db: Db, id: string, reason: 'signed_out' | 'idle' | 'expired'): Promise<void> {
  await db.updateTable('panel_sessions').set({ ended_at: new Date(), ended_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

export async function recordSignIn(db: Db, a: { login: string; operatorId: string | null; ok: boolean; reason: string | null; ip: string | null }): Promise<void> {
  await db.insertInto('panel_sign_ins').values({ login: a.login, operator_id: a.operatorId, ok: a.ok, reason: a.reason, ip: a.ip }).execute();
}

/** Failed sign-ins for a login since its last success, within the window. */
export async function recentFailures(db: Db, login: string, since: Date): Promise<number> {
  const lastOk = await db.selectFrom('panel_sign_ins').select('at').where('login', '=', login).where('ok', '=', true).orderBy('at', 'desc').limit(1).executeTakeFirst();
  const from = lastOk && lastOk.at > since ? lastOk.at : since;
  const r = await db
    .selectFrom('panel_sign_ins')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('login', '=', login)
    .where('ok', '=', false)
    .where('at', '>', from)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setPanelPassword(db: Db, operatorId: string, hash: string): Promise<boolean> {
  const r = await db.updateTable('operators').set({ panel_password_hash: hash }).where('id', '=', operatorId).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
