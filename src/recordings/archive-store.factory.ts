import path from 'node:path';
import { ArchiveStores } from './archive.store.js';
import { FsArchiveStore } from './fs-archive.store.js';
import { S3ArchiveStore, type S3Settings } from './s3-archive.store.js';

export interface StoreSettings {
  archiveDir: string;
  /** fs (default) or s3; with s3 the archive dir is only local scratch space. */
  store?: 'fs' | 's3';
  s3?: S3Settings | undefined;
}

/** The configured store for writing, and every store that can read an existing location. */
export function makeArchiveStores(s: StoreSettings): ArchiveStores {
  const fs = new FsArchiveStore(s.archiveDir);
  const s3 = s.s3 ? new S3ArchiveStore(s.s3, path.join(s.archiveDir, '.scratch')) : undefined;
  if (s.store === 's3' && !s3) throw new Error('ARCHIVE_STORE=s3 needs the S3_* settings');
  return new ArchiveStores(s.store === 's3' && s3 ? s3 : fs, s3 ? [fs, s3] : [fs]);
}
