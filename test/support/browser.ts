// Debian's Chromium driven by playwright-core (never `playwright install`: no downloads here).
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const ARTIFACTS = 'test/artifacts';

export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    ],
  });
}
