// Chain of custody against real ffmpeg, Postgres and Redis: tampering is found, every access
// is audited with the bytes it streamed, operators hear only their own calls, and retention
// never touches what is on legal hold.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.stop();
});

function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  return cliWith({}, ...args);
}

function cliWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', ['dist/src/cli.js', ...args], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

async function archived(opts: Parameters<typeof spooledRecording>[0] = {}) {
  const r = await spooledRecording(opts);
  await t.app.recordings.archive(r.rec.id, true);
  const rec = (await t.api<{ status: string; path: string; sha256: string; durationMs: number; sourceDurationMs: number }>('GET', `/api/recordings/${r.rec.id}`)).body;
  return { ...r, archived: rec };
}

async function operatorToken(): Promise<{ id: string; token: string }> {
  const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('cu'), name: 'Custody', line: 'first', sipPassword: 'long-enough-secret' });
  const tok = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('op-'), role: 'operator', operatorId: op.body.id });
  return { id: op.body.id, token: tok.body.token };
}

describe('archive pipeline', () => {
  it('transcodes to Opus within 0.1 s of the source, checksums and removes the spool file', async () => {
    const { archived: rec, spool } = await archived({ seconds: 6 });
    expect(rec.status).toBe('archived');
    expect(rec.path).toMatch(/\.opus$/);
    expect(Math.abs(rec.durationMs - rec.sourceDurationMs)).toBeLessThanOrEqual(100);
    expect(Math.abs(rec.sourceDurationMs - 6000)).toBeLessThanOrEqual(50);
    expect(existsSync(spool)).toBe(false);
    // 16 kb/s Opus: about 2 KB a second, against 16 KB a second of WAV.
    expect((await stat(rec.path)).size).toBeLessThan(6 * 4000);
  });
});

describe('re-archiving', () => {
  it('archives a recording whose job failed for good, from the CLI', async () => {
    const r = await spooledRecording();
    await sql`UPDATE recordings SET status = 'failed', error = 'simulated' WHERE id = ${r.rec.id}`.execute(db);
    const c = await cli('recordings', 'rearchive', '--status', 'failed', '--id', r.rec.id);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('1 of 1 archived');
    const rec = (await t.api<{ status: string; error: string | null }>('GET', `/api/recordings/${r.rec.id}`)).body;
    expect(rec).toMatchObject({ status: 'archived', error: null });
    const audit = await t.api<{ entries: { action: string }[] }>('GET', `/api/recordings/${r.rec.id}/audit`);
    expect(audit.body.entries.map((e) => e.action)).toContain('rearchive');
  });
});

describe('integrity', () => {
  it('reports a file altered by one byte, through the API and the CLI', async () => {
    const { rec, archived: a } = await archived();
    const clean = (await t.api<{ ok: boolean; entries: number; filesChecked: number; problems: unknown[] }>('GET', '/api/recordings/verify')).body;
    // Which recording broke the chain, when one does, is in the message.
    expect(clean.ok, JSON.stringify(clean.problems)).toBe(true);
    expect(clean.entries).toBeGreaterThanOrEqual(1);
    expect(clean.filesChecked).toBeGreaterThanOrEqual(1);
    const fh = await open(a.path, 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, 200);
    await fh.write(Buffer.from([b[0]! ^ 0xff]), 0, 1, 200);
    try {
      const report = await t.api<{ ok: boolean; problems: { recordingId: string; problem: string }[] }>('GET', '/api/recordings/verify');
      expect(report.body.ok).toBe(false);
      expect(report.body.problems).toContainEqual(expect.objectContaining({ recordingId: rec.id, problem: 'altered' }));
      const c = await cli('recordings', 'verify');
      expect(c.code).toBe(1);
      expect(c.stdout).toContain(`altered\trecording ${rec.id}`);
    } finally {
      await fh.write(b, 0, 1, 200);
      await fh.close();
    }
    expect((await cli('recordings', 'verify')).code).toBe(0);
  });

  it('keeps the chain and the audit log append-only in the database itself', async () => {
    await expect(sql`UPDATE recording_chain SET file_sha256 = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM recording_audit`.execute(db)).rejects.toThrow(/append-only/);
  });
});

describe('access', () => {
  it('streams byte ranges and audits exactly the range streamed', async () => {
    const { rec, archived: a } = await archived();
    const res = await fetch(`${t.base}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${t.adminToken}`, range: 'bytes=100-299' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-299/${(await stat(a.path)).size}`);
    expect((await res.arrayBuffer()).byteLength).toBe(200);
    const audit = await t.api<{ entries: { action: string; ranges: string; role: string }[] }>('GET', `/api/recordings/${rec.id}/audit`);
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'play', role: 'admin', ranges: expect.stringMatching(/^100-299\//) }));
    const bad = await fetch(`${t.base}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${t.adminToken}`, range: 'bytes=99999999-' } });
    expect(bad.status).toBe(416);
  });

  it('needs a reason to download, and records it', async () => {
    const { rec } = await archived();
    const h = { authorization: `Bearer ${t.adminToken}` };
    const no = await fetch(`${t.base}/api/recordings/${rec.id}/audio?download=true`, { headers: h });
    expect(no.status).toBe(400);
    expect(((await no.json()) as { error: { code: string } }).error.code).toBe('reason_required');
    const yes = await fetch(`${t.base}/api/recordings/${rec.id}/audio?download=true&reason=${encodeURIComponent('спор о тарифе #4711')}`, { headers: h });
    expect(yes.status).toBe(200);
    expect(yes.headers.get('content-disposition')).toContain('attachment');
    await yes.arrayBuffer();
    const audit = await t.api<{ entries: { action: string; reason: string }[] }>('GET', `/api/recordings/${rec.id}/audit`);
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'download', reason: 'спор о тарифе #4711' }));
  });

  it('lets an operator hear only the calls they took, auditing a refusal', async () => {
    const owner = await operatorToken();
    const other = await operatorToken();
    const { rec } = await archived({ operatorId: owner.id });
    expect((await t.api('GET', `/api/recordings/${rec.id}`, undefined, owner.token)).status).toBe(200);
    const own = await fetch(`${t.base}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(own.status).toBe(200);
    await own.arrayBuffer();
    expect((await t.api('GET', `/api/recordings/${rec.id}/audio`, undefined, other.token)).status).toBe(403);
    const mine = await t.api<{ recordings: { id: string }[] }>('GET', '/api/recordings', undefined, other.token);
    expect(mine.body.recordings.map((r) => r.id)).not.toContain(rec.id);
    const audit = await t.api<{ entries: { action: string; operatorId: string }[] }>('GET', `/api/recordings/${rec.id}/audit`);
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'denied', operatorId: other.id }));
    expect((await t.api('GET', `/api/recordings/${rec.id}/audit`, undefined, owner.token)).status).toBe(403);
  });

  it('finds recordings by caller, line and duration', async () => {
    const { rec } = await archived({ seconds: 5 });
    const found = await t.api<{ recordings: { id: string }[] }>('GET', '/api/recordings?caller=79990000000&line=first&minDuration=4&limit=500');
    expect(found.body.recordings.map((r) => r.id)).toContain(rec.id);
    const none = await t.api<{ recordings: { id: string }[] }>('GET', '/api/recordings?caller=79990000000&minDuration=60');
    expect(none.body.recordings.map((r) => r.id)).not.toContain(rec.id);
  });
});

describe('retention', () => {
  it('purges what is past retention and never what is on legal hold', async () => {
    const old = await archived();
    const held = await archived();
    const heldByTicket = await archived();
    const ids = [old.rec.id, held.rec.id, heldByTicket.rec.id];
    await sql`UPDATE recordings SET started_at = now() - interval '400 days' WHERE id IN (${sql.join(ids)})`.execute(db);
    expect((await t.api('PUT', `/api/recordings/${held.rec.id}/legal-hold`, { hold: true, reason: 'court order 12/34' })).status).toBe(200);
    expect((await t.api('PUT', `/api/tickets/${heldByTicket.ticket.id}/legal-hold`, { hold: true, reason: 'dispute' })).status).toBe(200);

    const dry = await cli('retention', 'purge', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would delete\t${old.rec.id}`);
    expect(dry.stdout).not.toContain(held.rec.id);
    expect(dry.stdout).not.toContain(heldByTicket.rec.id);
    expect(existsSync(old.archived.path)).toBe(true);

    expect((await cli('retention', 'purge', '--yes')).code).toBe(0);
    expect(existsSync(old.archived.path)).toBe(false);
    expect((await t.api<{ status: string }>('GET', `/api/recordings/${old.rec.id}`)).body.status).toBe('purged');
    expect(existsSync(held.archived.path)).toBe(true);
    expect(existsSync(heldByTicket.archived.path)).toBe(true);
    const audit = await t.api<{ entries: { action: string }[] }>('GET', `/api/recordings/${old.rec.id}/audit`);
    expect(audit.body.entries.map((e) => e.action)).toContain('purge');
    const verified = await cli('recordings', 'verify');
    expect(verified.code, verified.stdout).toBe(0);
  });

  it("purges every line's recordings at the line's own retention: a third line's, and one no longer configured", async () => {
    const third = await archived();
    const vip = await archived();
    const ids = [third.rec.id, vip.rec.id];
    await sql`UPDATE calls SET line = 'third' WHERE id = ${third.call.id}`.execute(db);
    await sql`UPDATE calls SET line = 'vip' WHERE id = ${vip.call.id}`.execute(db);
    await sql`UPDATE recordings SET started_at = now() - interval '400 days' WHERE id IN (${sql.join(ids)})`.execute(db);
    // 365 days for every line, 500 for the vip line (not in the default configuration: still its recordings' rule).
    const dry = await cliWith({ RECORDING_RETENTION_DAYS: '365,vip=500' }, 'retention', 'purge', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would delete\t${third.rec.id}`);
    expect(dry.stdout).not.toContain(vip.rec.id);
    expect((await cliWith({ RECORDING_RETENTION_DAYS: '365,vip=500' }, 'retention', 'purge', '--yes')).code).toBe(0);
    expect(existsSync(third.archived.path)).toBe(false);
    expect(existsSync(vip.archived.path)).toBe(true);
    // Past the vip line's own days too, it goes.
    expect((await cliWith({ RECORDING_RETENTION_DAYS: '365,vip=300' }, 'retention', 'purge', '--yes')).code).toBe(0);
    expect(existsSync(vip.archived.path)).toBe(false);
  });
});
