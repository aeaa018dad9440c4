// What waiting callers hear: the caller at the head nothing, the one behind their place
// (the wait only once the handle time is known). Real callers (SIPp); what was played is
// read from the service's own log of announcements.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { cancelOpenCallbacks } from '../support/call-core.js';

let t: TestApp;
const logs: string[] = [];
beforeAll(async () => {
  // Every instance adopts every waiting callback as a place in its line: one an earlier file of
  // the shard left open would stand ahead of this file's callers (seen once: queue-ahead-3).
  await cancelOpenCallbacks();
  const sink = new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) });
  t = await startTestApp({ LOG_LEVEL: 'info', QUEUE_ANNOUNCE_SEC: '3' }, sink);
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'second');
});
afterAll(async () => t?.stop());

const announcements = (callId: string) =>
  logs
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"queue announcement"') && l.includes(callId))
    .map((l) => (JSON.parse(l) as { prompts: string[] }).prompts);

describe('queue announcements', () => {
  it('tell the second caller their place and leave the head caller in peace', async () => {
    const [a, b] = [randomPhone(), randomPhone()];
    const first = runCaller({ caller: a, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 12_000 });
    const id = async (caller: string) =>
      waitFor('queued', async () => {
        const c = (await t.api<{ calls: { id: string; status: string }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
        return c?.status === 'queued' ? c.id : undefined;
      });
    const aId = await id(a);
    const second = runCaller({ caller: b, number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 8000 });
    const bId = await id(b);
    await waitFor('an announcement for the second caller', async () => announcements(bId).length > 0, 15_000);
    expect(announcements(bId)[0]).toEqual(['queue-ahead-1']);
    expect((await first).code).toBe(0);
    expect((await second).code).toBe(0);
    expect(announcements(aId)).toEqual([]);
  });
});
