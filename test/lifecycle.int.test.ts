// SIGTERM with a call up: the process lets go without dropping the call; the next instance
// takes the bridged call back, and the call ends and is recorded as if nothing happened.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCaller } from './harness/sipp-driver.js';
import { operatorWithPhone } from './support/phones.js';
import { apiClient, clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from './support/app.js';
import { stackServicePort } from './support/stack.js';

let next: TestApp | undefined;
afterAll(async () => next?.stop());

describe('SIGTERM with a bridged call', () => {
  it('exits cleanly and the call goes on, to be completed by the next instance', async () => {
    const port = stackServicePort();
    const proc = spawn('node', ['dist/src/main.js'], {
      env: { ...process.env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_SEC: '20', PBXDESK_QUEUE_PREFIX: uniq('sigterm-') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const base = `http://127.0.0.1:${port}`;
    const client = apiClient(base);
    const api = async <T>(method: string, path: string, body?: unknown) => (await client<T>(method, path, body)).body;
    await waitFor('the service process to be ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200);
    await clearLine(client, 'first');

    const op = await operatorWithPhone(client, 'first');
    const phone = op.phone;
    const caller = randomPhone();
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 20_000 });
    const call = await waitFor('the call to be bridged', async () => {
      const r = await api<{ calls: { id: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`);
      return r.calls[0]?.status === 'bridged' ? r.calls[0] : undefined;
    });

    proc.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);

    next = await startTestApp();
    const [c, p] = await Promise.all([callerRun, phone]);
    expect(c.code, c.stdout).toBe(0);
    expect(p.code, p.stdout).toBe(0);
    await next.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const ended = await waitFor('the call to end', async () => {
      const r = await next!.api<{ status: string; endedAt: string | null; hangupBy: string; recordingId: string }>('GET', `/api/calls/${call.id}`);
      return r.body.endedAt ? r.body : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', hangupBy: 'caller' });
    const rec = await waitFor('the recording to be archived', async () => {
      const r = await next!.api<{ status: string; durationMs: number; error: string | null }>('GET', `/api/recordings/${ended.recordingId}`);
      return ['archived', 'incomplete', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect(rec).toMatchObject({ status: 'archived', error: null });
    expect(rec.durationMs).toBeGreaterThan(5000);
  });
});
