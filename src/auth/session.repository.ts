import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { PanelSessionRow, SessionEndReason } from './session.table.js';

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

export async function endSession(db: Db, id: string, reason: SessionEndReason): Promise<void> {
  await db.updateTable('panel_sessions').set({ ended_at: new Date(), ended_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** Failed sign-ins (and attempts still being checked) for a login since its last success, within the window. */
async function failuresOfLogin(db: Db, login: string, since: Date): Promise<number> {
  const lastOk = await db.selectFrom('panel_sign_ins').select('at').where('login', '=', login).where('ok', '=', true).orderBy('at', 'desc').limit(1).executeTakeFirst();
  const from = lastOk && lastOk.at > since ? lastOk.at : since;
  const r = await db
    .selectFrom('panel_sign_ins')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('login', '=', login)
    .where('ok', '=', false)
    .where('reason', 'is distinct from', 'throttled')
    .where('at', '>', from)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function failuresFromAddress(db: Db, ip: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('panel_sign_ins')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('ip', '=', ip)
    .where('ok', '=', false)
    .where('reason', 'is distinct from', 'throttled')
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Takes one of a login's (and a source address's) allowed attempts before the password is
 * checked: the attempt is recorded as a failure "checking" at once, under a transaction lock
 * per login and per address, so parallel requests cannot all see the same count. The caller
 * settles it (settleSignIn) once the password is checked. A refused attempt is recorded as
 * "throttled" (not counted: the lock ends 15 minutes after the last real try).
 */
export async function reserveSignIn(
  db: Db,
  a: { login: string; ip: string | null; since: Date; maxPerLogin: number; maxPerAddress: number },
): Promise<{ id: string } | { refused: 'login' | 'address' }> {
  return db.transaction().execute(async (trx) => {
    // Always the login's lock first, then the address's: no two attempts wait on each other in a cycle.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`panel-sign-in:login:${a.login}`}, 0))`.execute(trx);
    if (a.ip) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`panel-sign-in:ip:${a.ip}`}, 0))`.execute(trx);
    const refused =
      (await failuresOfLogin(trx, a.login, a.since)) >= a.maxPerLogin ? 'login' : a.ip && (await failuresFromAddress(trx, a.ip, a.since)) >= a.maxPerAddress ? 'address' : undefined;
    const row = await trx
      .insertInto('panel_sign_ins')
      .values({ login: a.login, operator_id: null, ok: false, reason: refused ? 'throttled' : 'checking', ip: a.ip })
      .returning('id')
      .executeTakeFirstOrThrow();
    return refused ? { refused } : { id: row.id };
  });
}

/** The outcome of an attempt reserveSignIn let through. */
export async function settleSignIn(db: Db, id: string, a: { operatorId: string | null; ok: boolean; reason: string | null }): Promise<void> {
  await db.updateTable('panel_sign_ins').set({ operator_id: a.operatorId, ok: a.ok, reason: a.reason }).where('id', '=', id).execute();
}

/** Ends every open session of an operator (a password reset). */
export async function endSessionsOf(db: Db, operatorId: string, reason: SessionEndReason): Promise<number> {
  const r = await db.updateTable('panel_sessions').set({ ended_at: new Date(), ended_reason: reason }).where('operator_id', '=', operatorId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Sets an operator's panel password and ends their open sessions, in one transaction. */
export async function setPanelPassword(db: Db, operatorId: string, hash: string): Promise<{ found: boolean; endedSessions: number }> {
  return db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('operators').set({ panel_password_hash: hash }).where('id', '=', operatorId).executeTakeFirst();
    if (r.numUpdatedRows === 0n) return { found: false, endedSessions: 0 };
    return { found: true, endedSessions: await endSessionsOf(trx, operatorId, 'password_reset') };
  });
}
