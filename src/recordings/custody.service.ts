// Chain of custody: proving archived files unaltered, and deleting them only as retention
// allows. Both are reachable from the API and, offline, from the CLI.
import type { Line } from '../vocabulary.js';
import { unlink } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { findRecordingById, listPurgeable, listRecordingsOfAccount, updateRecording } from './recording.repository.js';
import { CHAIN_GENESIS, chainEntryHash, chainPage, countChainEntries, insertAudit } from './recording-custody.repository.js';
import type { ArchiveStores } from './archive.store.js';
import type { IncomingStore } from './incoming.store.js';
import { retentionOf, type RetentionPolicy } from './retention-policy.js';

export interface ChainProblem {
  recordingId: string;
  entryId: string;
  problem: 'missing' | 'altered' | 'chain_broken' | 'row_changed';
  detail?: string;
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  filesChecked: number;
  problems: ChainProblem[];
}


export class CustodyService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly retention: RetentionPolicy,
    // Reading and deleting only: any store knows its own locations (a path, s3://...).
    private readonly stores: ArchiveStores,
    // Where a raw recording may still wait for an archive worker (ARCHIVE_INCOMING=s3's incoming/):
    // erasure removes it there too. Without it, only the spool file is removed.
    private readonly incoming?: IncomingStore,
  ) {}

  private async remove(location: string): Promise<void> {
    await this.stores.for(location).remove(location);
  }

  /**
   * Walks the chain from the start: every entry must hash its predecessor, and every file it
   * names must still hash to what was recorded. Purged recordings are expected to be gone.
   */
  async verifyChain(onProgress?: (done: number, total: number) => void): Promise<ChainReport> {
    const total = await countChainEntries(this.db);
    const problems: ChainProblem[] = [];
    let prev = CHAIN_GENESIS;
    let after = '0';
    let done = 0;
    let files = 0;
    for (;;) {
      const page = await chainPage(this.db, after, 500);
      if (page.length === 0) break;
      for (const e of page) {
        const where = { recordingId: e.recording_id, entryId: e.id };
        if (e.prev_hash !== prev || chainEntryHash(e.prev_hash, e.recording_id, e.file_sha256) !== e.entry_hash) {
          problems.push({ ...where, problem: 'chain_broken' });
        }
        prev = e.entry_hash;
        const rec = await findRecordingById(this.db, e.recording_id);
        if (rec && rec.status !== 'purged') {
          if (rec.sha256 !== e.file_sha256) problems.push({ ...where, problem: 'row_changed', detail: 'the row hash differs from the chain' });
          if (!rec.archive_path) {
            problems.push({ ...where, problem: 'missing' });
          } else {
            files++;
            const actual = await this.stores.for(rec.archive_path).sha256(rec.archive_path).catch(() => undefined);
            if (actual === undefined) problems.push({ ...where, problem: 'missing', detail: rec.archive_path });
            else if (actual !== e.file_sha256) problems.push({ ...where, problem: 'altered', detail: rec.archive_path });
          }
        }
        done++;
        onProgress?.(done, total);
      }
      after = page.at(-1)!.id;
    }
    return { ok: problems.length === 0, entries: done, filesChecked: files, problems };
  }

  retentionDays(line: Line | null): number {
    return retentionOf(this.retention, line);
  }

  /** What the purge would delete now (dryRun) or deletes, line by line. Legal holds always win. */
  async purge(opts: { dryRun: boolean; now?: Date; onProgress?: (done: number, total: number) => void }) {
    const now = opts.now ?? new Date();
    const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);
    // Lines with a retention of their own, then every other recording at the default: a line
    // the configuration gained or lost later is never left out of the purge.
    const own = Object.entries(this.retention.byLine);
    const items = [];
    for (const [line, days] of own) items.push(...(await listPurgeable(this.db, { line }, cutoff(days))));
    items.push(...(await listPurgeable(this.db, { except: own.map(([line]) => line) }, cutoff(this.retention.default))));
    items.sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
    let done = 0;
    if (!opts.dryRun) {
      for (const r of items) {
        if (r.archive_path) await this.remove(r.archive_path);
        await updateRecording(this.db, r.id, { status: 'purged', archive_path: null, purged_at: now });
        await insertAudit(this.db, {
          recordingId: r.id, action: 'purge', role: 'system',
          detail: { retentionDays: this.retentionDays(r.line), startedAt: r.started_at.toISOString(), path: r.archive_path },
        });
        done++;
        opts.onProgress?.(done, items.length);
      }
    }
    return {
      dryRun: opts.dryRun,
      count: items.length,
      bytes: items.reduce((n, r) => n + Number(r.size_bytes ?? 0), 0),
      recordings: items.map((r) => ({ id: r.id, callId: r.call_id, line: r.line, startedAt: r.started_at.toISOString(), path: r.archive_path })),
    };
  }

  /**
   * GDPR erasure: every recording of one customer (calls bound to their verified account, or on
   * tickets bound to it) is deleted, file and spool copy, and each deletion is audited with who
   * and why. A legal hold wins over erasure: held recordings are kept and reported.
   */
  async eraseAccount(accountId: string, who: { tokenId: string; role: string; operatorId: string | null; ip: string | null }, reason: string) {
    const erased: string[] = [];
    const held: string[] = [];
    for (const r of await listRecordingsOfAccount(this.db, accountId)) {
      if (r.recording_hold || r.call_hold || r.ticket_hold) {
        held.push(r.id);
        continue;
      }
      if (r.archive_path) await this.remove(r.archive_path);
      if (r.spool_path) await unlink(r.spool_path).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      if (r.status !== 'archived' && r.status !== 'incomplete') await this.incoming?.consumed(r);
      await updateRecording(this.db, r.id, { status: 'purged', archive_path: null, spool_path: null, purged_at: new Date() });
      await insertAudit(this.db, {
        recordingId: r.id, action: 'erase', tokenId: who.tokenId, role: who.role, operatorId: who.operatorId, ip: who.ip, reason,
        detail: { accountId, previousStatus: r.status, path: r.archive_path },
      });
      erased.push(r.id);
    }
    return { accountId, erased, heldBack: held };
  }
}
