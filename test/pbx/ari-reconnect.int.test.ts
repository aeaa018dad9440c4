// ARI going away and coming back, through a TCP relay in front of the real Asterisk that the
// test can cut: the service keeps trying for as long as it runs (ari-connection.ts) and, once back,
// reports ready again and counts the reconnect.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from '../support/app.js';

class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly port: number, private readonly target: number) {}

  open(): Promise<void> {
    this.server = net.createServer((c) => {
      const up = net.connect(this.target, '127.0.0.1');
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      c.pipe(up).pipe(c);
    });
    return new Promise((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
  }

  async cut(): Promise<void> {
    // close() only calls back once every connection is gone: destroy them first.
    const closed = new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

let t: TestApp | undefined;
const relay = new Relay(25990, Number(process.env.PBX_HTTP_PORT));
afterAll(async () => {
  await t?.stop();
  await relay.cut();
});

const ready = async () => (await fetch(`${t!.base}/readyz`)).status === 200;

describe('ARI connection', () => {
  it('keeps retrying while ARI is unreachable and connects once it is back', async () => {
    t = await startTestApp({ ARI_URL: `http://127.0.0.1:${relay.port}`, ARI_RECONNECT_MAX_DELAY_MS: '300' });
    // Many attempts at a 300 ms cap: the service must not give up (ari-client, used before, stopped after ten).
    await new Promise((r) => setTimeout(r, 4000));
    expect(await ready()).toBe(false);
    await relay.open();
    await waitFor('ready once ARI is reachable', ready, 20_000);
  });

  it('reconnects after the websocket drops and reports it', async () => {
    const before = t!.app.ari.reconnects;
    await relay.cut();
    await waitFor('not ready while ARI is cut', async () => !(await ready()), 10_000);
    await relay.open();
    await waitFor('ready again', ready, 30_000);
    expect(t!.app.ari.reconnects).toBeGreaterThan(before);
  });
});
