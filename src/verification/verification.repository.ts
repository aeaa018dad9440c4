import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { VerificationAccountRow, VerificationCodeRow, VerifyMethod, VerifyOutcome } from './verification.table.js';

/** Makes the new code the account's only usable one: earlier ones are superseded. */
export async function insertCode(
  db: Db,
  c: { accountId: string; accountName: string | null; callerNumberHint: string | null; codeHash: string; expiresAt: Date },
): Promise<VerificationCodeRow> {
  await db
    .updateTable('verification_codes')
    .set({ superseded_at: new Date() })
    .where('account_id', '=', c.accountId)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  return db
    .insertInto('verification_codes')
    .values({
      account_id: c.accountId,
      account_name: c.accountName,
      caller_number_hint: c.callerNumberHint,
      code_hash: c.codeHash,
      expires_at: c.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Is this hash a usable code of any account right now (issuing must not make two alike)? */
export async function hashInUse(db: Db, codeHash: string, now: Date): Promise<boolean> {
  const r = await db
    .selectFrom('verification_codes')
    .select('id')
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return r !== undefined;
}

/** Matching codes, newest first, locked for the rest of the transaction (single use). */
export async function findCodesByHash(db: Db, codeHash: string): Promise<VerificationCodeRow[]> {
  return db.selectFrom('verification_codes').selectAll().where('code_hash', '=', codeHash).orderBy('id', 'desc').limit(5).forUpdate().execute();
}

export async function markCodeUsed(db: Db, id: string, callId: string | null): Promise<boolean> {
  const r = await db
    .updateTable('verification_codes')
    .set({ used_at: new Date(), used_by_call_id: callId })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** Accounts with a usable code issued for this calling number (a wrong code counts against them). */
export async function accountsHintedFor(db: Db, callerNumber: string, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('verification_codes')
    .select('account_id')
    .distinct()
    .where('caller_number_hint', '=', callerNumber)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  return rows.map((r) => r.account_id);
}

export async function lockAccountRow(db: Db, accountId: string): Promise<VerificationAccountRow> {
  await db.insertInto('verification_accounts').values({ account_id: accountId, consecutive_failures: 0 }).onConflict((oc) => oc.doNothing()).execute();
  return db.selectFrom('verification_accounts').selectAll().where('account_id', '=', accountId).forUpdate().executeTakeFirstOrThrow();
}

export async function findAccount(db: Db, accountId: string): Promise<VerificationAccountRow | undefined> {
  return db.selectFrom('verification_accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

export async function updateAccount(db: Db, accountId: string, patch: { consecutive_failures: number; locked_until: Date | null }): Promise<void> {
  await db.updateTable('verification_accounts').set({ ...patch, updated_at: new Date() }).where('account_id', '=', accountId).execute();
}

export async function insertAttempt(
  db: Db,
  a: { callId: string | null; accountId: string | null; callerNumber: string | null; method: VerifyMethod; outcome: VerifyOutcome; flagged: boolean; operatorId: string | null },
): Promise<void> {
  await db
    .insertInto('verification_attempts')
    .values({
      call_id: a.callId,
      account_id: a.accountId,
      caller_number: a.callerNumber,
      method: a.method,
      outcome: a.outcome,
      flagged: a.flagged,
      operator_id: a.operatorId,
    })
    .execute();
}

export async function countWrongOnCall(db: Db, callId: string): Promise<number> {
  const r = await db
    .selectFrom('verification_attempts')
    .select(sql<string>`count(*)`.as('n'))
    .where('call_id', '=', callId)
    .where('outcome', 'not in', ['verified', 'none', 'throttled'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countCallerFailuresSince(db: Db, callerNumber: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('verification_attempts')
    .select(sql<string>`count(*)`.as('n'))
    .where('caller_number', '=', callerNumber)
    .where('at', '>', since)
    .where('outcome', 'not in', ['verified', 'none', 'throttled'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listAttemptsOfCall(db: Db, callId: string) {
  return db.selectFrom('verification_attempts').selectAll().where('call_id', '=', callId).orderBy('id').execute();
}

export async function bindCall(
  db: Db,
  callId: string,
  v: { status: 'verified' | 'failed'; accountId?: string; method?: VerifyMethod; flagged?: boolean },
): Promise<void> {
  if (v.status === 'failed') {
    // A later failure never undoes a verification already made on this call.
    await db.updateTable('calls').set({ verification_status: 'failed' }).where('id', '=', callId).where('verification_status', '=', 'none').execute();
    return;
  }
  await db
    .updateTable('calls')
    .set({
      verification_status: 'verified',
      verified_account_id: v.accountId ?? null,
      verification_method: v.method ?? null,
      verified_at: new Date(),
      verification_flagged: v.flagged ?? false,
    })
    .where('id', '=', callId)
    .execute();
}

/** The ticket gets the account, and the customer's name as the control panel gave it with the code. */
export async function bindTicket(db: Db, ticketId: string, accountId: string, callId: string): Promise<void> {
  const named = await db
    .selectFrom('verification_codes')
    .select('account_name')
    .where('account_id', '=', accountId)
    .where('account_name', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  await db
    .updateTable('tickets')
    .set((eb) => ({
      account_id: accountId,
      verified_at: new Date(),
      verified_call_id: callId,
      updated_at: new Date(),
      customer_name: named?.account_name ?? eb.ref('customer_name'),
    }))
    .where('id', '=', ticketId)
    .execute();
}
