// The append-only tables: the hash chain over archived files, and the access audit.
// Database triggers refuse UPDATE and DELETE on both.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuditAction, RecordingAuditRow, RecordingChainRow } from './recording.table.js';

const GENESIS = '0'.repeat(64);
const CHAIN_LOCK = 7_402_114;

export function chainEntryHash(prevHash: string, recordingId: string, fileSha256: string): string {
  return createHash('sha256').update(`${prevHash}|${recordingId}|${fileSha256}`).digest('hex');
}

/** Appends under a transaction-scoped lock, so two archivers never fork the chain. Call inside a transaction. */
export async function appendChainEntry(trx: Db, recordingId: string, fileSha256: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const last = await trx.selectFrom('recording_chain').select('entry_hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prev = last?.entry_hash ?? GENESIS;
  await trx
    .insertInto('recording_chain')
    .values({ recording_id: recordingId, file_sha256: fileSha256, prev_hash: prev, entry_hash: chainEntryHash(prev, recordingId, fileSha256) })
    .execute();
}

export async function countChainEntries(db: Db): Promise<number> {
  const r = await db.selectFrom('recording_chain').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The chain in order, a page at a time. */
export async function chainPage(db: Db, afterId: string, limit: number): Promise<RecordingChainRow[]> {
  return db.selectFrom('recording_chain').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export { GENESIS as CHAIN_GENESIS };

export interface AuditEntry {
  recordingId: string | null;
  action: AuditAction;
  tokenId?: string | null;
  role?: string | null;
  operatorId?: string | null;
  ip?: string | null;
  reason?: string | null;
  ranges?: string | null;
  detail?: Record<string, unknown>;
}

export async function insertAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('recording_audit')
    .values({
      recording_id: e.recordingId,
      action: e.action,
      // A panel session's principal carries "session:<uuid>" where tokens carry their id.
      token_id: e.tokenId?.startsWith('session:') ? null : (e.tokenId ?? null),
      session_id: e.tokenId?.startsWith('session:') ? e.tokenId.slice('session:'.length) : null,
      role: e.role ?? null,
      operator_id: e.operatorId ?? null,
      ip: e.ip ?? null,
      reason: e.reason ?? null,
      ranges: e.ranges ?? null,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}

export async function listAudit(db: Db, recordingId: string): Promise<RecordingAuditRow[]> {
  return db.selectFrom('recording_audit').selectAll().where('recording_id', '=', recordingId).orderBy('id').execute();
}
