// Overflow with real callers: a line with nobody logged in sends its callers to the other line
// (their place in time kept); a caller who waits past the first line's limit is taken to the
// flow's voicemail node, and the message lands on their call as a recording.
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

interface Call {
  id: string;
  status: string;
  line: string;
  ivrPath: string[];
  endedAt: string | null;
  recordingId: string | null;
}

let t: TestApp;
beforeAll(async () => {
  const flow = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as Record<string, unknown>;
  flow.overflow = {
    second: { whenNobodyLoggedIn: true, action: { route: 'first' } },
    first: { maxWaitSec: 5, action: { goto: 'after-hours' } },
  };
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-overflow-'));
  const file = path.join(dir, 'flow.json');
  await writeFile(file, JSON.stringify(flow));
  t = await startTestApp({ IVR_FLOW_FILE: file });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
});
let dir: string | undefined;
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ended = (caller: string) =>
  waitFor('the call to end', async () => {
    const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.endedAt ? c : undefined;
  });

describe('overflow', () => {
  it('sends callers of a line with nobody logged in to the other line', async () => {
    const caller = randomPhone();
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 3000 });
    expect(r.code).toBe(0);
    const c = await ended(caller);
    expect(c.ivrPath).toEqual(['menu:main-menu=2', 'overflow:first']);
    expect(c.line).toBe('first');
  });

  it('takes a voicemail from a caller who waited past the line’s limit', async () => {
    const caller = randomPhone();
    // 1 at 1.5 s; queued; the limit (5 s) runs out; the voicemail prompt (~7 s); then a message.
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], speakAfterMs: 14_000, talkMs: 5000 });
    expect(r.code).toBe(0);
    const c = await ended(caller);
    expect(c.ivrPath).toEqual(['menu:main-menu=1', 'overflow:after-hours', 'voicemail']);
    expect(c.status).toBe('completed');
    const rec = await waitFor('the voicemail to be archived', async () => {
      const x = await t.api<{ status: string; kind: string }>('GET', `/api/recordings/${c.recordingId}`);
      return x.body.status === 'archived' ? x.body : undefined;
    });
    expect(rec.kind).toBe('voicemail');
  });
});
