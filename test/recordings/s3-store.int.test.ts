// The recording archive in an S3-compatible object store, switched on by configuration only
// (ARCHIVE_STORE=s3): archived, checksummed and chained as on disk, played back with ranges,
// tampering in the bucket detected by the chain, and erased from the bucket. The store here is
// s3rver, an S3-compatible server on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';

const bucket = 'pbxdesk-archive';
let s3server: S3rver;
let s3: S3Client;
let t: TestApp;
let s3dir: string | undefined;
beforeAll(async () => {
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: (s3dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-s3-'))), configureBuckets: [{ name: bucket }] });
  const { port } = await s3server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  t = await startTestApp({
    ARCHIVE_STORE: 's3',
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_PREFIX: 'recordings/',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
});
afterAll(async () => {
  await t?.stop();
  await s3server?.close();
  if (s3dir) await rm(s3dir, { recursive: true, force: true });
});

const bytesOf = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

describe('the archive in an S3-compatible store', () => {
  it('archives, plays with ranges, detects tampering, and erases, all in the bucket', async () => {
    const r = await spooledRecording({ seconds: 5 });
    await t.app.recordings.archive(r.rec.id, true);
    const rec = (await t.api<{ status: string; path: string; sha256: string; sizeBytes: number; codec: string }>('GET', `/api/recordings/${r.rec.id}`)).body;
    expect(rec.status).toBe('archived');
    expect(rec.path).toMatch(new RegExp(`^s3://${bucket}/recordings/\\d{4}/\\d{2}/\\d{2}/${r.call.id}\\.opus$`));
    expect(existsSync(r.spool)).toBe(false);
    const key = rec.path.slice(`s3://${bucket}/`.length);
    const stored = await bytesOf(key);
    expect(stored.length).toBe(rec.sizeBytes);

    const part = await fetch(`${t.base}/api/recordings/${r.rec.id}/audio`, { headers: { authorization: `Bearer ${t.adminToken}`, range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${rec.sizeBytes}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(stored.subarray(100, 200));

    const mine = async () => (await t.api<{ problems: { recordingId: string; problem: string }[] }>('GET', '/api/recordings/verify')).body.problems.filter((p) => p.recordingId === r.rec.id);
    expect(await mine()).toEqual([]);
    // One byte changed in the bucket: the chain says so. Then the original goes back.
    const altered = Buffer.from(stored);
    altered[altered.length - 10] = (altered[altered.length - 10] ?? 0) ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: altered }));
    expect(await mine()).toEqual([expect.objectContaining({ problem: 'altered' })]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stored }));
    expect(await mine()).toEqual([]);

    // Erasure (GDPR) removes the object from the bucket.
    const account = uniq('acc-');
    await db.updateTable('calls').set({ verification_status: 'verified', verified_account_id: account }).where('id', '=', r.call.id).execute();
    const erased = await t.api<{ erased: string[] }>('POST', `/api/accounts/${account}/erase-recordings`, { reason: 'GDPR request, S3 archive' });
    expect(erased.body.erased).toEqual([r.rec.id]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});
