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
    .onConflict((oc) => oc.column('token_hash').doUpdateSet({ revoked_at: null }))
    .returningAll()
    .executeTakeFirstOrThrow();
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
