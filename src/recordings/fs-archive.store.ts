// The archive on the local filesystem: <archive dir>/YYYY/MM/DD/<call-id>.opus.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AlreadyArchivedError, type ArchiveStore } from './archive.store.js';

export class FsArchiveStore implements ArchiveStore {
  constructor(private readonly dir: string) {}

  async scratchPath(key: string, suffix: string): Promise<string> {
    const dest = path.join(this.dir, key);
    await mkdir(path.dirname(dest), { recursive: true });
    return `${dest}.${suffix}.part`;
  }

  /** link() refuses an existing name; an existing file whose row is not archived is a crashed attempt's, and goes. */
  async put(localFile: string, key: string, archivedAlready: () => Promise<boolean>): Promise<{ location: string; size: number }> {
    const dest = path.join(this.dir, key);
    await mkdir(path.dirname(dest), { recursive: true });
    try {
      await link(localFile, dest);
      await unlink(localFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await archivedAlready()) {
        await unlink(localFile);
        throw new AlreadyArchivedError();
      }
      await rename(localFile, dest);
    }
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
