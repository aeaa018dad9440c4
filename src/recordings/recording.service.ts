// Recordings from bridge to archive. The metadata row exists from the moment recording
// starts, so a crash leaves a trace; the spool file is removed only after the archived
// copy is written, synced and checksummed.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import {
  findRecordingById,
  findRecordingByName,
  insertRecording,
  listUnfinishedRecordings,
  updateRecording,
} from './recording.repository.js';
import type { RecordingRow } from './recording.table.js';
import { readWavInfo } from './wav.js';

export interface ArchiveEnqueuer {
  enqueue(recordingId: string): Promise<void>;
}

export class RecordingService {
  constructor(
    private readonly db: Db,
    private readonly dirs: { spoolDir: string; archiveDir: string },
    private readonly queue: ArchiveEnqueuer,
    private readonly log: Logger,
    private readonly onArchived: (bytes: number) => void = () => undefined,
  ) {}

  spoolPath(name: string): string {
    return path.join(this.dirs.spoolDir, `${name}.wav`);
  }

  async started(db: Db, callId: string, name: string): Promise<RecordingRow> {
    return insertRecording(db, { call_id: callId, name, status: 'recording', spool_path: this.spoolPath(name) });
  }

  async finished(name: string): Promise<void> {
    const rec = await findRecordingByName(this.db, name);
    if (!rec || rec.status !== 'recording') return;
    await updateRecording(this.db, rec.id, { status: 'spooled', ended_at: new Date() });
    await this.queue.enqueue(rec.id);
  }

  async failed(name: string, cause: string): Promise<void> {
    const rec = await findRecordingByName(this.db, name);
    if (rec) await updateRecording(this.db, rec.id, { status: 'failed', error: `Asterisk: ${cause}`, ended_at: new Date() });
  }

  async get(id: string): Promise<RecordingRow> {
    const rec = await findRecordingById(this.db, id);
    if (!rec) throw new NotFoundError('recording', id);
    return rec;
  }

  /**
   * Recordings left 'recording' or 'spooled' by a process that went away: those whose call
   * is over are archived now (as 'incomplete' when the WAV header shows a crash).
   */
  async sweep(activeCallIds: ReadonlySet<string>): Promise<number> {
    let n = 0;
    for (const rec of await listUnfinishedRecordings(this.db)) {
      if (activeCallIds.has(rec.call_id)) continue;
      await this.queue.enqueue(rec.id);
      n++;
    }
    return n;
  }

  /** The archive job. `final`: the last attempt, after which a failure is recorded on the row. */
  async archive(recordingId: string, final: boolean): Promise<void> {
    const rec = await findRecordingById(this.db, recordingId);
    if (!rec || rec.status === 'archived') return;
    const log = this.log.child({ callId: rec.call_id, recordingId });
    const src = rec.spool_path ?? this.spoolPath(rec.name);
    try {
      const fh = await open(src, 'r');
      let info;
      try {
        info = await readWavInfo(fh);
      } finally {
        await fh.close();
      }
      const day = (rec.ended_at ?? rec.started_at).toISOString().slice(0, 10).split('-');
      const destDir = path.join(this.dirs.archiveDir, ...day);
      await mkdir(destDir, { recursive: true });
      const dest = path.join(destDir, `${rec.call_id}.wav`);
      const tmp = `${dest}.part`;
      await copyFile(src, tmp);
      const sha256 = await sha256File(tmp);
      const tmpFh = await open(tmp, 'r+');
      await tmpFh.sync();
      await tmpFh.close();
      await rename(tmp, dest);
      const size = (await stat(dest)).size;
      await updateRecording(this.db, rec.id, {
        status: info.headerIncomplete && rec.status === 'recording' ? 'incomplete' : 'archived',
        archive_path: dest,
        duration_ms: info.durationMs,
        size_bytes: size,
        sha256,
        archived_at: new Date(),
        ended_at: rec.ended_at ?? new Date(),
        error: null,
      });
      // Only now, with the row pointing at a verified copy, does the spool file go.
      await unlink(src);
      this.onArchived(size);
      log.info({ durationMs: info.durationMs, dest }, 'recording archived');
    } catch (err) {
      const msg = (err as Error).message;
      log.warn({ err: msg, final }, 'archiving failed');
      if (final) await updateRecording(this.db, rec.id, { status: 'failed', error: msg });
      throw err;
    }
  }
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream()) h.update(chunk as Buffer);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return h.digest('hex');
}
