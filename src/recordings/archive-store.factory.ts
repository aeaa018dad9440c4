import path from 'node:path';
import { ArchiveStores } from './archive.store.js';
import { FsArchiveStore } from './fs-archive.store.js';
import { S3ArchiveStore, type S3Settings } from './s3-archive.store.js';
import { SpoolIncomingStore, type IncomingStore } from './incoming.store.js';
import { S3IncomingStore } from './s3-incoming.store.js';

export interface StoreSettings {
  archiveDir: string;
  /** fs (default) or s3; with s3 the archive dir is only local scratch space. */
  store?: 'fs' | 's3';
  s3?: S3Settings | undefined;
  /** How raw recordings reach the archive workers (ARCHIVE_INCOMING): the spool dir (default) or S3's incoming/. */
  incoming?: 'spool' | 's3';
}

/** The configured store for writing, and every store that can read an existing location. */
export function makeArchiveStores(s: StoreSettings): ArchiveStores {
  const fs = new FsArchiveStore(s.archiveDir);
  const s3 = s.s3 ? new S3ArchiveStore(s.s3, path.join(s.archiveDir, '.scratch')) : undefined;
  if (s.store === 's3' && !s3) throw new Error('ARCHIVE_STORE=s3 needs the S3_* settings');
  return new ArchiveStores(s.store === 's3' && s3 ? s3 : fs, s3 ? [fs, s3] : [fs]);
}

/** Where finished raw recordings wait for the archive workers (ARCHIVE_INCOMING). */
export function makeIncomingStore(s: StoreSettings & { spoolDir: string }): IncomingStore {
  if (s.incoming !== 's3') return new SpoolIncomingStore(s.spoolDir);
  if (!s.s3) throw new Error('ARCHIVE_INCOMING=s3 needs the S3_* settings');
  return new S3IncomingStore(s.s3, s.spoolDir, path.join(s.archiveDir, '.scratch', 'incoming'));
}
