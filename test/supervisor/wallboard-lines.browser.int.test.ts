/// <reference lib="dom" />
// The supervisor pages follow the configured lines (issue 21): with the three-line configuration
// (test/fixtures/lines-three.json) the wallboard has three columns in the configuration's order,
// each named from the configuration in the reader's language, each operator in the column of
// every line they serve; the recordings' line picker and the per-line report list the third line too.
// Screenshot: docs/screenshots/wallboard-three-lines.png (copied from test/artifacts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { db } from '../support/recordings.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { clearLine, startTestApp, type TestApp, uniq } from '../support/app.js';

let t: TestApp;
let browser: Browser;
beforeAll(async () => {
  t = await startTestApp({ LINES_FILE: 'test/fixtures/lines-three.json' });
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function operator(line: string, name: string, o: { supervisor?: boolean; lines?: string[] } = {}) {
  const login = uniq('wb3');
  const r = await t.api<{ id: string }>('POST', '/api/operators', { login, name, line, sipPassword: `${uniq('pw-')}${uniq()}`, ...o });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id, login };
}

describe('the wallboard with three configured lines', () => {
  it('shows a column per configured line, named from the configuration in both languages', async () => {
    const lines = (await t.api<{ lines: { id: string; name: { ru: string; en: string }; level: number }[] }>('GET', '/api/supervisor/lines')).body.lines;
    expect(lines.map((l) => [l.id, l.name.en, l.level])).toEqual([['first', 'First line', 0], ['second', 'Second line', 1], ['third', 'Third line', 2]]);

    const sup = await operator('first', 'Ольга Супервайзер', { supervisor: true });
    const password = `${uniq('panel-')}${uniq()}`;
    expect((await t.api('PUT', `/api/operators/${sup.id}/panel-password`, { password })).status).toBe(204);
    // Homed on the third line; another homed on the second who serves the third too; one on the first.
    const expert = await operator('third', 'Пётр Эксперт');
    const both = await operator('second', 'Анна Иванова', { lines: ['third'] });
    const first = await operator('first', 'Иван Оператор');
    await t.api('PUT', `/api/operators/${expert.id}/state`, { state: 'paused', reason: 'training' });
    await t.api('PUT', `/api/operators/${both.id}/state`, { state: 'paused', reason: 'break' });
    await t.api('PUT', `/api/operators/${first.id}/state`, { state: 'paused', reason: 'other' });

    const page = await (await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'ru-RU' })).newPage();
    page.on('pageerror', (err) => console.error('supervisor page error:', err.message));
    await page.goto(`${t.base}/panel/supervisor`);
    await page.fill('#signin input[name=login]', sup.login);
    await page.fill('#signin input[name=password]', password);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('.line[data-line=third]');
    const columns = () => page.$$eval('#board .line', (els) => els.map((e) => [(e as HTMLElement).dataset.line, e.querySelector('h2')?.textContent]));
    expect(await columns()).toEqual([['first', 'Первая линия'], ['second', 'Вторая линия'], ['third', 'Третья линия']]);
    // Each operator is in the column of every line they serve, with their state.
    await page.waitForSelector('.line[data-line=third] td >> text=Анна Иванова');
    const names = (line: string) => page.$$eval(`.line[data-line=${line}] tbody tr td:first-child`, (tds) => tds.map((td) => td.textContent));
    expect(await names('third')).toEqual(expect.arrayContaining(['Пётр Эксперт', 'Анна Иванова']));
    expect(await names('second')).toContain('Анна Иванова');
    expect(await names('second')).not.toContain('Пётр Эксперт');
    expect(await names('first')).toContain('Иван Оператор');

    // The other language: the configuration's English names.
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('.line[data-line=third] h2')?.textContent === 'Third line');
    expect(await columns()).toEqual([['first', 'First line'], ['second', 'Second line'], ['third', 'Third line']]);
    await page.screenshot({ path: `${ARTIFACTS}/wallboard-three-lines.png` });

    // The recordings' picker and the per-line report list the configured lines.
    expect(await page.$$eval('#rec-search select[name=line] option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', 'first', 'second', 'third']);
    await page.click('a[data-tab=reports]');
    await page.click('#rep-form button[type=submit]');
    await page.waitForSelector('#rep-lines [data-line=third] h3 >> text=Third line');
    // Configured lines first, in order (a line no longer configured but with calls in the range would follow).
    expect((await page.$$eval('#rep-lines > [data-line]', (els) => els.map((e) => (e as HTMLElement).dataset.line))).slice(0, 3)).toEqual(['first', 'second', 'third']);
  });

  it('counts a ticket escalated to any higher line of the order: second → third, not back down', async () => {
    const a = await operator('second', 'Escalating Second');
    const b = await operator('third', 'Third Expert');
    const at = new Date(Date.now() - 60_000);
    const ticket = async (line: string) => (await db.insertInto('tickets').values({ subject: 'three lines', line } as never).returning('id').executeTakeFirstOrThrow()).id;
    const ev = (ticketId: string, actor: string, from: string, to: string) =>
      db.insertInto('ticket_events').values({ ticket_id: ticketId, kind: 'line', actor, data: JSON.stringify({ from, to }), at }).execute();
    // A moves one ticket up to the third line and transfers another's call there; B moves a third one back down.
    const moved = await ticket('third');
    await ev(moved, `operator:${a.id}`, 'second', 'third');
    const transferred = await ticket('third');
    const c = await db.insertInto('calls').values({
      caller_number: '79990000000', dialled_number: '88005553535', status: 'completed', caller_channel_id: `wb3-${randomUUID()}`, pbx_node: DEFAULT_PBX_NODE,
      line: 'third', operator_id: a.id, ticket_id: transferred, entered_at: at, answered_at: at, ended_at: at,
    } as never).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('call_events').values({ call_id: c.id, from_status: 'bridged', to_status: 'queued', detail: JSON.stringify({ transfer: { fromOperatorId: a.id, toLine: 'third', by: 'operator' } }), at }).execute();
    const down = await ticket('second');
    await ev(down, `operator:${b.id}`, 'third', 'second');

    const range = `from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;
    const ops = (await t.api<{ operators: { operatorId: string; escalated: number }[] }>('GET', `/api/supervisor/reports/ticket-operators?${range}`)).body.operators;
    expect(ops.find((o) => o.operatorId === a.id)?.escalated).toBe(2);
    expect(ops.find((o) => o.operatorId === b.id)?.escalated ?? 0).toBe(0);
    const lines = (await t.api<{ lines: { line: string; name: { en: string } }[] }>('GET', `/api/supervisor/reports/ticket-lines?${range}`)).body.lines;
    expect(lines.map((l) => [l.line, l.name.en])).toEqual([['first', 'First line'], ['second', 'Second line'], ['third', 'Third line']]);
  });
});
