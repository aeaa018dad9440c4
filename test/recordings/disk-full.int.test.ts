// A full archive disk: the job fails visibly (row, BullMQ, /readyz), and the spool file stays
// so nothing is lost once space is back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from '../support/app.js';
import { spooledRecording } from '../support/recordings.js';

const mnt = mkdtempSync(path.join(tmpdir(), 'pbxdesk-full-'));
let t: TestApp;
beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt]);
  t = await startTestApp({ RECORDINGS_DIR: mnt, ARCHIVE_ATTEMPTS: '2', ARCHIVE_BACKOFF_MS: '50', METRICS_TOKEN: 'metrics-token-disk-full' });
});
afterAll(async () => {
  await t?.stop();
  execFileSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe('archive disk full', () => {
  it('fails the job visibly, warns in /readyz and keeps the spool file', async () => {
    const { rec, spool } = await spooledRecording({ seconds: 20 });
    await t.app.calls.sweepRecordings();
    const failed = await waitFor('the recording to be marked failed', async () => {
      const r = await t.api<{ status: string; error: string }>('GET', `/api/recordings/${rec.id}`);
      return r.body.status === 'failed' ? r.body : undefined;
    });
    expect(failed.error).toMatch(/ENOSPC|No space left/);
    expect(existsSync(spool)).toBe(true);
    const ready = (await (await fetch(`${t.base}/readyz`)).json()) as { warnings: string[] };
    expect(ready.warnings.join(' ')).toMatch(/recordings: archiving failed/);
    const metrics = await (await fetch(`${t.base}/metrics`, { headers: { authorization: 'Bearer metrics-token-disk-full' } })).text();
    expect(metrics).toMatch(/pbxdesk_queue_jobs\{queue="recording-archive",state="failed"\} [1-9]/);
    expect(metrics).toMatch(/pbxdesk_job_failures_total\{queue="recording-archive"\} [1-9]/);
  });
});
