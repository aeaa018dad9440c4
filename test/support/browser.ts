import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium as launch } from '../harness/chromium.js';

/** Screenshots go here (CI keeps them as artifacts; not committed). */
export const ARTIFACTS = 'test/artifacts';

export async function launchChromium(executablePath?: string, secureOrigin?: string): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return launch(executablePath, secureOrigin);
}

/**
 * Opens `url` and waits for `ready`, loading the page again (up to three times) when it never
 * gets there. A Chromium outside a test network sees the host's interfaces change whenever a
 * parallel test makes or removes its test network (a veth pair), and then aborts the loads in
 * flight with net::ERR_NETWORK_CHANGED: a panel whose module failed that way never boots (seen
 * twice in full-suite runs, never alone). Reloading is what a person at the browser would do.
 */
export async function openSettled(page: Page, url: string, ready: string, timeoutMs = 10_000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await page.waitForSelector(ready, { timeout: timeoutMs });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.goto('about:blank');
    }
  }
}
