/// <reference lib="dom" />
// The ticket lists and the ticket page in Chromium (one browser session): each view's rows are
// the API's for the same filters, search finds a ticket by its number, a new ticket of the line
// appears without a reload (pushed), the ticket page shows the timeline with a recorded call
// played through the audited route and changes the priority, and a second-line ticket opened
// by URL is a 403 page. Screenshots: docs/screenshots/ticket-list.png and ticket-page.png.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, openSettled } from '../support/browser.js';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import { panelSession } from '../support/panel-session.js';
import { db, spooledRecording } from '../support/recordings.js';

let t: TestApp;
let browser: Browser;
beforeAll(async () => {
  t = await startTestApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const rowIds = (page: Page) => page.$$eval('#ticket-rows tr[data-id]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
/** The same list from the API, asked from the page itself (the operator's session). */
const apiIds = (page: Page, path: string) =>
  page.evaluate(async (p) => ((await (await fetch(p)).json()) as { tickets: { id: string }[] }).tickets.map((x) => x.id), path);

describe('the ticket lists and ticket page in Chromium', () => {
  it('lists the views as the API does, pushes a new ticket, shows the timeline and edits, and answers another line with a 403 page', async () => {
    const anna = await panelSession(t, { line: 'first', name: 'Анна Петрова' });
    const category = uniq('web-');
    const make = async (body: Record<string, unknown>) => (await t.api<{ id: string; number: string }>('POST', '/api/tickets', { category, line: 'first', ...body })).body;
    await make({ subject: 'Не приходит SMS с кодом', assigneeId: anna.id, priority: 'high', customerName: 'ООО Ромашка' });
    await make({ subject: 'Двойное списание за тариф', callerNumber: randomPhone(), customerName: 'Иван Кузнецов' });
    const late = await make({ subject: 'Сайт недоступен из офиса', priority: 'critical', accountId: 'acc-2041' });
    await sql`update tickets set created_at = now() - interval '2 hours', sla_first_due = now() - interval '12 minutes' where id = ${late.id}`.execute(db);
    const waiting = await make({ subject: 'Ждём скриншот ошибки от клиента', assigneeId: anna.id });
    await t.api('PATCH', `/api/tickets/${waiting.id}`, { status: 'pending_customer' });
    const second = await make({ subject: 'Настройка BGP', line: 'second' });
    // A ticket with history: Anna's recorded call, a note, status and priority changes.
    const { ticket, rec } = await spooledRecording({ operatorId: anna.id, seconds: 3 });
    await t.app.recordings.archive(rec.id, true);
    await db.updateTable('calls').set({ answered_at: new Date(Date.now() - 95_000), survey_score: 5, recording_id: rec.id }).where('ticket_id', '=', ticket.id).execute();
    await t.api('PATCH', `/api/tickets/${ticket.id}`, { subject: 'Не работает личный кабинет', category, status: 'open', assigneeId: anna.id, customerName: 'Мария Соколова' });
    await t.api('POST', `/api/tickets/${ticket.id}/notes`, { body: 'Клиент не может войти после смены пароля, попросили очистить кэш' });

    const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'ru-RU' })).newPage();
    page.on('pageerror', (err) => console.error('panel page error:', err.message));
    // A module that fails to load raises no pageerror, only a console error: shown, so a panel that never boots says why.
    page.on('console', (m) => m.type() === 'error' && console.error('panel console error:', m.text()));
    await openSettled(page, `${t.base}/panel`, '#signin input[name=login]');
    await page.fill('#signin input[name=login]', anna.login);
    await page.fill('#signin input[name=password]', anna.password);
    await page.click('#signin button[type=submit]');
    await page.click('#desk-tabs a[data-tab=tickets]');
    await page.waitForSelector('#ticket-list-box:not([hidden])');
    await page.fill('#ticket-filters input[name=category]', category);
    await page.dispatchEvent('#ticket-filters input[name=category]', 'change');

    // Every view: the rows on screen are the API's rows for the same filters, in the same order.
    for (const view of ['mine', 'unassigned', 'sla', 'waiting']) {
      await page.click(`#ticket-views a[data-view=${view}]`);
      const want = await apiIds(page, `/api/tickets/views/${view}?category=${category}&limit=25&offset=0`);
      expect(want.length, view).toBeGreaterThan(0);
      await page.waitForFunction((ids) => Array.from(document.querySelectorAll('#ticket-rows tr[data-id]')).map((tr) => (tr as HTMLElement).dataset.id).join() === ids.join(), want);
      expect(await rowIds(page)).toEqual(want);
      if (view === 'sla') expect(await page.textContent(`#ticket-rows tr[data-id="${late.id}"]`)).toContain('просрочено на');
    }
    // Live: a new ticket of the line shows up without a reload.
    await page.click('#ticket-views a[data-view=unassigned]');
    const fresh = await make({ subject: 'Новый: не работает мобильное приложение', callerNumber: randomPhone() });
    await page.waitForSelector(`#ticket-rows tr.fresh[data-id="${fresh.id}"]`);
    await page.screenshot({ path: `${ARTIFACTS}/ticket-list.png` });

    // Search by the ticket's number.
    await page.click('#ticket-views a[data-view=search]');
    await page.fill('#ticket-search input[name=q]', late.number);
    await page.click('#ticket-search button[type=submit]');
    await page.waitForSelector(`#ticket-rows tr[data-id="${late.id}"]`);
    expect(await rowIds(page)).toEqual([late.id]);

    // The ticket page: the timeline with the call (played through the audited route) and the note.
    await openSettled(page, `${t.base}/panel#ticket/${ticket.id}`, '#ticket-timeline li[data-kind=call]');
    expect(await page.textContent('#ticket-timeline')).toContain('Клиент не может войти');
    await page.click('#ticket-timeline li[data-kind=call] button.play');
    await page.waitForFunction(() => ((document.querySelector('#ticket-timeline audio') as HTMLAudioElement | null)?.currentTime ?? 0) > 0);
    const audit = await t.api<{ entries: { action: string; operatorId: string | null }[] }>('GET', `/api/recordings/${rec.id}/audit`);
    expect(audit.body.entries.some((e) => e.action === 'play' && e.operatorId === anna.id)).toBe(true);
    await page.selectOption('#ticket-edit select[name=priority]', 'high');
    await page.click('#ticket-edit button[type=submit]');
    await page.waitForSelector('#ticket-timeline li[data-kind=priority]');
    expect((await t.api<{ priority: string }>('GET', `/api/tickets/${ticket.id}`)).body.priority).toBe('high');
    await page.screenshot({ path: `${ARTIFACTS}/ticket-page.png` });

    // Another line's ticket opened by its URL (a fresh load): a 403 page, not a broken one.
    await page.goto('about:blank');
    await openSettled(page, `${t.base}/panel#ticket/${second.id}`, '#ticket-error[data-status="403"]:not([hidden])');
    expect(await page.textContent('#ticket-error')).toContain('другой линии');
    expect(await page.isHidden('#ticket-page')).toBe(true);
    expect(await page.isVisible('#desk-tabs')).toBe(true);
  });
});
