// After hours with a real caller: the first line is closed (a holiday today and tomorrow), the
// caller hears so and when it opens, on the line's clock and on their own (a Novosibirsk
// number), and leaves a voicemail, which is archived as a recording of the call and so is on
// its ticket.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('sv', { timeZone: 'Europe/Moscow' });
const allDay = ['00:00-24:00'];
const closedTwoDays = {
  timeZone: 'Europe/Moscow',
  week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
  holidays: [day(0), day(1)],
};

let t: TestApp;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-hours-'));
  const file = path.join(dir, 'hours.json');
  await writeFile(file, JSON.stringify({ first: closedTwoDays, second: closedTwoDays, callerRegions: [{ prefix: '7383', timeZone: 'Asia/Novosibirsk' }] }));
  t = await startTestApp({ BUSINESS_HOURS_FILE: file });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
let dir: string | undefined;
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('after hours', () => {
  it('takes a voicemail and files it on the call’s ticket as a recording', async () => {
    const caller = `7383${randomPhone().slice(4)}`;
    // Greeting, "closed", when it opens (~8 s), the voicemail prompt, then a message of a few seconds; the caller hangs up.
    const r = await runCaller({ caller, number: '88005553535', steps: [], speakAfterMs: 24_000, talkMs: 6000 });
    expect(r.code, r.stdout).toBe(0);
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null; status: string; ivrPath: string[]; recordingId: string | null; ticketId: string }[] }>(
        'GET', `/api/calls?caller=${caller}`,
      )).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    expect(call.status).toBe('completed');
    // Opens the day after tomorrow at midnight in Moscow: 04:00 that day in Novosibirsk. From
    // 17:00 to 21:00 UTC Novosibirsk is already on Moscow's next day, so there it opens "tomorrow"
    // (the suite failed on this once when run in those hours).
    expect(call.ivrPath).toEqual([
      'hours:first=closed',
      expect.stringMatching(/^hours:first=opens (mon|tue|wed|thu|fri|sat|sun) 00:00 Europe\/Moscow; caller (\1|tomorrow) 04:00 Asia\/Novosibirsk$/),
      'voicemail',
    ]);
    expect(call.recordingId).toBeTruthy();
    const rec = await waitFor('the voicemail to be archived', async () => {
      const x = await t.api<{ status: string; kind: string; durationMs: number }>('GET', `/api/recordings/${call.recordingId}`);
      return x.body.status === 'archived' ? x.body : undefined;
    });
    expect(rec.kind).toBe('voicemail');
    expect(rec.durationMs).toBeGreaterThan(1000);
    const ticket = await t.api<{ calls: { id: string; recordingId: string }[] }>('GET', `/api/tickets/${call.ticketId}`);
    expect(ticket.body.calls.map((c) => c.recordingId)).toContain(call.recordingId);
  });
});
