// The API reference page renders in a real browser, from the service's own assets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';

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

describe('/docs in Chromium', () => {
  it('renders the pbxdesk API reference with its operations', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${t.base}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    expect(await page.textContent('.swagger-ui .info .title')).toContain('pbxdesk API');
    await page.waitForSelector('.opblock-summary-path');
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent?.replace(/\u200b/g, '')));
    expect(paths).toEqual(expect.arrayContaining(['/api/operators', '/api/calls/{id}']));
    await page.screenshot({ path: `${ARTIFACTS}/docs.png`, fullPage: false });
  });
});
