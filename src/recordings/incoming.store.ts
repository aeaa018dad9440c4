// How a finished raw recording reaches whoever archives it (ARCHIVE_INCOMING). The archive
// worker may run inside the service on the PBX's machine or as `pbxdesk worker archive` on
// another one, which cannot read the PBX's local spool unless it is shared over a mount. So the
// raw side sits behind this interface, as the archived side sits behind ArchiveStore: the spool
// directory (a local or shared filesystem, the default), or an `incoming/` prefix in the S3 store.
//
// Custody: the raw recording is deleted only through `consumed`, which RecordingService.archive
// calls after the archived copy is verified, checksummed and chained. A worker killed before
// that leaves the raw recording where it was, and the retried job finds it again.
import { stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingRow } from './recording.table.js';

export type RawRecording = Pick<RecordingRow, 'name' | 'spool_path' | 'pbx_node'>;

export interface IncomingStore {
  /**
   * The service's side, before the archive job is queued: makes the finished spool file
   * available to the workers. Idempotent (the sweeper offers a recording again after a crash).
   */
  offer(rec: RawRecording): Promise<void>;
  /**
   * The worker's side: a local file holding the raw WAV; `cleanup` removes any local copy made
   * for this attempt (never the raw recording itself).
   */
  open(rec: RawRecording, attempt: string): Promise<{ file: string; cleanup(): Promise<void> }>;
  /** The archived copy is verified and chained (or the recording was erased): the raw recording goes. */
  consumed(rec: RawRecording): Promise<void>;
}

export async function unlinkIfThere(file: string): Promise<void> {
  await unlink(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/**
 * The spool file as this process sees it: where the row says, or else the same file name in
 * this process's RECORDINGS_SPOOL_DIR (a worker on another machine mounts the spool elsewhere).
 */
export async function localSpoolFile(spoolDir: string, rec: RawRecording): Promise<string> {
  const own = path.join(spoolDir, rec.spool_path ? path.basename(rec.spool_path) : `${rec.name}.wav`);
  if (!rec.spool_path || rec.spool_path === own) return own;
  return (await stat(rec.spool_path).catch(() => undefined)) ? rec.spool_path : own;
}

/** ARCHIVE_INCOMING=spool: the workers read the spool directory itself (local, or shared over a mount). */
export class SpoolIncomingStore implements IncomingStore {
  constructor(private readonly spoolDir: string) {}

  async offer(): Promise<void> {
    // Nothing to do: the file is already where the workers read it.
  }

  async open(rec: RawRecording): Promise<{ file: string; cleanup(): Promise<void> }> {
    return { file: await localSpoolFile(this.spoolDir, rec), cleanup: async () => undefined };
  }

  async consumed(rec: RawRecording): Promise<void> {
    await unlinkIfThere(await localSpoolFile(this.spoolDir, rec));
  }
}
