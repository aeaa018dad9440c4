// Each admin CLI command, run as a process the way an admin runs it, against the real stack.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocPorts, registerPhone } from './harness/sipp-driver.js';
import { startTestApp, uniq, type TestApp } from './support/app.js';

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', ['dist/src/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

describe('pbxdesk CLI', () => {
  it('config-doc prints the settings table, and the README carries it unchanged', async () => {
    const r = await cli('config-doc');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| `DATABASE_URL` | **required** |');
    const readme = await readFile('README.md', 'utf8');
    const block = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme)?.[1];
    expect(block, 'README has no settings block; paste `pbxdesk config-doc` between the markers').toBe(r.stdout.trim());
  });

  it('ivr validate accepts the shipped flow and names the path of an error', async () => {
    const ok = await cli('ivr', 'validate', 'pbx-config/ivr/main.json');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid');
    const bad = path.join(tmpdir(), `${uniq('flow-')}.json`);
    await writeFile(bad, JSON.stringify({ start: 'a', nodes: { a: [{ verb: 'menu', prompt: 'x', timeoutSec: 99, maxAttempts: 2, options: {} }] } }));
    const r = await cli('ivr', 'validate', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nodes/a/0/timeoutSec');
  });

  it('token create and token revoke', async () => {
    const made = await cli('token', 'create', '--role', 'supervisor', '--name', 'cli-test');
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect((await t.api('GET', '/api/calls', undefined, token)).status).toBe(200);
    const id = /token id (\d+)/.exec(made.stderr)?.[1] as string;
    expect((await cli('token', 'revoke', id)).code).toBe(0);
    expect((await t.api('GET', '/api/calls', undefined, token)).status).toBe(401);
    expect((await cli('token', 'revoke', id)).code).toBe(1);
  });

  it('operator create makes an endpoint a phone can register to at once', async () => {
    const login = uniq('cli');
    const password = `${uniq('pw')}-${uniq()}`;
    const r = await cli('operator', 'create', '--login', login, '--name', 'Из консоли', '--line', 'second', '--sip-password', password);
    expect(r.code, r.stderr).toBe(0);
    const ops = await t.api<{ operators: { login: string; line: string }[] }>('GET', '/api/operators');
    expect(ops.body.operators).toContainEqual(expect.objectContaining({ login, line: 'second' }));
    const reg = await registerPhone({ username: `op-${login}`, password, sipPort: allocPorts().sip });
    expect(reg.code, reg.stdout).toBe(0);
    expect((await cli('operator', 'create', '--login', login, '--name', 'X', '--line', 'second', '--sip-password', password)).code).toBe(1);
  });

  it('seed demo adds operators and a day of calls, with a progress bar', async () => {
    const before = (await t.api<{ calls: unknown[] }>('GET', '/api/calls?limit=500')).body.calls.length;
    const r = await cli('seed', 'demo', '--calls', '30');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/30\/30 100% ETA/);
    const after = (await t.api<{ calls: unknown[] }>('GET', '/api/calls?limit=500')).body.calls.length;
    expect(after - before).toBeGreaterThanOrEqual(Math.min(30, 500 - before));
  });

  it('migrate applies nothing on an up-to-date database, and says so', async () => {
    const r = await cli('migrate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/migrations: 0 applied \(none\), \d+ already there/);
  });

  it('answers an unknown command with the usage and exit code 2', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: pbxdesk');
  });
});
