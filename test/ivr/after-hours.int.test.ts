// After hours with a real caller: the first line is closed, the caller hears so and leaves a
// voicemail, which is archived as a recording of the call and so is on its ticket.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../../bench/sipp-driver.js';
import { randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

const closed = { timeZone: 'Europe/Moscow', week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, holidays: [] };

let t: TestApp;
beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-hours-'));
  const file = path.join(dir, 'hours.json');
  await writeFile(file, JSON.stringify({ first: closed, second: closed }));
  t = await startTestApp({ BUSINESS_HOURS_FILE: file });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => t?.stop());

describe('after hours', () => {
  it('takes a voicemail and files it on the call’s ticket as a recording', async () => {
    const caller = randomPhone();
    // Greeting, "closed", the voicemail prompt (~13 s), then a message of a few seconds; the caller hangs up.
    const r = await runCaller({ caller, number: '88005553535', steps: [], speakAfterMs: 14_000, talkMs: 6000 });
    expect(r.code, r.stdout).toBe(0);
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null; status: string; ivrPath: string[]; recordingId: string | null; ticketId: string }[] }>(
        'GET', `/api/calls?caller=${caller}`,
      )).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    expect(call).toMatchObject({ status: 'completed', ivrPath: ['hours:first=closed', 'voicemail'] });
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
