// ARCHIVE_INCOMING=s3: finished raw recordings wait for the archive workers in the S3 store,
// under <S3_PREFIX>incoming/<node>/<name>.wav, so a worker on any machine that reaches the store
// can archive them without a shared filesystem. The service uploads each finished spool file
// (and deletes it only once the object is there at its full size); the worker downloads it to
// local scratch space and deletes the object after the archived copy is verified and chained.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { localSpoolFile, unlinkIfThere, type IncomingStore, type RawRecording } from './incoming.store.js';
import { S3Connection, s3ObjectSize, type S3Settings } from './s3-archive.store.js';

export class S3IncomingStore implements IncomingStore {
  private readonly s3: S3Connection;

  constructor(private readonly s: S3Settings, private readonly spoolDir: string, private readonly scratchDir: string) {
    this.s3 = new S3Connection(s);
  }

  key(rec: RawRecording): string {
    return `${this.s.prefix}incoming/${rec.pbx_node}/${rec.name}.wav`;
  }

  async offer(rec: RawRecording): Promise<void> {
    const local = await localSpoolFile(this.spoolDir, rec);
    const st = await stat(local).catch(() => undefined);
    // Gone already: uploaded by an earlier offer (the sweeper offers again after a crash).
    if (!st) return;
    const Key = this.key(rec);
    const { sdk: m, client } = await this.s3.get();
    await client.send(new m.PutObjectCommand({ Bucket: this.s.bucket, Key, Body: createReadStream(local), ContentLength: st.size, ContentType: 'audio/wav' }));
    const stored = await s3ObjectSize(this.s3, this.s.bucket, Key);
    if (stored !== st.size) throw new Error(`incoming ${Key} holds ${stored ?? 'nothing'} of ${st.size} bytes; the spool file is kept`);
    await unlinkIfThere(local);
  }

  async open(rec: RawRecording, attempt: string): Promise<{ file: string; cleanup(): Promise<void> }> {
    const Key = this.key(rec);
    const { sdk: m, client } = await this.s3.get();
    let body: Readable;
    try {
      body = (await client.send(new m.GetObjectCommand({ Bucket: this.s.bucket, Key }))).Body as Readable;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name !== 'NoSuchKey' && e.$metadata?.httpStatusCode !== 404) throw err;
      // Never offered: queued before the switch to ARCHIVE_INCOMING=s3, and this worker runs
      // where the spool is. Archived from there; any other worker fails the attempt (retried).
      const local = await localSpoolFile(this.spoolDir, rec);
      if (await stat(local).catch(() => undefined)) return { file: local, cleanup: async () => undefined };
      throw new Error(`the raw recording is neither in the incoming store (${Key}) nor in the spool here`);
    }
    await mkdir(this.scratchDir, { recursive: true });
    // Per attempt: a worker killed mid-download must not collide with the next attempt's file.
    const file = path.join(this.scratchDir, `${rec.pbx_node}-${rec.name}.${attempt}.wav`);
    try {
      await pipeline(body, createWriteStream(file));
    } catch (err) {
      await unlinkIfThere(file);
      throw err;
    }
    return { file, cleanup: () => unlinkIfThere(file) };
  }

  async consumed(rec: RawRecording): Promise<void> {
    const { sdk: m, client } = await this.s3.get();
    await client.send(new m.DeleteObjectCommand({ Bucket: this.s.bucket, Key: this.key(rec) }));
    // A recording archived from the spool here (see open) is removed there too.
    await unlinkIfThere(await localSpoolFile(this.spoolDir, rec));
  }
}
