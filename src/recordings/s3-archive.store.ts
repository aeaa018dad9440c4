// The archive in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...): the same keys
// as on disk, location s3://<bucket>/<key>. Thin on purpose: the AWS SDK does the protocol.
// The transcode happens on local scratch space (RECORDINGS_DIR/.scratch) and only the verified
// copy is uploaded; the spool file is deleted only after the row points at the object.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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

export function s3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    // Checksums only where S3 requires them: newer SDKs otherwise stream uploads as
    // aws-chunked with trailing CRCs, which many S3-compatible stores do not take.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
  });
}

/** An object's size by HEAD; undefined when it is not there. */
export async function s3ObjectSize(client: S3Client, bucket: string, key: string): Promise<number | undefined> {
  try {
    const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return r.ContentLength;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

export class S3ArchiveStore implements ArchiveStore {
  private readonly client: S3Client;

  constructor(private readonly s: S3Settings, private readonly scratchDir: string) {
    this.client = s3Client(s);
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
    await this.client.send(
      new PutObjectCommand({ Bucket: this.s.bucket, Key: fullKey, Body: createReadStream(localFile), ContentLength: size, ContentType: key.endsWith('.opus') ? 'audio/ogg' : 'application/octet-stream' }),
    );
    await unlink(localFile);
    return { location: `s3://${this.s.bucket}/${fullKey}`, size };
  }

  owns(location: string): boolean {
    return location.startsWith('s3://');
  }

  async size(location: string): Promise<number | undefined> {
    const { bucket, key } = this.parse(location);
    return s3ObjectSize(this.client, bucket, key);
  }

  async read(location: string, range?: { start: number; end: number }): Promise<Readable> {
    const { bucket, key } = this.parse(location);
    const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
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
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
