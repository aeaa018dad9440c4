// The call ledger's writes: a batch of changes to calls, their events and their recordings,
// applied in order by one SQL function (migration 0013) in one round trip.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export type LedgerOp =
  | { k: 'insert'; t: 'calls' | 'recordings'; row: Record<string, unknown> }
  | { k: 'update'; id: string; seq: number; patch: Record<string, unknown> }
  | { k: 'event'; id: string; seq: number; from: string | null; to: string; detail: Record<string, unknown>; at: string };

export async function applyLedgerOps(db: Db, ops: readonly LedgerOp[]): Promise<void> {
  await sql`SELECT pbx_apply_call_ops(${JSON.stringify(ops)}::jsonb)`.execute(db);
}
