// Where archived recordings live, behind one interface: the local filesystem by default, or an
// S3-compatible object store (ARCHIVE_STORE=s3), a configuration change and never a code
// change. A recording's `archive_path` is its location: an absolute path, or s3://bucket/key,
// so recordings archived before a switch stay readable.
import type { Readable } from 'node:stream';

export interface ArchiveStore {
  /** Local scratch file for the transcode of `key` (same filesystem as the archive, for fs). */
  scratchPath(key: string, suffix: string): Promise<string>;
  /**
   * Puts the verified local file at `key`, replacing what is there, and removes the local file.
   * Called under the recording's row lock (RecordingService.archive): whatever is there already
   * was left by a crashed attempt.
   */
  put(localFile: string, key: string): Promise<{ location: string; size: number }>;
  /** Does this store hold `location` (by its form)? */
  owns(location: string): boolean;
  /** Size in bytes; undefined when the object is missing. */
  size(location: string): Promise<number | undefined>;
  read(location: string, range?: { start: number; end: number }): Promise<Readable>;
  /** SHA-256 of the stored bytes; undefined when missing. */
  sha256(location: string): Promise<string | undefined>;
  /** Removes it; a missing object is not an error. */
  remove(location: string): Promise<void>;
}

/** The configured store writes; any store reads what it wrote (recordings from before a switch). */
export class ArchiveStores {
  constructor(readonly writer: ArchiveStore, private readonly all: readonly ArchiveStore[]) {}

  for(location: string): ArchiveStore {
    const s = this.all.find((x) => x.owns(location));
    if (!s) throw new Error(`no archive store for ${location}`);
    return s;
  }
}
