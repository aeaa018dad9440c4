/// <reference lib="dom" />
// Operators who work in the browser panel: a WebRTC endpoint, a panel password, and a Chromium
// page signed in with the softphone registered (the test network keeps media off loopback).
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { uniq, type TestApp } from './app.js';
import type { Line } from '../../src/vocabulary.js';

export interface PanelOperator {
  id: string;
  login: string;
  name: string;
  page: Page;
}

export async function panelOperator(
  t: TestApp,
  browser: Browser,
  o: { line: Line; name: string; supervisor?: boolean; lang?: 'ru' | 'en' },
): Promise<PanelOperator> {
  const login = uniq('web');
  const password = `${uniq('panel-')}${uniq()}`;
  const op = await t.api<{ id: string }>('POST', '/api/operators', {
    login, name: o.name, line: o.line, sipPassword: `${uniq('sip-')}${uniq()}`, softphone: 'webrtc', supervisor: o.supervisor ?? false,
  });
  expect(op.status, JSON.stringify(op.body)).toBe(201);
  expect((await t.api('PUT', `/api/operators/${op.body.id}/panel-password`, { password })).status).toBe(204);
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: o.lang === 'en' ? 'en-GB' : 'ru-RU', permissions: ['microphone'] });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.error(`[${login}] page error:`, err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || process.env.PANEL_CONSOLE) console.log(`[${login}] ${m.type()}: ${m.text()}`);
  });
  await page.goto(`${t.base}/panel`);
  await page.fill('#signin input[name=login]', login);
  await page.fill('#signin input[name=password]', password);
  await page.click('#signin button[type=submit]');
  // Registered over the service's WebSocket relay: the phone is live.
  await page.waitForSelector('#phone-state.ok', { timeout: 20_000 });
  return { id: op.body.id, login, name: o.name, page };
}

export async function mediaStats(page: Page): Promise<{ packetsReceived: number; packetsSent: number; iceState: string; pairSucceeded: boolean } | null> {
  return page.evaluate(() => (window as unknown as { pbxdesk: { mediaStats(): Promise<never> } }).pbxdesk.mediaStats());
}
