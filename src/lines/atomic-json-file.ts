// A configuration file the admin API rewrites (the lines, the IVR flow): each document is written
// beside the file and renamed over it, so a crash mid-write never leaves half a file, and writes
// go one at a time in the order they were asked for, so the file ends as the last accepted one.
import { rename, writeFile } from 'node:fs/promises';

export class AtomicJsonFile {
  private last: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  write(doc: unknown): Promise<void> {
    const next = this.last.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
      await rename(tmp, this.path);
    });
    this.last = next.catch(() => undefined);
    return next;
  }
}
