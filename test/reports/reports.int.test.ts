/// <reference lib="dom" />
// The staffing plan and the ticket figures against real Postgres: rows seeded straight into a
// random week of 2015-2019 (nobody else's data is there), the lines' time zone Moscow, and the
// API's numbers checked by hand; the CSV's shape; operators refused. Then the reports page in
// Chromium draws the staffing chart from a month of realistic load (the README screenshot).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_PBX_NODE, type NewCallRow } from '../../src/calls/call.table.js';
import { agentsNeededC } from '../../src/reports/erlang.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
let dir: string;
let browser: Browser | undefined;
// A random Monday from 2015 on (Moscow is UTC+3 all year since October 2014).
const BASE = Date.UTC(2015, 0, 5) + Math.floor(Math.random() * 240) * 7 * 86_400_000;
/** Moscow wall-clock time `day` days after the base Monday. */
const msk = (day: number, h: number, m = 0) => new Date(BASE + day * 86_400_000 + (h - 3) * 3_600_000 + m * 60_000);
const iso = (d: Date) => d.toISOString();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reports-'));
  const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']]));
  const hours = path.join(dir, 'business-hours.json');
  await writeFile(hours, JSON.stringify({ first: { timeZone: 'Europe/Moscow', week, holidays: [] }, second: { timeZone: 'Europe/Moscow', week, holidays: [] } }));
  t = await startTestApp({ BUSINESS_HOURS_FILE: hours, STAFFING_SERVICE_LEVEL: 'first=80/20,second=90/30' });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An operator straight into the table (no phone is needed here, and the API would push one to Asterisk). */
async function operator(line: Line, name: string, supervisor = false) {
  const login = uniq('rep');
  const o = await db.insertInto('operators').values({ login, name, line, supervisor, sip_username: login, sip_md5_cred: '0'.repeat(32) }).returning('id').executeTakeFirstOrThrow();
  return { id: String(o.id), login };
}
const token = async (role: string, operatorId?: string) =>
  (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('rep-'), role, ...(operatorId ? { operatorId } : {}) })).body.token;

const call = (c: Partial<NewCallRow> & { queued_at: Date | null }): NewCallRow => ({
  caller_number: '79990000000', dialled_number: '88005553535', status: 'completed', caller_channel_id: `rep-${randomUUID()}`, pbx_node: DEFAULT_PBX_NODE, entered_at: c.queued_at ?? c.answered_at ?? undefined, ...c,
});
const states = (operatorId: string, spans: [Date, 'available' | 'paused' | 'offline'][]) =>
  db.insertInto('operator_state_history').values(spans.map(([at, to_state]) => ({ operator_id: operatorId, to_state, at }))).execute();

describe('staffing plan and ticket figures', () => {
  it('forecasts, sizes by Erlang C and counts who was signed in, per weekday and hour of the line', async () => {
    const op = await operator('first', 'Staffing Operator');
    // Mondays 10:xx Moscow: 3 calls in week 1, 5 in week 2 (one hung up); 180 s each when answered.
    const mondays = [...[0, 1, 2].map((i) => msk(0, 10, 5 + i * 10)), ...[0, 1, 2, 3, 4].map((i) => msk(7, 10, 2 + i * 10))];
    await db.insertInto('calls').values(mondays.map((q, i) => i === 7
      ? call({ line: 'first', status: 'abandoned', queued_at: q, ended_at: new Date(q.getTime() + 30_000) })
      : call({ line: 'first', queued_at: q, answered_at: new Date(q.getTime() + 10_000), ended_at: new Date(q.getTime() + 190_000), operator_id: op.id }))).execute();
    // Wednesday 15:xx of week 1, second line: two calls of 600 s.
    await db.insertInto('calls').values([msk(2, 15, 1), msk(2, 15, 40)].map((q) =>
      call({ line: 'second', queued_at: q, answered_at: q, ended_at: new Date(q.getTime() + 600_000) }))).execute();
    // Signed in: week 1 Monday 10:00-10:30 available, 10:30-11:30 paused (still signed in); week 2 10:15-10:45.
    await states(op.id, [[msk(0, 10), 'available'], [msk(0, 10, 30), 'paused'], [msk(0, 11, 30), 'offline'], [msk(7, 10, 15), 'available'], [msk(7, 10, 45), 'offline']]);

    const until = iso(msk(14, 0, 20)); // cut to 00:00 Moscow: the window is weeks 1 and 2
    const r = await t.api<{ weeks: number; lines: { line: string; from: string; to: string; target: unknown; handleSec: number; patienceSec: number | null; timeZone: string; slots: Record<string, unknown>[] }[] }>(
      'GET', `/api/supervisor/reports/staffing?weeks=2&until=${encodeURIComponent(until)}`);
    expect(r.status).toBe(200);
    const [first, second] = r.body.lines;
    expect(first).toMatchObject({ line: 'first', from: iso(msk(0, 0)), to: iso(msk(14, 0)), target: { share: 0.8, withinSec: 20 }, handleSec: 180, patienceSec: null, timeZone: 'Europe/Moscow' });
    expect(first!.slots).toHaveLength(168);
    const slot = (l: typeof first, weekday: number, hour: number) => l!.slots.find((s) => s.weekday === weekday && s.hour === hour);
    expect(slot(first, 1, 10)).toEqual({ weekday: 1, hour: 10, forecastCalls: 4, handleSec: 180, neededErlangC: agentsNeededC({ arrivalsPerSec: 4 / 3600, handleSec: 180 }, { share: 0.8, withinSec: 20 }), neededErlangA: null, loggedIn: 0.75 });
    expect(slot(first, 1, 10)!.neededErlangC).toBe(1);
    expect(slot(first, 1, 11)).toMatchObject({ forecastCalls: 0, neededErlangC: 0, loggedIn: 0.25 });
    expect(slot(first, 1, 9)).toMatchObject({ forecastCalls: 0, loggedIn: 0 });
    expect(second).toMatchObject({ line: 'second', target: { share: 0.9, withinSec: 30 }, handleSec: 600 });
    expect(slot(second, 3, 15)).toMatchObject({ forecastCalls: 1, handleSec: 600, neededErlangC: agentsNeededC({ arrivalsPerSec: 1 / 3600, handleSec: 600 }, { share: 0.9, withinSec: 30 }) });

    const csv = await fetch(`${t.base}/api/supervisor/reports/staffing?weeks=2&until=${encodeURIComponent(until)}&format=csv`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('line,weekday,hour,forecastCalls,handleSec,neededErlangC,neededErlangA,loggedIn,targetPercent,targetSec');
    expect(lines).toHaveLength(1 + 2 * 168);
    expect(lines).toContain('first,1,10,4,180,1,,0.75,80,20');

    // Bad input is a 400, never a 500.
    for (const q of ['weeks=0', 'weeks=27', 'until=yesterday', 'weeks=2&extra=1']) expect((await t.api('GET', `/api/supervisor/reports/staffing?${q}`)).status, q).toBe(400);
  });

  it('counts tickets per operator and per line from the timeline, notes, calls and transfers', async () => {
    const a = await operator('first', 'Tickets First-Line');
    const b = await operator('second', 'Tickets Second-Line');
    const ticket = async (v: Record<string, unknown>) => (await db.insertInto('tickets').values({ subject: 'figures', ...v } as never).returning('id').executeTakeFirstOrThrow()).id;
    const ev = (ticketId: string, kind: string, actor: string, data: Record<string, unknown>, at: Date) =>
      db.insertInto('ticket_events').values({ ticket_id: ticketId, kind, actor, data: JSON.stringify(data), at }).execute();
    const H = 3_600_000;
    const far = new Date(Date.UTC(2100, 0, 1));
    // T1 (first line, Monday 09:00): A answers its call at 09:05 and resolves it at 12:00; the
    // customer reopens it on Tuesday; B resolves it on Thursday. Both SLA targets met.
    const t1 = await ticket({ line: 'first', status: 'resolved', created_at: msk(0, 9), first_response_at: msk(0, 9, 5), resolved_at: msk(3, 15), sla_first_due: new Date(msk(0, 9).getTime() + 24 * H), sla_resolve_due: new Date(msk(0, 9).getTime() + 120 * H) });
    await db.insertInto('calls').values(call({ line: 'first', queued_at: null, answered_at: msk(0, 9, 5), ended_at: msk(0, 9, 9), operator_id: a.id, ticket_id: t1 })).execute();
    await ev(t1, 'status', `operator:${a.id}`, { from: 'new', to: 'open' }, msk(0, 9, 5));
    await ev(t1, 'status', `operator:${a.id}`, { from: 'open', to: 'resolved' }, msk(0, 12));
    await ev(t1, 'status', 'caller', { from: 'resolved', to: 'open' }, msk(1, 10));
    await ev(t1, 'status', `operator:${b.id}`, { from: 'open', to: 'resolved' }, msk(3, 15));
    // T2 (first line, Monday 11:00, critical): A escalates it to the second line at 11:30; never resolved: breached.
    const t2 = await ticket({ line: 'second', escalated: true, priority: 'critical', created_at: msk(0, 11), first_response_at: msk(0, 11, 30), sla_first_due: msk(0, 12), sla_resolve_due: msk(1, 11) });
    await ev(t2, 'line', `operator:${a.id}`, { from: 'first', to: 'second' }, msk(0, 11, 30));
    // T3 (second line, Tuesday 10:00): B writes a note at 10:20 and closes it at 11:00. Met.
    const t3 = await ticket({ line: 'second', status: 'closed', created_at: msk(1, 10), first_response_at: msk(1, 10, 20), resolved_at: msk(1, 11), sla_first_due: msk(2, 10), sla_resolve_due: msk(6, 10) });
    await db.insertInto('ticket_notes').values({ ticket_id: t3, author: `operator:${b.id}`, body: 'called back', created_at: msk(1, 10, 20) }).execute();
    await ev(t3, 'status', `operator:${b.id}`, { from: 'new', to: 'closed' }, msk(1, 11));
    // T4 (first line, Wednesday 09:00): A answers its call at 09:01 and transfers it cold to the
    // second line at 09:03 (the ticket follows, moved by the system). Resolution due in 2100: pending.
    const t4 = await ticket({ line: 'second', escalated: true, created_at: msk(2, 9), first_response_at: msk(2, 9, 1), sla_first_due: msk(3, 9), sla_resolve_due: far });
    const c4 = await db.insertInto('calls').values(call({ line: 'second', queued_at: null, answered_at: msk(2, 9, 1), ended_at: msk(2, 9, 10), operator_id: a.id, ticket_id: t4 })).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('call_events').values({ call_id: c4.id, from_status: 'bridged', to_status: 'queued', detail: JSON.stringify({ transfer: { fromOperatorId: a.id, toLine: 'second', by: 'operator' } }), at: msk(2, 9, 3) }).execute();
    await ev(t4, 'line', 'system', { from: 'first', to: 'second' }, msk(2, 9, 3));
    // T5 (first line, Wednesday 10:00): a duplicate, merged into T4 on Thursday 12:00: not counted as opened.
    const t5 = await ticket({ line: 'first', status: 'closed', merged_into: t4, created_at: msk(2, 10), resolved_at: msk(3, 12), sla_first_due: far, sla_resolve_due: far });
    await ev(t5, 'merged', `operator:${a.id}`, { into: t4 }, msk(3, 12));

    const range = `from=${encodeURIComponent(iso(msk(0, 0)))}&to=${encodeURIComponent(iso(msk(7, 0)))}`;
    const ops = await t.api<{ operators: Record<string, unknown>[] }>('GET', `/api/supervisor/reports/ticket-operators?${range}`);
    expect(ops.status).toBe(200);
    const mine = ops.body.operators.filter((o) => o.operatorId === a.id || o.operatorId === b.id);
    expect(mine).toEqual([
      // A: T1, T2, T4 (and the merge of T5); first responses T1 300 s, T2 1800 s, T4 60 s; resolved
      // T1, reopened later; escalated T2 (moved) and T4 (transferred).
      { operatorId: a.id, name: 'Tickets First-Line', line: 'first', handled: 4, firstResponses: 3, avgFirstResponseSec: 720, resolved: 1, reopened: 1, escalated: 2 },
      // B: T1 (resolved it again), T3 (note and close); first response T3 1200 s.
      { operatorId: b.id, name: 'Tickets Second-Line', line: 'second', handled: 2, firstResponses: 1, avgFirstResponseSec: 1200, resolved: 2, reopened: 0, escalated: 0 },
    ]);

    const lines = await t.api<{ lines: { line: string; opened: number; openedPerDay: number; slaMet: number; slaBreached: number; slaPending: number; slaMetPercent: number | null; backlog: number; days: Record<string, unknown>[] }[] }>(
      'GET', `/api/supervisor/reports/ticket-lines?${range}`);
    expect(lines.status).toBe(200);
    const [first, second] = lines.body.lines;
    const day = (n: number) => new Date(BASE + n * 86_400_000).toISOString().slice(0, 10);
    expect(first).toMatchObject({ line: 'first', opened: 3, openedPerDay: 0.4, slaMet: 1, slaBreached: 1, slaPending: 1, slaMetPercent: 50, backlog: 0 });
    expect(first!.days.map((d) => [d.day, d.opened, d.backlog])).toEqual([[day(0), 2, 0], [day(1), 0, 1], [day(2), 1, 2], [day(3), 0, 0], [day(4), 0, 0], [day(5), 0, 0], [day(6), 0, 0]]);
    expect(second).toMatchObject({ line: 'second', opened: 1, slaMet: 1, slaBreached: 0, slaPending: 0, slaMetPercent: 100, backlog: 2 });
    expect(second!.days.map((d) => d.backlog)).toEqual([1, 1, 2, 2, 2, 2, 2]);

    const csv = await fetch(`${t.base}/api/supervisor/reports/ticket-lines?${range}&format=csv`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const rows = (await csv.text()).trim().split('\n');
    expect(rows[0]).toBe('line,day,opened,slaMet,slaBreached,slaPending,backlog');
    expect(rows).toHaveLength(1 + 14);
    expect(rows[1]).toBe(`first,${day(0)},2,1,1,0,0`);
    const opCsv = await (await fetch(`${t.base}/api/supervisor/reports/ticket-operators?${range}&format=csv`, { headers: { authorization: `Bearer ${t.adminToken}` } })).text();
    expect(opCsv.split('\n')[0]).toBe('operatorId,name,line,handled,firstResponses,avgFirstResponseSec,resolved,reopened,escalated');
    expect(opCsv).toContain(`${a.id},Tickets First-Line,first,4,3,720,1,1,2`);

    expect((await t.api('GET', `/api/supervisor/reports/ticket-lines?from=${encodeURIComponent(iso(msk(7, 0)))}&to=${encodeURIComponent(iso(msk(0, 0)))}`)).status).toBe(400);
  });

  it('is for supervisors and admins: an operator gets 403', async () => {
    const op = await operator('first', 'Not A Supervisor');
    const sup = await operator('first', 'A Supervisor', true);
    const [opToken, supToken] = [await token('operator', op.id), await token('supervisor', sup.id)];
    const range = `from=${encodeURIComponent(iso(msk(0, 0)))}&to=${encodeURIComponent(iso(msk(1, 0)))}`;
    for (const p of ['/api/supervisor/reports/staffing', `/api/supervisor/reports/ticket-operators?${range}`, `/api/supervisor/reports/ticket-lines?${range}`]) {
      const refused = await t.api<{ error: { code: string } }>('GET', p, undefined, opToken);
      expect(refused.status, p).toBe(403);
      expect(refused.body.error.code).toBeTruthy();
      expect((await t.api('GET', p, undefined, supToken)).status, p).toBe(200);
    }
  });

  it('draws the staffing chart on the reports page (Chromium)', async () => {
    // A month of load from week 4 on: weekdays 08-21 with a morning and an afternoon peak,
    // weekends lighter; some callers hang up (enough for Erlang A); two shifts of operators.
    const start = 21;
    const profile = (h: number) => Math.exp(-((h - 11) ** 2) / 6) + 0.8 * Math.exp(-((h - 15.5) ** 2) / 5);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rows: NewCallRow[] = [];
    for (let day = start; day < start + 28; day++) {
      const weekend = (day % 7) >= 5;
      for (let h = 8; h < 21; h++) {
        for (const line of ['first', 'second'] as const) {
          const n = Math.round((line === 'first' ? 70 : 14) * profile(h) * (weekend ? 0.35 : 1) * (0.85 + 0.3 * rand()));
          for (let i = 0; i < n; i++) {
            const q = msk(day, h, Math.floor(rand() * 60));
            if (rand() < 0.07) rows.push(call({ line, status: 'abandoned', queued_at: q, ended_at: new Date(q.getTime() + (20 + rand() * 120) * 1000) }));
            else {
              const answered = new Date(q.getTime() + rand() * 40_000);
              rows.push(call({ line, queued_at: q, answered_at: answered, ended_at: new Date(answered.getTime() + (line === 'first' ? 150 : 420) * (0.5 + rand()) * 1000) }));
            }
          }
        }
      }
    }
    for (let i = 0; i < rows.length; i += 1000) await db.insertInto('calls').values(rows.slice(i, i + 1000)).execute();
    const shifts: [Line, number, number][] = [
      ['first', 8, 17], ['first', 8, 17], ['first', 8, 17], ['first', 8, 17], ['first', 9, 18], ['first', 12, 21], ['first', 12, 21], ['first', 12, 21],
      ['second', 8, 17], ['second', 9, 18], ['second', 12, 21],
    ];
    for (const [i, [line, from, to]] of shifts.entries()) {
      const o = await operator(line, `Shift ${i + 1}`);
      const spans: [Date, 'available' | 'paused' | 'offline'][] = [];
      for (let day = start; day < start + 28; day++) {
        if ((day % 7) >= 5 && i % 2) continue;
        spans.push([msk(day, from), 'available'], [msk(day, from + 3), 'paused'], [msk(day, from + 3, 30), 'available'], [msk(day, to), 'offline']);
      }
      await states(o.id, spans);
    }

    const sup = await operator('first', 'Staffing Supervisor', true);
    const password = `${uniq('panel-')}${uniq()}`;
    expect((await t.api('PUT', `/api/operators/${sup.id}/panel-password`, { password })).status).toBe(204);
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${t.base}/panel/supervisor`);
    await page.fill('#signin input[name=login]', sup.login);
    await page.fill('#signin input[name=password]', password);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#tabs:not([hidden])');
    await page.click('a[data-tab=reports]');
    await page.fill('#staff-form input[name=weeks]', '4');
    await page.fill('#staff-form input[name=until]', new Date(BASE + (start + 28) * 86_400_000).toISOString().slice(0, 10));
    await page.selectOption('#staff-form select[name=weekday]', '1');
    // The chart's bars are the plan's numbers: Monday 11:00 on the first line (drawn once the
    // plan for this window has come back; the tab itself first draws the plan up to now).
    const untilIso = new Date(BASE + (start + 28) * 86_400_000).toISOString();
    const plan = (await t.api<{ lines: { slots: { weekday: number; hour: number; neededErlangC: number; neededErlangA: number | null }[] }[] }>('GET',
      `/api/supervisor/reports/staffing?weeks=4&until=${encodeURIComponent(untilIso)}`)).body;
    const mon11 = plan.lines[0]!.slots.find((s) => s.weekday === 1 && s.hour === 11)!;
    expect(mon11.neededErlangC).toBeGreaterThan(3);
    expect(mon11.neededErlangA).not.toBeNull();
    await page.click('#staff-form button[type=submit]');
    await page.waitForFunction((v) => document.querySelector('#rep-staffing svg[data-line=first] rect[data-series=needed][data-hour="11"]')?.getAttribute('data-value') === v,
      String(mon11.neededErlangC), { timeout: 20_000 });
    await page.waitForSelector('#rep-staffing svg[data-line=second]');
    expect(await page.getAttribute('#rep-staffing svg[data-line=first] rect[data-series=neededA][data-hour="11"]', 'data-value')).toBe(String(mon11.neededErlangA));

    // The ticket figures load with the range reports, with their CSV links.
    await page.fill('#rep-form input[name=from]', new Date(BASE).toISOString().slice(0, 10));
    await page.fill('#rep-form input[name=to]', new Date(BASE + 6 * 86_400_000).toISOString().slice(0, 10));
    await page.click('#rep-form button[type=submit]');
    await page.waitForSelector('#rep-ticket-lines td');
    expect(await page.getAttribute('#csv-ticket-operators', 'href')).toContain('/api/supervisor/reports/ticket-operators?');
    // The page's sticky bar would sit over the card in an element screenshot.
    await page.evaluate(() => ((document.querySelector('header.bar') as HTMLElement).style.display = 'none'));
    await page.locator('#rep-staffing').screenshot({ path: `${ARTIFACTS}/staffing.png` });
    expect(errors).toEqual([]);
  });
});
