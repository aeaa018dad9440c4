import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launchChromium as launch } from '../harness/chromium.js';

/** Screenshots go here (CI keeps them as artifacts; not committed). */
export const ARTIFACTS = 'test/artifacts';

export async function launchChromium(executablePath?: string, secureOrigin?: string): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return launch(executablePath, secureOrigin);
}
