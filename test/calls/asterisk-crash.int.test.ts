// Asterisk killed mid-call: the service reconnects by itself, closes the calls Asterisk took
// down with a clear cause, archives their half-written recordings as incomplete (nothing
// lost), and answers new calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SWEEP_INTERVAL_SEC: '5' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => t?.stop());

function restartAsterisk(): void {
  const pid = readFileSync(path.join(process.env.STACK_DIR as string, 'asterisk.pid'), 'utf8').trim();
  execFileSync('kill', ['-9', pid]);
  // start_asterisk reuses a live process, so wait until this one is really gone.
  for (let i = 0; i < 100 && spawnSync('kill', ['-0', pid]).status === 0; i++) spawnSync('sleep', ['0.1']);
  // The SIP peers of the dead calls would wait for ever. Only this stack's: another shard's run beside it.
  spawnSync('pkill', ['-9', '-f', `sipp -sf ${process.env.SIPP_DIR ?? '/tmp/pbxdesk-sipp'}/`]);
  const r = spawnSync('bash', ['-c', '. scripts/lib.sh && stack_env >/dev/null && start_asterisk'], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`Asterisk did not come back: ${r.stderr}`);
}

describe('Asterisk killed with a call bridged', () => {
  it('ends the call with a clear cause, keeps its recording as incomplete, and takes new calls', async () => {
    await clearLine(t.api, 'first');
    const op = await operatorWithPhone(t.api, 'first');
    const phone = op.phone;
    const caller = randomPhone();
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 30_000 });
    const call = await waitFor('the call to be bridged', async () => {
      const r = await t.api<{ calls: { id: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`);
      return r.body.calls[0]?.status === 'bridged' ? r.body.calls[0] : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000)); // a few seconds of conversation on the disk

    restartAsterisk();
    await Promise.all([callerRun, phone]);
    await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });

    const ended = await waitFor('the call to be closed', async () => {
      const r = await t.api<{ status: string; endedAt: string | null; hangupBy: string; hangupCause: string; recordingId: string }>(
        'GET', `/api/calls/${call.id}`,
      );
      return r.body.endedAt ? r.body : undefined;
    }, 60_000);
    expect(ended).toMatchObject({ status: 'completed', hangupBy: 'system' });
    expect(ended.hangupCause).toMatch(/disconnected from Asterisk/);
    const rec = await waitFor('the recording to be archived as incomplete', async () => {
      const r = await t.api<{ status: string; durationMs: number }>('GET', `/api/recordings/${ended.recordingId}`);
      return r.body.status === 'incomplete' ? r.body : undefined;
    }, 60_000);
    expect(rec.durationMs).toBeGreaterThan(2000);

    // And the next caller is served by the same service instance.
    const next = randomPhone();
    const r = await runCaller({ caller: next, number: '88005553535', steps: [], talkMs: 2000 });
    expect(r.code, r.stdout).toBe(0);
    const calls = await t.api<{ calls: { status: string }[] }>('GET', `/api/calls?caller=${next}`);
    expect(calls.body.calls).toHaveLength(1);
  });
});
