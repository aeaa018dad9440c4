// The archive on the local filesystem: <archive dir>/YYYY/MM/DD/<call-id>.opus.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ArchiveStore } from './archive.store.js';

export class FsArchiveStore implements ArchiveStore {
  constructor(private readonly dir: string) {}

  async scratchPath(key: string, suffix: string): Promise<string> {
    const dest = path.join(this.dir, key);
    await mkdir(path.dirname(dest), { recursive: true });
    return `${dest}.${suffix}.part`;
  }

  /** rename() puts the file in place atomically (scratch and archive share the filesystem). */
  async put(localFile: string, key: string): Promise<{ location: string; size: number }> {
    const dest = path.join(this.dir, key);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(localFile, dest);
    return { location: dest, size: (await stat(dest)).size };
  }

  owns(location: string): boolean {
    return path.isAbsolute(location);
  }

  async size(location: string): Promise<number | undefined> {
    return (await stat(location).catch(() => undefined))?.size;
  }

  async read(location: string, range?: { start: number; end: number }): Promise<Readable> {
    return createReadStream(location, range ?? {});
  }

  async sha256(location: string): Promise<string | undefined> {
    return sha256File(location).catch(() => undefined);
  }

  async remove(location: string): Promise<void> {
    await unlink(location).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false })) h.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}
