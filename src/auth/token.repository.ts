import type { Db } from '../db/database.js';
import type { ApiTokenRow, Role } from './token.table.js';

export async function findActiveTokenByHash(db: Db, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function insertToken(
  db: Db,
  t: { name: string; role: Role; tokenHash: string; operatorId?: string | null },
): Promise<ApiTokenRow> {
  return db
    .insertInto('api_tokens')
    .values({ name: t.name, role: t.role, token_hash: t.tokenHash, operator_id: t.operatorId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The bootstrap admin token, once: a token already there (revoked or not) is left as it is, so
 * revoking the bootstrap token survives restarts with the same PBXDESK_BOOTSTRAP_ADMIN_TOKEN.
 */
export async function insertTokenOnce(db: Db, t: { name: string; role: Role; tokenHash: string }): Promise<'created' | 'exists' | 'revoked'> {
  const row = await db
    .insertInto('api_tokens')
    .values({ name: t.name, role: t.role, token_hash: t.tokenHash })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) return 'created';
  const old = await db.selectFrom('api_tokens').select('revoked_at').where('token_hash', '=', t.tokenHash).executeTakeFirstOrThrow();
  return old.revoked_at ? 'revoked' : 'exists';
}

export async function revokeToken(db: Db, id: string): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
