// The archive in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...): the same keys
// as on disk, location s3://<bucket>/<key>. Thin on purpose: the AWS SDK does the protocol.
// The transcode happens on local scratch space (RECORDINGS_DIR/.scratch) and only the verified
// copy is uploaded; the spool file is deleted only after the row points at the object.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStore } from './archive.store.js';

export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  prefix: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<Sdk> | undefined;

/**
 * The AWS SDK and one client, made on the first request. The SDK is about 230 ms of module
 * loading, paid at every start (a restart after a crash included) by installations that archive
 * to disk, had it been imported at the top.
 */
export class S3Connection {
  private made: Promise<{ sdk: Sdk; client: S3Client }> | undefined;

  constructor(private readonly s: S3Settings) {}

  get(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.made ??= (sdk ??= import('@aws-sdk/client-s3')).then((m) => ({
      sdk: m,
      client: new m.S3Client({
        region: this.s.region,
        ...(this.s.endpoint ? { endpoint: this.s.endpoint } : {}),
        forcePathStyle: this.s.forcePathStyle,
        // Checksums only where S3 requires them: newer SDKs otherwise stream uploads as
        // aws-chunked with trailing CRCs, which many S3-compatible stores do not take.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        credentials: { accessKeyId: this.s.accessKeyId, secretAccessKey: this.s.secretAccessKey },
      }),
    }));
    return this.made;
  }
}

/** An object's size by HEAD; undefined when it is not there. */
export async function s3ObjectSize(s3: S3Connection, bucket: string, key: string): Promise<number | undefined> {
  const { sdk: m, client } = await s3.get();
  try {
    const r = await client.send(new m.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return r.ContentLength;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

export class S3ArchiveStore implements ArchiveStore {
  private readonly s3: S3Connection;

  constructor(private readonly s: S3Settings, private readonly scratchDir: string) {
    this.s3 = new S3Connection(s);
  }

  private parse(location: string): { bucket: string; key: string } {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    if (!m) throw new Error(`not an s3 location: ${location}`);
    return { bucket: m[1] as string, key: m[2] as string };
  }

  async scratchPath(key: string, suffix: string): Promise<string> {
    await mkdir(this.scratchDir, { recursive: true });
    return path.join(this.scratchDir, `${key.replace(/\//g, '_')}.${suffix}.part`);
  }

  async put(localFile: string, key: string): Promise<{ location: string; size: number }> {
    const fullKey = `${this.s.prefix}${key}`;
    const { size } = await stat(localFile);
    const { sdk: m, client } = await this.s3.get();
    await client.send(
      new m.PutObjectCommand({ Bucket: this.s.bucket, Key: fullKey, Body: createReadStream(localFile), ContentLength: size, ContentType: key.endsWith('.opus') ? 'audio/ogg' : 'application/octet-stream' }),
    );
    await unlink(localFile);
    return { location: `s3://${this.s.bucket}/${fullKey}`, size };
  }

  owns(location: string): boolean {
    return location.startsWith('s3://');
  }

  async size(location: string): Promise<number | undefined> {
    const { bucket, key } = this.parse(location);
    return s3ObjectSize(this.s3, bucket, key);
  }

  async read(location: string, range?: { start: number; end: number }): Promise<Readable> {
    const { bucket, key } = this.parse(location);
    const { sdk: m, client } = await this.s3.get();
    const r = await client.send(new m.GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
    return r.Body as Readable;
  }

  async sha256(location: string): Promise<string | undefined> {
    if ((await this.size(location)) === undefined) return undefined;
    const h = createHash('sha256');
    for await (const chunk of await this.read(location)) h.update(chunk as Buffer);
    return h.digest('hex');
  }

  async remove(location: string): Promise<void> {
    const { bucket, key } = this.parse(location);
    const { sdk: m, client } = await this.s3.get();
    await client.send(new m.DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
