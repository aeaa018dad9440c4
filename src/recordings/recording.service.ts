// Recordings from bridge to archive. The metadata row exists from the moment recording
// starts (written behind by the call ledger, journalled locally first), so a crash leaves a trace. The archive copy is transcoded, its duration checked
// against the source, checksummed and chained before the spool file is removed.
import { randomUUID } from 'node:crypto';
import { silentPublisher, type EventPublisher } from '../outbound/outbound.service.js';
import { open, readdir, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import type { ArchiveStores } from './archive.store.js';
import { makeArchiveStores, makeIncomingStore, type StoreSettings } from './archive-store.factory.js';
import type { IncomingStore } from './incoming.store.js';
import { sha256File } from './fs-archive.store.js';
import { CODEC_EXT, decodedDurationMs, transcodeMany, type Codec } from './ffmpeg.js';
import { TranscodeBatcher } from './transcode-batcher.js';
import { containerDurationMs } from './container-duration.js';
import {
  findRecordingById,
  findRecordingByName,
  finishRecordingOnce,
  lockRecordingRow,
  insertRecording,
  listUnfinishedRecordings,
  updateRecording,
} from './recording.repository.js';
import { appendChainEntry } from './recording-custody.repository.js';
import type { RecordingKind, RecordingRow } from './recording.table.js';
import { pcm16Peaks, readWavInfo } from './wav.js';

export interface ArchiveEnqueuer {
  enqueue(recordingId: string): Promise<void>;
}

export interface ArchiveSettings extends StoreSettings {
  spoolDir: string;
  /** The node whose spool this is (PBX_NODE). */
  node: string;
  codec: Codec;
  bitrateKbps: number;
  ffmpeg: string;
  /** ffmpeg processes at once, each transcoding a batch: 2 beside Asterisk (as before batching), the cores on a worker machine. */
  transcodeSlots?: number;
}

/** A transcode may differ from its source by this much at most (the issue's ±0.1 s). */
const DURATION_TOLERANCE_MS = 100;

export class RecordingService {
  private lastFailure: { at: number; message: string } | undefined;
  /** Where archived copies go (ARCHIVE_STORE), and what reads them back. */
  readonly stores: ArchiveStores;
  /** Where finished raw recordings wait for the archive workers (ARCHIVE_INCOMING). */
  readonly incoming: IncomingStore;
  private readonly transcoder: TranscodeBatcher;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly s: ArchiveSettings,
    private readonly queue: ArchiveEnqueuer,
    private readonly log: Logger,
    private readonly onArchived: (bytes: number) => void = () => undefined,
  ) {
    this.stores = makeArchiveStores(s);
    this.incoming = makeIncomingStore(s);
    this.transcoder = new TranscodeBatcher((items) => transcodeMany(s.ffmpeg, items, s.codec, s.bitrateKbps), s.transcodeSlots ?? 2);
  }

  private events: EventPublisher = silentPublisher;
  /** Events on their way to the outbox, so a stopping worker can let them land (`settled`). */
  private readonly publishing = new Set<Promise<void>>();

  /** Resolves once every event published so far is stored. */
  async settled(): Promise<void> {
    await Promise.all([...this.publishing]);
  }

  /** Outbound events, wired after construction (the outbound service starts later). */
  useEvents(events: EventPublisher): void {
    this.events = events;
  }

  spoolPath(name: string): string {
    return path.join(this.s.spoolDir, `${name}.wav`);
  }

  /**
   * A recording about to start, as its row with an id minted here: the call ledger writes it
   * behind, in order with the call's own row, so bridging a caller never waits on Postgres.
   */
  planned(callId: string, name: string, kind: RecordingKind = 'call'): { id: string; call_id: string; name: string; kind: RecordingKind; status: 'recording'; spool_path: string; pbx_node: string; started_at: string } {
    return { id: randomUUID(), call_id: callId, name, kind, status: 'recording', spool_path: this.spoolPath(name), pbx_node: this.s.node, started_at: new Date().toISOString() };
  }

  async started(db: Kysely<Database>, callId: string, name: string, kind: RecordingKind = 'call'): Promise<RecordingRow> {
    return insertRecording(db, { call_id: callId, name, kind, status: 'recording', spool_path: this.spoolPath(name), pbx_node: this.s.node });
  }

  async finished(name: string): Promise<void> {
    const rec = await findRecordingByName(this.db, name);
    if (rec?.status === 'recording') await this.spool(rec);
  }

  /** Asterisk closed the file: queue it for the archive. */
  private async spool(rec: RecordingRow): Promise<void> {
    await updateRecording(this.db, rec.id, { status: 'spooled', ended_at: rec.ended_at ?? new Date() });
    await this.queueArchive(rec);
  }

  /**
   * The raw recording is handed to the workers' side first (ARCHIVE_INCOMING=s3: uploaded),
   * then its job is queued. A failed hand-over leaves the row 'spooled' and the spool file in
   * place; the sweeper offers it again.
   */
  private async queueArchive(rec: RecordingRow): Promise<void> {
    try {
      await this.incoming.offer(rec);
    } catch (err) {
      const msg = `handing the recording to the archive workers failed: ${(err as Error).message}`;
      this.lastFailure = { at: Date.now(), message: msg };
      throw new Error(msg);
    }
    await this.queue.enqueue(rec.id);
  }

  /**
   * The call is over: give RecordingFinished `afterMs` to arrive, then archive anyway (a
   * MixMonitor sends none: its file is closed a moment after the channel goes).
   */
  callEnded(recordingId: string, afterMs = 10_000): void {
    setTimeout(() => {
      this.ensureArchiving(recordingId).catch((err: Error) => this.log.warn({ recordingId, err: err.message }, 'archive safety net failed'));
    }, afterMs).unref();
  }

  /**
   * Safety net after a call ends: if Asterisk's RecordingFinished never reached us, the row is
   * still 'recording' although the bridge is gone and the file closed; archive it anyway.
   */
  async ensureArchiving(recordingId: string): Promise<void> {
    const rec = await findRecordingById(this.db, recordingId);
    if (rec?.status !== 'recording') return;
    this.log.warn({ recordingId, callId: rec.call_id }, 'no RecordingFinished for an ended call: archiving anyway');
    await this.spool(rec);
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

  /** For /readyz: an archive failure in the last 10 minutes (disk full, permissions...). */
  recentFailure(): string | undefined {
    return this.lastFailure && Date.now() - this.lastFailure.at < 600_000 ? this.lastFailure.message : undefined;
  }

  /**
   * Finds what a crash left behind: rows still 'recording'/'spooled' whose call is over, and
   * spool files no row knows (the dialplan fallback's MixMonitor). Each is archived; a file
   * whose WAV header was never finished ends as 'incomplete'. Nothing is silently dropped.
   */
  /** `filesToo`: also spool files with no row at all (not while the call ledger may still be writing their rows). */
  async sweep(activeCallIds: ReadonlySet<string>, filesToo = true): Promise<number> {
    let n = 0;
    for (const rec of await listUnfinishedRecordings(this.db, this.s.node)) {
      if (rec.call_id && activeCallIds.has(rec.call_id)) continue;
      if (await this.sweptIn(rec)) n++;
    }
    const files = filesToo ? await readdir(this.s.spoolDir).catch(() => [] as string[]) : [];
    for (const f of files.filter((x) => x.endsWith('.wav'))) {
      const name = f.slice(0, -4);
      if (await findRecordingByName(this.db, name)) continue;
      const st = await stat(path.join(this.s.spoolDir, f)).catch(() => undefined);
      // Gone meanwhile, or still being written by a live fallback call: not an orphan (yet).
      if (!st || Date.now() - st.mtime.getTime() < 60_000) continue;
      const rec = await insertRecording(this.db, { call_id: null, name, status: 'recording', spool_path: this.spoolPath(name), pbx_node: this.s.node });
      if (await this.sweptIn(rec)) n++;
    }
    return n;
  }

  /** One recording that cannot be handed over (the S3 store away) must not stop the sweep: the next one tries again. */
  private async sweptIn(rec: RecordingRow): Promise<boolean> {
    return this.queueArchive(rec).then(
      () => true,
      (err: Error) => (this.log.warn({ recordingId: rec.id, err: err.message }, 'recording not queued for the archive'), false),
    );
  }


  /** The archive job. `final`: the last attempt, after which a failure is recorded on the row. */
  async archive(recordingId: string, final: boolean): Promise<void> {
    const rec = await findRecordingById(this.db, recordingId);
    if (!rec) return;
    if (rec.status === 'archived' || rec.status === 'incomplete' || rec.status === 'purged') {
      // Done already (or erased before it was archived): a raw copy still waiting, one whose
      // removal failed after the archive, goes now.
      await this.incoming.consumed(rec);
      return;
    }
    const log = this.log.child({ callId: rec.call_id, recordingId });
    await updateRecording(this.db, rec.id, { attempts: rec.attempts + 1 });
    let raw: { file: string; cleanup(): Promise<void> } | undefined;
    let leftover = undefined as Error | undefined;
    try {
      // The spool file itself, or a local copy of the raw recording fetched from the incoming store.
      raw = await this.incoming.open(rec, `${process.pid}-${rec.attempts + 1}`);
      const src = raw.file;
      const fh = await open(src, 'r');
      let info;
      let peaks: number[];
      try {
        info = await readWavInfo(fh);
        const pcm = Buffer.alloc(info.dataBytes);
        await fh.read(pcm, 0, pcm.length, info.dataOffset);
        peaks = pcm16Peaks(pcm);
      } finally {
        await fh.close();
      }
      const day = (rec.ended_at ?? rec.started_at).toISOString().slice(0, 10).split('-');
      // The call's own recording is <call-id>.opus; a leg is named for itself (call-<id>-caller, ...).
      const base = rec.call_id && (rec.kind === 'call' || rec.kind === 'voicemail') ? rec.call_id : rec.name;
      const key = [...day, `${base}.${CODEC_EXT[this.s.codec]}`].join('/');
      // Per attempt: an ffmpeg orphaned by a killed worker may still be writing the last one.
      const tmp = await this.stores.writer.scratchPath(key, `${process.pid}-${rec.attempts + 1}`);
      const destDir = path.dirname(tmp);
      await this.transcoder.transcode(src, tmp);
      // From the container (one process per recording); a format whose container cannot tell is decoded.
      const outMs = (await containerDurationMs(tmp, this.s.codec)) ?? (await decodedDurationMs(this.s.ffmpeg, tmp));
      if (Math.abs(outMs - info.durationMs) > DURATION_TOLERANCE_MS) {
        await unlink(tmp).catch(() => undefined);
        // ffmpeg can exit 0 with a truncated file when the disk fills: name the real cause.
        const fs = await statfs(destDir);
        if (fs.bavail * fs.bsize < 1024 * 1024) throw new Error(`ENOSPC: no space left on the archive disk (${destDir})`);
        throw new Error(`transcoded duration ${outMs} ms differs from the source's ${info.durationMs} ms`);
      }
      const sha256 = await sha256File(tmp);
      const tmpFh = await open(tmp, 'r+');
      await tmpFh.sync();
      await tmpFh.close();
      // A crash shows as a WAV header never finished: Asterisk writes the sizes only on close.
      const incomplete = info.headerIncomplete;
      const placed = await this.db.transaction().execute(async (trx) => {
        // Exactly once: the row lock makes a concurrent attempt (the sweeper's job beside a direct
        // rearchive, a job run twice after a worker lost its lock) wait here, then find the row
        // archived and drop its copy. So an archive file already there now is a crashed
        // attempt's, never a live one's, and is replaced; the chain entry and the file agree.
        const current = await lockRecordingRow(trx, rec.id);
        if (!current || !['recording', 'spooled', 'failed'].includes(current.status)) return undefined;
        const { location: dest, size } = await this.stores.writer.put(tmp, key);
        const row = await finishRecordingOnce(trx, rec.id, {
          status: incomplete ? 'incomplete' : 'archived',
          format: CODEC_EXT[this.s.codec],
          codec: this.s.codec,
          bitrate: this.s.codec === 'wav' ? null : this.s.bitrateKbps,
          archive_path: dest,
          duration_ms: outMs,
          source_duration_ms: info.durationMs,
          size_bytes: size,
          sha256,
          peaks: JSON.stringify(peaks),
          archived_at: new Date(),
          ended_at: rec.ended_at ?? new Date(),
          error: null,
        });
        if (!row) return undefined;
        await appendChainEntry(trx, rec.id, sha256);
        return { dest, size };
      });
      if (!placed) {
        await unlink(tmp).catch(() => undefined);
        log.info('archived by another attempt already; this copy is dropped');
        return;
      }
      const { dest, size } = placed;
      // Only now, with the row pointing at a verified, chained copy, does the raw recording go.
      await this.incoming.consumed(rec).catch((e: Error) => (leftover = e));
      this.onArchived(size);
      log.info({ durationMs: outMs, bytes: size, dest, incomplete }, 'recording archived');
      const published = this.events.publish('recording.archived', { recordingId: rec.id, callId: rec.call_id, kind: rec.kind, status: incomplete ? 'incomplete' : 'archived', durationMs: outMs, sizeBytes: size, sha256 });
      this.publishing.add(published);
      void published.finally(() => this.publishing.delete(published));
    } catch (err) {
      const msg = (err as Error).message;
      this.lastFailure = { at: Date.now(), message: msg };
      log.warn({ err: msg, final }, 'archiving failed; the raw recording is kept');
      await updateRecording(this.db, rec.id, final ? { status: 'failed', error: msg } : { error: msg });
      throw err;
    } finally {
      await raw?.cleanup().catch(() => undefined);
    }
    // The row is archived; only the raw copy is left over. The retried job removes it (above).
    if (leftover) throw new Error(`archived, but the raw recording is not removed yet: ${leftover.message}`);
  }
}

