// `pbxdesk worker archive` as its own process beside a service that runs no archive worker
// (ARCHIVE_WORKERS=external), given no ARI/AMI credentials nor the token key, as on another
// machine. First the raw recording comes through the S3 store's incoming/ (the service uploads
// it and drops the spool file; the worker sees no spool at all); then through the spool shared
// "over a mount" (a symlink at another path). Custody fields are checked each time, and SIGTERM
// in the middle of a transcode lets the job in hand finish before the worker exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { sha256File } from '../../src/recordings/fs-archive.store.js';
import { RecordingArchiveQueue } from '../../src/recordings/recording-archive.queue.js';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';

const bucket = 'pbxdesk-incoming';
const prefix = uniq('ext-');
const creds = { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };
let s3server: S3rver;
let s3: S3Client;
let s3env: Record<string, string>;
let t: TestApp;
const temps: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-s3-'));
  temps.push(dir);
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await s3server.run();
  s3env = { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: bucket, S3_PREFIX: 'rec/', ...creds };
  s3 = new S3Client({ endpoint: s3env.S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t = await startTestApp({ PBXDESK_QUEUE_PREFIX: prefix, ARCHIVE_WORKERS: 'external', ARCHIVE_INCOMING: 's3', ...s3env });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.stop();
  await s3server?.close();
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

/** The worker as an admin starts it on another machine: no Asterisk or token secrets in its environment. */
function startWorker(env: Record<string, string>) {
  const base: Record<string, string | undefined> = { ...process.env, PBXDESK_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', ...env };
  for (const k of ['ARI_URL', 'PBX_ARI_USER', 'PBX_ARI_PASSWORD', 'PBX_AMI_USER', 'PBX_AMI_SECRET', 'PBXDESK_SECRET_KEY']) delete base[k];
  const p = spawn('node', ['dist/src/cli.js', 'worker', 'archive', '--concurrency', '2'], { env: base, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const ready = waitFor('the worker to be ready', async () => {
    if (p.exitCode !== null) throw new Error(`the worker exited ${p.exitCode}: ${out}`);
    return out.includes('archive worker ready');
  });
  // A failed test must not leave its worker on the queue for the next one.
  const stop = () => void (p.exitCode === null && p.signalCode === null && p.kill('SIGKILL'));
  return { p, exited, out: () => out, ready, stop };
}

async function expectArchived(recordingId: string, callId: string, spool: string) {
  const r = await db.selectFrom('recordings').selectAll().where('id', '=', recordingId).executeTakeFirstOrThrow();
  expect(r.status).toBe('archived');
  expect(r.codec).toBe('opus');
  expect(r.archive_path).toBe(path.join(process.env.RECORDINGS_DIR as string, ...(r.ended_at as Date).toISOString().slice(0, 10).split('-'), `${callId}.opus`));
  const file = r.archive_path as string;
  expect(r.sha256).toBe(await sha256File(file));
  expect(Number(r.size_bytes)).toBe((await stat(file)).size);
  expect(Math.abs((r.duration_ms ?? 0) - (r.source_duration_ms ?? -1000))).toBeLessThanOrEqual(100);
  const chain = await db.selectFrom('recording_chain').select('file_sha256').where('recording_id', '=', recordingId).execute();
  expect(chain).toEqual([{ file_sha256: r.sha256 }]);
  // Stored by the worker for the services' outbound workers to deliver (just after the archive commits).
  await waitFor('the recording.archived event', async () => {
    const ev = await sql<{ n: string }>`SELECT count(*) AS n FROM outbound_events WHERE type = 'recording.archived' AND payload->>'recordingId' = ${recordingId}`.execute(db);
    return Number(ev.rows[0]?.n) === 1;
  });
  expect(existsSync(spool)).toBe(false);
}

const archived = (id: string) =>
  waitFor(`recording ${id} archived by the worker`, async () => (await db.selectFrom('recordings').select('status').where('id', '=', id).executeTakeFirst())?.status === 'archived');

describe('pbxdesk worker archive', () => {
  it('archives what the service hands over through the S3 incoming store, and removes it from there', async () => {
    const nospool = await mkdtemp(path.join(tmpdir(), 'pbxdesk-nospool-'));
    temps.push(nospool);
    const w = startWorker({ ARCHIVE_INCOMING: 's3', ...s3env, RECORDINGS_SPOOL_DIR: nospool });
    onTestFinished(w.stop);
    await w.ready;
    const r = await spooledRecording({ seconds: 5 });
    // As after a hangup: the recording closes and the service hands it over.
    await db.updateTable('recordings').set({ status: 'recording' }).where('id', '=', r.rec.id).execute();
    await t.app.recordings.finished(r.rec.name);
    await archived(r.rec.id);
    // By the child, the only worker on the queue (it logs just after the row is archived).
    await waitFor('the worker to log the archive', async () => w.out().includes(r.rec.id));
    await expectArchived(r.rec.id, r.call.id, r.spool);
    const key = `rec/incoming/${DEFAULT_PBX_NODE}/${r.rec.name}.wav`;
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const scratch = await readdir(path.join(process.env.RECORDINGS_DIR as string, '.scratch', 'incoming')).catch(() => [] as string[]);
    expect(scratch.filter((f) => f.includes(r.rec.name))).toEqual([]);
    w.p.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });

  it('reads a spool shared at another path, and on SIGTERM finishes the job in hand, then exits 0', async () => {
    const mount = await mkdtemp(path.join(tmpdir(), 'pbxdesk-mount-'));
    temps.push(mount);
    await symlink(process.env.RECORDINGS_SPOOL_DIR as string, path.join(mount, 'recording'));
    const w = startWorker({ ARCHIVE_INCOMING: 'spool', RECORDINGS_SPOOL_DIR: path.join(mount, 'recording') });
    onTestFinished(w.stop);
    await w.ready;
    const redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
    const queue = new RecordingArchiveQueue(redis, prefix, DEFAULT_PBX_NODE, { attempts: 3, backoffMs: 100 });
    try {
      const a = await spooledRecording({ seconds: 5 });
      await queue.enqueue(a.rec.id);
      await archived(a.rec.id);
      await expectArchived(a.rec.id, a.call.id, a.spool);

      const b = await spooledRecording({ seconds: 300 }); // a transcode of a second or so
      await queue.enqueue(b.rec.id);
      await waitFor('the transcode to start', async () => ((await db.selectFrom('recordings').select('attempts').where('id', '=', b.rec.id).executeTakeFirst())?.attempts ?? 0) >= 1);
      w.p.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      expect(w.out()).toContain('archive worker stopped');
      // Finished before the exit, not left to another worker.
      await expectArchived(b.rec.id, b.call.id, b.spool);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
