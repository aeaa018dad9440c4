// Debian's Chromium driven by playwright-core (never `playwright install`: no downloads here).
// Shared by the browser tests (test/support/browser.ts) and the screen-pop benchmark.
import { chromium, type Browser } from 'playwright-core';

/**
 * executablePath: a launcher of Chromium in a test network (test/harness/test-network.ts), for WebRTC.
 * secureOrigin: an http:// origin to treat as secure. Browsers give microphones (and so WebRTC)
 * only to secure contexts; production serves the panel over TLS, the test network plain HTTP.
 */
export async function launchChromium(executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', secureOrigin?: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      // The ring of an incoming call plays without a click first.
      '--autoplay-policy=no-user-gesture-required',
      ...(secureOrigin ? [`--unsafely-treat-insecure-origin-as-secure=${secureOrigin}`] : []),
    ],
  });
}
