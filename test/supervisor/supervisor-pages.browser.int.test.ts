/// <reference lib="dom" />
// The supervisor pages in Chromium: the wallboard shows a caller waiting on the first line as
// the server pushes it; the live call list listens in (ARI snoop to the supervisor's phone,
// audited); the recording is found, played through the audited audio route (currentTime
// advances), and downloaded only with a reason; the reports count the call and export CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { allocPorts, answerOnce, registerPhone, runCaller } from '../harness/sipp-driver.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, type TestApp, uniq, waitFor } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
let browser: Browser;
beforeAll(async () => {
  await cancelOpenCallbacks();
  t = await startTestApp({ WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function sipOperator(line: Line, name: string, supervisor = false) {
  const sipPassword = `${uniq('pw-')}${uniq()}`;
  const login = uniq('sup');
  const op = (await t.api<{ id: string; sip: { username: string } }>('POST', '/api/operators', { login, name, line, sipPassword, supervisor })).body;
  const ports = allocPorts();
  const reg = await registerPhone({ username: op.sip.username, password: sipPassword, sipPort: ports.sip });
  expect(reg.code, reg.stdout + reg.stderr).toBe(0);
  return { ...op, login, ports };
}

const tileValue = (page: Page, line: string, tile: string) => page.textContent(`.line[data-line=${line}] [data-tile=${tile}] .v`);

describe('the supervisor pages in Chromium', () => {
  it('show the queue live, listen in, play and download a recording with an audit trail, and report', async () => {
    const sup = await sipOperator('first', 'Ольга Супервайзер', true);
    const password = `${uniq('panel-')}${uniq()}`;
    expect((await t.api('PUT', `/api/operators/${sup.id}/panel-password`, { password })).status).toBe(204);
    const supPhone = answerOnce({ sipPort: sup.ports.sip, mediaPort: sup.ports.media });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' })).newPage();
    page.on('pageerror', (err) => console.error('supervisor page error:', err.message));
    await page.goto(`${t.base}/panel/supervisor`);
    await page.fill('#signin input[name=login]', sup.login);
    await page.fill('#signin input[name=password]', password);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('.line[data-line=first]');
    const waitingBefore = Number(await tileValue(page, 'first', 'waiting'));

    // A caller waits on the first line (nobody available): the board shows them, pushed.
    const op = await sipOperator('first', 'Иван Оператор');
    // On the board with their states: Ivan in training, Olga on a break.
    await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'paused', reason: 'training' });
    await t.api('PUT', `/api/operators/${sup.id}/state`, { state: 'paused', reason: 'break' });
    const opPhone = answerOnce({ sipPort: op.ports.sip, mediaPort: op.ports.media });
    const caller = randomPhone();
    const call = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 9000, speakAfterMs: 500 });
    await page.waitForFunction((n) => Number(document.querySelector('.line[data-line=first] [data-tile=waiting] .v')?.textContent) > n, waitingBefore, { timeout: 30_000 });
    const queued = await waitFor('the call queued', async () => db.selectFrom('calls').select(['id', 'queued_at']).where('caller_number', '=', caller).where('status', '=', 'queued').executeTakeFirst());
    console.log(`wallboard showed the caller ${Date.now() - queued.queued_at!.getTime()} ms after queueing (upper bound)`);
    await page.waitForSelector('.line[data-line=first] .pill.paused');
    await page.screenshot({ path: `${ARTIFACTS}/wallboard.png` });

    // The operator becomes available and answers; the supervisor listens in from the live list.
    expect((await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'available' })).status).toBe(200);
    await waitFor('the call bridged', async () => (await db.selectFrom('calls').select('status').where('id', '=', queued.id).executeTakeFirst())?.status === 'bridged');
    await page.click('a[data-tab=calls]');
    await page.waitForSelector(`#live-calls button >> text=Слушать`);
    await page.click('#live-calls button >> text=Слушать');
    const monitors = await waitFor('the monitor session', async () => {
      const r = (await t.api<{ sessions: { mode: string; supervisorId: string; endedAt: string | null }[] }>('GET', `/api/supervisor/calls/${queued.id}/monitors`)).body.sessions;
      return r.length ? r : undefined;
    });
    expect(monitors[0]).toMatchObject({ mode: 'listen', supervisorId: sup.id });
    expect((await call).code).toBe(0);
    expect((await opPhone).code).toBe(0);
    expect((await supPhone).code, 'the supervisor phone was rung into the call and let go at its end').toBe(0);
    await waitFor('the monitor session to end', async () => (await t.api<{ sessions: { endedAt: string | null }[] }>('GET', `/api/supervisor/calls/${queued.id}/monitors`)).body.sessions[0]?.endedAt);

    // The recording: searched by caller, played (the audio element advances), downloaded with a reason.
    const rec = await waitFor('the recording archived', async () =>
      db.selectFrom('recordings').select(['id', 'status']).where('call_id', '=', queued.id).where('kind', '=', 'call').where('status', '=', 'archived').executeTakeFirst(), 60_000);
    await page.click('a[data-tab=recordings]');
    await page.fill('#rec-search input[name=caller]', caller);
    await page.click('#rec-search button[type=submit]');
    await page.waitForSelector(`tr[data-recording="${rec.id}"]`);
    await page.click(`tr[data-recording="${rec.id}"] button.play`);
    await page.waitForFunction(() => (document.querySelector('#audio') as HTMLAudioElement).currentTime > 0.5, undefined, { timeout: 20_000 });
    await page.click('#download');
    expect(await page.textContent('#dl-error')).not.toBe('');
    await page.fill('#dl-reason', 'Спор с клиентом, обращение 42');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toMatch(/\.(ogg|opus|mp3|wav)$/);
    const audit = (await t.api<{ entries: { action: string; operatorId: string | null; reason: string | null; role: string }[] }>('GET', `/api/recordings/${rec.id}/audit`)).body.entries;
    expect(audit.some((e) => e.action === 'play' && e.operatorId === sup.id && e.role === 'supervisor')).toBe(true);
    expect(audit.some((e) => e.action === 'download' && e.reason === 'Спор с клиентом, обращение 42')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/recordings.png` });

    // Reports: the operator handled the call; the CSV export is a file.
    await page.click('a[data-tab=reports]');
    await page.click('#rep-form button[type=submit]');
    await page.waitForSelector(`#rep-operators td >> text=Иван Оператор`);
    const csv = await page.evaluate(async () => {
      const r = await fetch((document.querySelector('#csv-operators') as HTMLAnchorElement).href);
      return { type: r.headers.get('content-type'), body: await r.text() };
    });
    expect(csv.type).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('handled');
    expect(csv.body).toContain('Иван Оператор');
    await page.screenshot({ path: `${ARTIFACTS}/reports.png` });
  });
});
