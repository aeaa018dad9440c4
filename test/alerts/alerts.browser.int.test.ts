/// <reference lib="dom" />
// Alerts end to end with real callers (SIPp), Postgres and Chromium: a caller waits on the second
// line past its 2-second threshold (nobody available) and a supervisor stays on a break past its
// 1 second; both alerts are raised once (API, one outbound event each, the signed webhook), shown
// on the wallboard with a sound, and clear themselves when the caller hangs up and the pause ends.
// The windowed kinds (service level, abandonment) and a ticket past its SLA are raised from rows
// in Postgres, and clear when their kinds are turned off.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/alerts/alert-rules.js';
import { insertCall } from '../../src/calls/call.repository.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { verifySignature } from '../../src/outbound/webhook-signing.js';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { db } from '../support/recordings.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

interface Alert {
  id: string;
  kind: string;
  line: string;
  subject: string;
  value: number;
  threshold: number;
  raisedAt: string;
  clearedAt: string | null;
}

let t: TestApp;
let hook: Receiver;
let sub: { id: string; secret: string };
let browser: Browser;
beforeAll(async () => {
  t = await startTestApp({ ALERT_EVAL_SEC: '1' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'second');
  hook = await startReceiver();
  sub = (await t.api<{ id: string; secret: string }>('POST', '/api/webhooks', { url: `${hook.url}/alerts`, events: ['alert.raised', 'alert.cleared'] })).body;
  browser = await launchChromium();
});
afterAll(async () => {
  // The line's thresholds back to the defaults: later files' callers must not raise alerts at 2 s.
  await t?.api('PUT', '/api/alerts/thresholds/second', { ...DEFAULT_THRESHOLDS });
  if (sub) await t.api('DELETE', `/api/webhooks/${sub.id}`);
  await browser?.close();
  await hook?.close();
  await t?.stop();
});

const open = async () => (await t.api<{ alerts: Alert[] }>('GET', '/api/alerts')).body.alerts;
const hookEvent = (type: string, id: string) =>
  hook.accepted().find((r) => r.headers['pbxdesk-event'] === type && (JSON.parse(r.body) as { data: { alert: Alert } }).data.alert.id === id);
const eventsFor = async (id: string) =>
  (await sql<{ type: string }>`SELECT type FROM outbound_events WHERE type LIKE 'alert.%' AND payload->'alert'->>'id' = ${id} ORDER BY id`.execute(db)).rows.map((r) => r.type);

describe('alerts', () => {
  it('raise once when a caller waits past the threshold and a pause lasts, show on the wallboard with a sound, and clear themselves', async () => {
    // A ticket of the second line a minute past its first-response due time, and a caller who
    // abandoned it a minute ago: any abandoned call is over an abandon rate of 0, and under a
    // service level of 1 (whatever else the line's last 30 minutes hold).
    const ticket = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: 'alerts: overdue', line: 'second' })).body.id;
    await db.updateTable('tickets').set({ sla_first_due: new Date(Date.now() - 60_000) }).where('id', '=', ticket).execute();
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    await insertCall(db, {
      ticket_id: ticket, caller_number: randomPhone(), dialled_number: '88005553535', status: 'abandoned', line: 'second', caller_channel_id: `alerts-${randomUUID()}`,
      entered_at: ago(70), queued_at: ago(60), ended_at: ago(30), pbx_node: DEFAULT_PBX_NODE,
    });
    const th = await t.api('PUT', '/api/alerts/thresholds/second', {
      longestWaitSec: 2, serviceLevelMin: 1, slaOverdueSec: 0, pauseMaxSec: { break: 1 }, abandonRateMax: 0, abandonWindowMin: 30, minCalls: 1,
    });
    expect(th.status).toBe(200);
    expect((await t.api<{ lines: { line: string; longestWaitSec: number | null }[] }>('GET', '/api/alerts/thresholds')).body.lines.find((l) => l.line === 'second')).toMatchObject({ longestWaitSec: 2 });

    // A supervisor of the second line, on a break, watching the wallboard.
    const login = uniq('alerts-sup');
    const password = `${uniq('panel-')}${uniq()}`;
    const supId = (await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Ольга Супервайзер', line: 'second', sipPassword: `${uniq('pw-')}${uniq()}`, supervisor: true })).body.id;
    expect((await t.api('PUT', `/api/operators/${supId}/panel-password`, { password })).status).toBe(204);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU' })).newPage();
    page.on('pageerror', (err) => console.error('supervisor page error:', err.message));
    await page.goto(`${t.base}/panel/supervisor`);
    await page.fill('#signin input[name=login]', login);
    await page.fill('#signin input[name=password]', password);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#alerts h2');
    await t.api('PUT', `/api/operators/${supId}/state`, { state: 'paused', reason: 'break' });

    // A caller on the second line (key 2), nobody available: they wait, then hang up.
    const call = runCaller({ caller: randomPhone(), number: '88005553535', steps: [{ digit: '2', method: 'info', afterMs: 1500 }], talkMs: 7000 });
    const wait = await waitFor('the longest-wait alert', async () => (await open()).find((a) => a.kind === 'longest_wait' && a.line === 'second'));
    expect(wait.value).toBeGreaterThan(2);
    expect(wait.threshold).toBe(2);
    const pause = await waitFor('the pause alert', async () => (await open()).find((a) => a.kind === 'pause_too_long' && a.subject === supId));
    expect(pause).toMatchObject({ line: 'second', threshold: 1 });
    const windowed = await waitFor('the windowed and SLA alerts', async () => {
      const a = (await open()).filter((x) => x.line === 'second');
      const sl = a.find((x) => x.kind === 'service_level');
      const ab = a.find((x) => x.kind === 'abandon_rate');
      const sla = a.find((x) => x.kind === 'sla_breach' && x.subject === ticket);
      return sl && ab && sla ? { sl, ab, sla } : undefined;
    });
    expect(windowed.sl.value).toBeLessThan(1);
    expect(windowed.ab.value).toBeGreaterThan(0);
    expect(windowed.sla.value).toBeGreaterThanOrEqual(60);

    // Pushed to the wallboard, with a sound for what was raised while it was open.
    await page.waitForSelector('#alerts li[data-kind=longest_wait][data-line=second]');
    await page.waitForSelector('#alerts li[data-kind=pause_too_long]');
    await page.waitForSelector('#alerts li[data-kind=sla_breach]');
    await page.waitForSelector('#alerts li[data-kind=abandon_rate]');
    expect(Number(await page.evaluate(() => document.body.dataset.alertChimes ?? '0'))).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/alerts.png` });

    // An outbound event each, delivered signed to the webhook.
    const raised = await waitFor('alert.raised delivered', async () => hookEvent('alert.raised', wait.id));
    expect(verifySignature(sub.secret, raised.headers, raised.body)).toEqual({ ok: true });
    expect(JSON.parse(raised.body)).toMatchObject({ type: 'alert.raised', data: { alert: { id: wait.id, kind: 'longest_wait', line: 'second', clearedAt: null } } });

    // The caller hangs up: the alert clears itself, once; the history keeps it.
    expect((await call).code).toBe(0);
    await waitFor('the longest-wait alert cleared', async () => !(await open()).some((a) => a.id === wait.id));
    const hist = (await t.api<{ alerts: Alert[] }>('GET', '/api/alerts/history?line=second&kind=longest_wait')).body.alerts.find((a) => a.id === wait.id);
    expect(hist?.clearedAt).not.toBeNull();
    expect(Date.parse(hist!.clearedAt!)).toBeGreaterThanOrEqual(Date.parse(hist!.raisedAt));
    await waitFor('alert.cleared delivered', async () => hookEvent('alert.cleared', wait.id));
    await page.waitForSelector('#alerts li[data-kind=longest_wait]', { state: 'detached' });

    // The pause ends: its alert clears too.
    await t.api('PUT', `/api/operators/${supId}/state`, { state: 'offline' });
    await waitFor('the pause alert cleared', async () => !(await open()).some((a) => a.id === pause.id));
    expect(await eventsFor(wait.id)).toEqual(['alert.raised', 'alert.cleared']);
    expect(await eventsFor(pause.id)).toEqual(['alert.raised', 'alert.cleared']);

    // Kinds turned off: their alerts clear as well.
    await t.api('PUT', '/api/alerts/thresholds/second', { ...DEFAULT_THRESHOLDS, serviceLevelMin: null, abandonRateMax: null, slaOverdueSec: null });
    const ids = [windowed.sl.id, windowed.ab.id, windowed.sla.id];
    await waitFor('the windowed and SLA alerts cleared', async () => !(await open()).some((a) => ids.includes(a.id)));
    for (const id of ids) expect(await eventsFor(id)).toEqual(['alert.raised', 'alert.cleared']);
  });

  it('lets supervisors read alerts but only admins set thresholds', async () => {
    const supervisor = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('alerts-'), role: 'supervisor' })).body.token;
    expect((await t.api('GET', '/api/alerts', undefined, supervisor)).status).toBe(200);
    expect((await t.api('PUT', '/api/alerts/thresholds/first', { ...DEFAULT_THRESHOLDS }, supervisor)).status).toBe(403);
    const bad = await t.api<{ error: { code: string } }>('PUT', '/api/alerts/thresholds/first', { ...DEFAULT_THRESHOLDS, serviceLevelMin: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTruthy();
  });
});
