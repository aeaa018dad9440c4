// The archive worker killed (SIGKILL) in the middle of a transcode: BullMQ hands the stalled
// job to the next worker once the dead one's lock lapses, and the recording is archived and
// chained exactly once.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingArchiveQueue } from '../../src/recordings/recording-archive.queue.js';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { stackServicePort } from '../support/stack.js';

let next: TestApp | undefined;
afterAll(async () => next?.stop());

describe('archive worker killed mid-transcode', () => {
  it('reprocesses the job once, with one archived file and one chain entry', async () => {
    const prefix = uniq('crash-');
    const port = stackServicePort();
    const proc = spawn('node', ['dist/src/main.js'], {
      env: { ...process.env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', PBXDESK_QUEUE_PREFIX: prefix },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => proc.on('exit', r));
    await waitFor('the worker process', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok);

    const { rec, spool } = await spooledRecording({ seconds: 600 }); // 10 minutes: a transcode of a second or two
    const redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: null });
    const queue = new RecordingArchiveQueue(redis, prefix, DEFAULT_PBX_NODE, { attempts: 3, backoffMs: 100 });
    await queue.enqueue(rec.id);
    await waitFor('the transcode to start', async () => {
      const r = await db.selectFrom('recordings').select('attempts').where('id', '=', rec.id).executeTakeFirst();
      return (r?.attempts ?? 0) >= 1;
    });
    proc.kill('SIGKILL');
    await exited;
    await queue.close();
    redis.disconnect();

    next = await startTestApp({ PBXDESK_QUEUE_PREFIX: prefix });
    const done = await waitFor('the stalled job to be archived by the next worker', async () => {
      const r = await db.selectFrom('recordings').select(['status', 'attempts']).where('id', '=', rec.id).executeTakeFirst();
      return r?.status === 'archived' ? r : undefined;
    }, 100_000);
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const chain = await sql<{ n: string }>`SELECT count(*) AS n FROM recording_chain WHERE recording_id = ${rec.id}`.execute(db);
    expect(Number(chain.rows[0]?.n)).toBe(1);
    expect(existsSync(spool)).toBe(false);
  }, 180_000);
});
