import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { findOpenTicketByNumber, insertTicketEvent } from '../tickets/ticket.repository.js';
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

/**
 * Matching codes, newest first, locked for the rest of the transaction (single use). With an
 * account, only that account's codes: the digits are not tried against every live code.
 */
export async function findCodesByHash(db: Db, codeHash: string, accountId?: string | null): Promise<VerificationCodeRow[]> {
  let q = db.selectFrom('verification_codes').selectAll().where('code_hash', '=', codeHash);
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.orderBy('id', 'desc').limit(5).forUpdate().execute();
}

/**
 * The account a call's code is checked against, when the call names one: the account the
 * operator named in the panel, else the account of the open ticket its caller keyed (attached
 * or only claimed), else of the ticket it is on.
 */
export async function scopeAccountOfCall(db: Db, callId: string, ticketId: string | null): Promise<string | null> {
  const named = await db.selectFrom('verification_scopes').select('account_id').where('call_id', '=', callId).executeTakeFirst();
  if (named) return named.account_id;
  const call = await db.selectFrom('calls').select('keyed_ticket_number').where('id', '=', callId).executeTakeFirst();
  const keyed = call?.keyed_ticket_number ? await findOpenTicketByNumber(db, call.keyed_ticket_number) : undefined;
  if (keyed?.account_id) return keyed.account_id;
  if (!ticketId) return null;
  const t = await db.selectFrom('tickets').select('account_id').where('id', '=', ticketId).executeTakeFirst();
  return t?.account_id ?? null;
}

/** The operator names the account the caller claims to be; a later naming replaces it. */
export async function setScope(db: Db, callId: string, accountId: string, setBy: string): Promise<void> {
  await db
    .insertInto('verification_scopes')
    .values({ call_id: callId, account_id: accountId, set_by: setBy })
    .onConflict((oc) => oc.column('call_id').doUpdateSet({ account_id: accountId, set_by: setBy, set_at: new Date() }))
    .execute();
}

/**
 * Adds `by` to a fixed-window counter and returns its new value. One statement (an upsert),
 * so parallel requests each get their own count and none slips past a limit.
 */
export async function bumpCounter(db: Db, bucket: string, windowStart: Date, by = 1): Promise<number> {
  const r = await db
    .insertInto('guard_counters')
    .values({ bucket, window_start: windowStart, n: by })
    .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ n: sql<number>`guard_counters.n + ${by}` }))
    .returning('n')
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function readCounter(db: Db, bucket: string, windowStart: Date): Promise<number> {
  const r = await db.selectFrom('guard_counters').select('n').where('bucket', '=', bucket).where('window_start', '=', windowStart).executeTakeFirst();
  return r?.n ?? 0;
}

/** Windows that ended long ago are of no use to any limit. */
export async function purgeCounters(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('guard_counters').where('window_start', '<', before).execute();
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

/**
 * One failure against an account, in one statement (the rule of verification-rules.ts
 * afterAccountFailure): the count goes up; at `maxFailures` the account is locked until
 * `lockUntil` and the count starts over. Parallel failures each count.
 */
export async function addAccountFailure(db: Db, accountId: string, maxFailures: number, lockUntil: Date): Promise<VerificationAccountRow> {
  const reaches = sql<boolean>`verification_accounts.consecutive_failures + 1 >= ${maxFailures}`;
  return db
    .insertInto('verification_accounts')
    .values({ account_id: accountId, consecutive_failures: maxFailures <= 1 ? 0 : 1, locked_until: maxFailures <= 1 ? lockUntil : null })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({
        consecutive_failures: sql<number>`CASE WHEN ${reaches} THEN 0 ELSE verification_accounts.consecutive_failures + 1 END`,
        locked_until: sql<Date | null>`CASE WHEN ${reaches} THEN ${lockUntil}::timestamptz ELSE verification_accounts.locked_until END`,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
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

/**
 * The ticket gets the account, and the customer's name as the control panel gave it with the
 * code, unless it belongs to another account already: an account on a ticket is never
 * overwritten (its owner's erasure would miss the ticket's recordings and the newcomer's would
 * delete them). The conflict is a flagged event on the ticket's timeline instead.
 */
export async function bindTicket(db: Db, ticketId: string, accountId: string, callId: string): Promise<'bound' | 'conflict' | 'missing'> {
  const named = await db
    .selectFrom('verification_codes')
    .select('account_name')
    .where('account_id', '=', accountId)
    .where('account_name', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  // One statement: two calls binding one ticket at once cannot both see it empty.
  const bound = await db
    .updateTable('tickets')
    .set((eb) => ({
      account_id: accountId,
      verified_at: new Date(),
      verified_call_id: callId,
      updated_at: new Date(),
      customer_name: named?.account_name ?? eb.ref('customer_name'),
    }))
    .where('id', '=', ticketId)
    .where((eb) => eb.or([eb('account_id', 'is', null), eb('account_id', '=', accountId)]))
    .returning('id')
    .executeTakeFirst();
  if (bound) return 'bound';
  const t = await db.selectFrom('tickets').select('account_id').where('id', '=', ticketId).executeTakeFirst();
  if (!t) return 'missing';
  await insertTicketEvent(db, ticketId, 'account-conflict', 'caller', { flagged: true, callId, ticketAccountId: t.account_id, verifiedAccountId: accountId });
  return 'conflict';
}
