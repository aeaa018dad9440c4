// Review filters against the real Postgres: each kind finds exactly the seeded calls that need a
// look (holds and transfers from call_events, survey, verification, failed callbacks, first
// calls, long calls), each call says whether it was evaluated (a corrected evaluation counts its
// call once) and whether it has a recording; the random sample drawn by SQL is the one the pure
// function draws, and the same every time; who sees which line's filters; bad input is a 4xx;
// in Chromium, a supervisor saves a filter on the recordings page and opens a call it finds.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { insertCall } from '../../src/calls/call.repository.js';
import { DEFAULT_PBX_NODE, type NewCallRow } from '../../src/calls/call.table.js';
import { insertCallback } from '../../src/callbacks/callback.repository.js';
import { pickSample } from '../../src/qa/review-filter.js';
import { insertRecording } from '../../src/recordings/recording.repository.js';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

interface Call { callId: string; operatorId: string | null; evaluated: boolean; recordingId: string | null; transfers: number; longestHoldSec: number | null; talkSec: number | null }
interface Run { totals: { calls: number; evaluated: number }; calls: Call[]; filter: { id: string; params: Record<string, unknown> } }
type Err = { error: { code: string; details?: { errors?: { path: string }[] } } };

let t: TestApp;
const tok = { supFirst: '', supSecond: '', op: '' };
const ops: string[] = [];
let late: string;
// This file's calls happen in one random week of 2004 (Monday DAY): no other file's fall in it.
const DAY = new Date(Date.UTC(2004, 0, 5 + 7 * Math.floor(Math.random() * 50), 0));
const at = (hours: number) => new Date(DAY.getTime() + hours * 3_600_000);
const RANGE = `from=${DAY.toISOString()}&to=${at(7 * 24).toISOString()}`;
const seeded: Record<string, string> = {};

async function operator(line: Line, supervisor = false) {
  return (await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('rf-'), name: uniq('RF '), line, sipPassword: `${uniq('pw-')}${uniq()}`, supervisor })).body.id;
}
const token = async (role: string, operatorId: string) => (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('rf-'), role, operatorId })).body.token;

/** An answered, finished first-line call (talking `talkMin` minutes) at `hours` after DAY. */
async function call(name: string, operatorId: string | null, hours: number, extra: Partial<NewCallRow> & { talkMin?: number; recorded?: boolean } = {}) {
  const { talkMin = 1, recorded = false, ...row } = extra;
  const start = at(hours);
  const c = await insertCall(db, {
    caller_number: randomPhone(), dialled_number: '88005553535', status: 'completed', line: 'first', caller_channel_id: `rf-${randomUUID()}`, pbx_node: DEFAULT_PBX_NODE,
    operator_id: operatorId, entered_at: start, answered_at: operatorId ? start : null, ended_at: new Date(start.getTime() + talkMin * 60_000), ...row,
  });
  // An inert recording ('failed': no worker picks it up): only that it exists matters.
  if (recorded) await insertRecording(db, { call_id: c.id, name: `rf-${c.id}`, status: 'failed', spool_path: null, duration_ms: talkMin * 60_000, pbx_node: DEFAULT_PBX_NODE });
  seeded[name] = c.id;
  return c.id;
}
async function event(callId: string, detail: Record<string, unknown>, secondsIn: number) {
  const row = await db.selectFrom('calls').select('answered_at').where('id', '=', callId).executeTakeFirstOrThrow();
  const when = new Date((row.answered_at as Date).getTime() + secondsIn * 1000);
  await sql`INSERT INTO call_events (call_id, from_status, to_status, detail, at) VALUES (${callId}, 'bridged', 'bridged', ${JSON.stringify(detail)}::jsonb, ${when})`.execute(db);
}

async function filter(doc: Record<string, unknown>, who = tok.supFirst) {
  const r = await t.api<{ id: string } & Err>('POST', '/api/qa/review-filters', { line: 'first', name: uniq('rf '), ...doc }, who);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}
const run = async (id: string, query = RANGE, who = tok.supFirst) => t.api<Run & Err>('GET', `/api/qa/review-filters/${id}/calls?${query}&limit=500`, undefined, who);
const found = async (doc: Record<string, unknown>) => {
  const r = await run(await filter(doc));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const names = (r: Run) => Object.entries(seeded).filter(([, id]) => r.calls.some((c) => c.callId === id)).map(([n]) => n).sort();

beforeAll(async () => {
  t = await startTestApp();
  for (let i = 0; i < 3; i++) ops.push(await operator('first'));
  late = await operator('first');
  const [supFirst, supSecond] = [await operator('first', true), await operator('second', true)];
  tok.supFirst = await token('supervisor', supFirst);
  tok.supSecond = await token('supervisor', supSecond);
  tok.op = await token('operator', ops[0] as string);
  const [a, b] = ops as [string, string];

  await event(await call('held', a, 1, { recorded: true }), { hold: true }, 10).then(() => event(seeded.held as string, { hold: false }, 200));
  await event(await call('heldShort', a, 2), { hold: true }, 5).then(() => event(seeded.heldShort as string, { hold: false }, 35));
  const twice = await call('transferred2', b, 3);
  await event(twice, { transfer: { fromOperatorId: a, toLine: 'first', by: 'operator' } }, 20);
  await event(twice, { handedOver: { fromOperatorId: a, toOperatorId: b, mode: 'consult', by: 'operator' } }, 80);
  await event(await call('transferred1', b, 4), { transfer: { fromOperatorId: a, toLine: 'first', by: 'operator' } }, 20);
  await call('survey2', a, 5, { survey_score: 2 });
  await call('survey5', a, 6, { survey_score: 5 });
  const failed = await call('verifyFailed', b, 7);
  await sql`UPDATE calls SET verification_status = 'failed' WHERE id = ${failed}`.execute(db);
  await call('long', b, 8, { talkMin: 25, recorded: true });
  // A failed callback: the call it was booked from (nobody answered) and the call an attempt made.
  const booked = await call('callbackBooked', null, 9, { status: 'callback' });
  const cb = await insertCallback(db, { kind: 'queued', number: randomPhone(), line: 'first', status: 'failed', rank: at(9), max_attempts: 1, requested_by: 'rf', closed_reason: 'no answer', call_id: booked });
  await call('callbackAttempt', a, 10, { callback_id: cb.id });
  const done = await insertCallback(db, { kind: 'queued', number: randomPhone(), line: 'first', status: 'completed', rank: at(9), max_attempts: 1, requested_by: 'rf', closed_reason: 'answered' });
  await call('callbackDone', a, 11, { callback_id: done.id });
  // The late starter: one answered call the week before (outside the range), two in it.
  await call('lateBefore', late, -48);
  await call('lateFirst', late, 12);
  await call('lateSecond', late, 13);
  // Another line's call never shows on a first-line filter.
  await call('secondLine', a, 14, { line: 'second', talkMin: 30 });
});
afterAll(async () => t?.stop());

describe('review filters', () => {
  it('each kind finds its calls, with the figures it looks at and whether a recording exists', async () => {
    const holds = await found({ kind: 'long-hold', params: { minHoldSec: 120 } });
    expect(names(holds)).toEqual(['held']);
    expect(holds.calls[0]).toMatchObject({ longestHoldSec: 190, recordingId: expect.any(String) });
    const transfers = await found({ kind: 'transfers' });
    expect(names(transfers)).toEqual(['transferred2']);
    expect(transfers.calls[0]).toMatchObject({ transfers: 2, recordingId: null });
    expect(names(await found({ kind: 'low-survey', params: { maxScore: 2 } }))).toEqual(['survey2']);
    expect(names(await found({ kind: 'failed-verification', params: {} }))).toEqual(['verifyFailed']);
    expect(names(await found({ kind: 'failed-callback' }))).toEqual(['callbackAttempt', 'callbackBooked']);
    const long = await found({ kind: 'long-call', params: { minMinutes: 20 } });
    expect(names(long)).toEqual(['long']);
    expect(long.calls[0]?.talkSec).toBe(25 * 60);
    // First calls ever: the call before the range counts, so only one of the two in it is among the first two.
    const first = await found({ kind: 'first-calls', params: { count: 2 } });
    expect(first.calls.filter((c) => c.operatorId === late).map((c) => c.callId)).toEqual([seeded.lateFirst]);
  });

  it('counts a call evaluated once, also when its evaluation was corrected; pages with totals over all', async () => {
    const form = (await t.api<{ id: string }>('POST', '/api/qa/forms', { name: uniq('rf form '), sections: [{ id: 's', title: 'S', criteria: [{ id: 'c', title: 'C', scale: { type: 'yesno' } }] }] })).body.id;
    const score = async (callId: string) => (await t.api<{ id: string }>('POST', '/api/qa/evaluations', { callId, formId: form, answers: [{ criterionId: 'c', value: true }] })).body.id;
    await score(seeded.transferred2 as string);
    const e = await score(seeded.transferred1 as string);
    const corrected = await t.api('POST', `/api/qa/evaluations/${e}/correct`, { answers: [{ criterionId: 'c', value: false }] }, tok.supFirst);
    expect(corrected.status).toBe(201);
    const id = await filter({ kind: 'transfers', params: { minTransfers: 2 } });
    const r = await run(id);
    expect(r.body.totals).toEqual({ calls: 1, evaluated: 1 });
    expect(r.body.calls[0]).toMatchObject({ callId: seeded.transferred2, evaluated: true });
    // Every answered call of the range (each operator's first 1000): paged, with the totals over all.
    const every = await filter({ kind: 'first-calls', params: { count: 1000 } });
    const whole = (await run(every)).body;
    expect(whole.totals.evaluated).toBe(2); // transferred2 once, transferred1 once (corrected: still one call)
    expect(whole.calls.filter((c) => c.evaluated).map((c) => c.callId).sort()).toEqual([seeded.transferred1, seeded.transferred2].sort());
    const page = (await t.api<Run>('GET', `/api/qa/review-filters/${every}/calls?${RANGE}&limit=2&offset=1`, undefined, tok.supFirst)).body;
    expect(page.totals).toEqual(whole.totals);
    expect(page.calls.map((c) => c.callId)).toEqual(whole.calls.slice(1, 3).map((c) => c.callId));
    // The list shows each filter's totals for a range.
    const list = (await t.api<{ filters: { id: string; totals?: { calls: number; evaluated: number } }[] }>('GET', `/api/qa/review-filters?${RANGE}`, undefined, tok.supFirst)).body.filters;
    expect(list.find((f) => f.id === id)?.totals).toEqual({ calls: 1, evaluated: 1 });
  });

  it('draws the same sample every time, the one the pure function draws, with the seed stored', async () => {
    // Nine more calls each for two operators over the week, on top of what is there.
    for (let i = 0; i < 9; i++) for (const op of ops.slice(1)) await call(`s-${op}-${i}`, op, 20 + i * 15);
    const id = await filter({ kind: 'sample', params: { perWeek: 3 } });
    const a = (await run(id)).body;
    const seed = a.filter.params.seed as string;
    expect(seed).toMatch(/^[0-9a-f]{24}$/);
    const population = await db.selectFrom('calls').select(['id', 'operator_id', 'entered_at'])
      .where('line', '=', 'first').where('entered_at', '>=', DAY).where('entered_at', '<', at(7 * 24))
      .where('answered_at', 'is not', null).where('ended_at', 'is not', null).where('operator_id', 'is not', null).execute();
    const expected = pickSample(population.map((c) => ({ id: c.id, operatorId: c.operator_id as string, at: c.entered_at })), 3, seed);
    expect(new Set(a.calls.map((c) => c.callId))).toEqual(expected);
    expect(a.totals.calls).toBe(expected.size);
    expect((await run(id)).body.calls).toEqual(a.calls);
    // Another filter with the same seed draws the same; a day of the week alone draws its part of it.
    const again = await filter({ kind: 'sample', params: { perWeek: 3, seed } });
    expect((await run(again)).body.calls.map((c) => c.callId)).toEqual(a.calls.map((c) => c.callId));
    const day = (await run(again, `from=${at(24).toISOString()}&to=${at(48).toISOString()}`)).body.calls.map((c) => c.callId);
    expect(day.every((c) => expected.has(c))).toBe(true);
  });

  it('keeps a supervisor to their own line, admins see all; bad input is a 4xx in the one shape', async () => {
    const id = await filter({ kind: 'low-survey', params: { maxScore: 1 } });
    const mine = (who: string) => t.api<{ filters: { id: string }[] }>('GET', '/api/qa/review-filters', undefined, who).then((r) => r.body.filters.map((f) => f.id));
    expect(await mine(tok.supFirst)).toContain(id);
    expect(await mine(t.adminToken)).toContain(id);
    expect(await mine(tok.supSecond)).not.toContain(id);
    expect((await run(id, RANGE, tok.supSecond)).status).toBe(404);
    expect((await t.api('DELETE', `/api/qa/review-filters/${id}`, undefined, tok.supSecond)).status).toBe(404);
    expect((await t.api('GET', '/api/qa/review-filters', undefined, tok.op)).status).toBe(403);
    const other = await t.api<Err>('POST', '/api/qa/review-filters', { name: 'x', line: 'second', kind: 'failed-callback' }, tok.supFirst);
    expect([other.status, other.body.error.code]).toEqual([403, 'review_filter_forbidden']);
    const name = uniq('dup ');
    await filter({ name, kind: 'failed-callback' });
    expect((await t.api<Err>('POST', '/api/qa/review-filters', { name, line: 'first', kind: 'transfers' }, tok.supFirst)).body.error.code).toBe('review_filter_name_taken');
    const bad = await t.api<Err>('POST', '/api/qa/review-filters', { name: 'x', line: 'first', kind: 'long-call', params: { minMinutes: 0 } }, tok.supFirst);
    expect([bad.status, bad.body.error.code, bad.body.error.details?.errors?.map((e) => e.path)]).toEqual([422, 'invalid_review_filter', ['/params/minMinutes']]);
    expect((await t.api<Err>('POST', '/api/qa/review-filters', { name: 'x', line: 'first', kind: 'nope' }, tok.supFirst)).status).toBe(400);
    expect((await run(id, `from=${at(5).toISOString()}&to=${at(1).toISOString()}`)).body.error.code).toBe('invalid_value');
    expect((await run(id, 'from=2001-01-01T00:00:00Z&to=2003-01-01T00:00:00Z')).status).toBe(400);
    expect((await t.api('DELETE', `/api/qa/review-filters/${id}`, undefined, tok.supFirst)).status).toBe(204);
    expect((await run(id)).status).toBe(404);
  });

  it('in Chromium: a supervisor saves a filter, sees its totals and opens a call it found in the player', async () => {
    const login = uniq('rf-web-');
    const password = `${uniq('panel-')}${uniq()}`;
    const sup = (await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Review Supervisor', line: 'first', sipPassword: `${uniq('sip-')}${uniq()}`, supervisor: true })).body.id;
    expect((await t.api('PUT', `/api/operators/${sup}/panel-password`, { password })).status).toBe(204);
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' })).newPage();
      page.on('pageerror', (err) => console.error('page error:', err.message));
      await page.goto(`${t.base}/panel/supervisor#recordings`);
      await page.fill('#signin input[name=login]', login);
      await page.fill('#signin input[name=password]', password);
      await page.click('#signin button[type=submit]');
      await page.waitForSelector('#review #rv-range');
      await page.fill('#rv-range input[name=from]', DAY.toISOString().slice(0, 10));
      await page.fill('#rv-range input[name=to]', at(6 * 24).toISOString().slice(0, 10));
      await page.click('#review summary');
      const name = uniq('Long calls ');
      await page.fill('#rv-new input[name=name]', name);
      await page.selectOption('#rv-new select[name=kind]', 'long-call');
      await page.fill('#rv-new input[name=value]', '20');
      await page.click('#rv-new button[type=submit]');
      // Saved, listed with its totals, and opened: the long call with a recording to listen to.
      const row = page.locator('#rv-filters tr.open', { hasText: name });
      await expect.poll(() => row.locator('.rv-totals').textContent()).toBe('calls: 1, evaluated: 0');
      await page.waitForSelector(`#rv-calls tr[data-call="${seeded.long}"] button.play`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'review-filters.png'), fullPage: true });
      await page.click(`#rv-calls tr[data-call="${seeded.long}"] button.play`);
      const rec = await db.selectFrom('recordings').select('id').where('call_id', '=', seeded.long as string).executeTakeFirstOrThrow();
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#recording=${rec.id}`);
    } finally {
      await browser.close();
    }
  });
});
