// Webhooks and connectors may not be pointed inside the network (SSRF): loopback, private and
// link-local targets are refused when subscribed, after DNS resolution, and again when a delivery
// connects; so are URLs with credentials. This app runs without OUTBOUND_PRIVATE_ALLOWLIST (the
// other tests allow their loopback receivers through it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/recordings.js';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let t: TestApp;
let hook: Receiver;
const planted: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ OUTBOUND_PRIVATE_ALLOWLIST: '', OUTBOUND_MAX_ATTEMPTS: '1' });
  hook = await startReceiver();
});
afterAll(async () => {
  for (const id of planted) await t.api('DELETE', `/api/webhooks/${id}`);
  await t?.stop();
  await hook?.close();
});

describe('webhook targets', () => {
  it('refuses loopback, private, link-local and credentialed URLs when subscribing', async () => {
    const port = new URL(hook.url).port;
    const urls = [
      `${hook.url}/hook`,
      `http://[::1]:${port}/hook`,
      `http://0x7f000001:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://localhost:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://[fd00::1]/hook',
      'https://user:secret@example.com/hook',
    ];
    for (const url of urls) {
      const r = await t.api<{ error: { code: string; message: string } }>('POST', '/api/webhooks', { url });
      expect(r.status, url).toBe(422);
      expect(r.body.error.code, url).toBe('outbound_target_not_allowed');
    }
    const rt = await t.api<{ error: { code: string } }>('POST', '/api/webhooks', { connector: 'rt5', url: `http://127.0.0.1:${port}` });
    expect(rt.body.error.code).toBe('outbound_target_not_allowed');
    const subs = (await t.api<{ subscriptions: { url: string }[] }>('GET', '/api/webhooks')).body.subscriptions;
    expect(subs.filter((s) => s.url.includes(`:${port}`) || s.url.includes('169.254'))).toEqual([]);
  });

  it('refuses again when a delivery connects: a stored URL naming loopback reaches nothing', async () => {
    // As if stored before this guard, or a name that resolved elsewhere when subscribed (DNS rebinding).
    for (const url of [`${hook.url}/literal`, `http://localhost:${new URL(hook.url).port}/rebound`]) {
      const sub = await db.insertInto('outbound_subscriptions').values({ connector: 'webhook', url, events: ['ticket.created'], description: 'ssrf test' }).returning('id').executeTakeFirstOrThrow();
      planted.push(sub.id);
    }
    await t.api('POST', '/api/tickets', { subject: uniq('ssrf ') });
    for (const id of planted) {
      const dead = await waitFor('the refused delivery', async () => {
        const r = await t.api<{ deliveries: { status: string; lastError: string | null }[] }>('GET', `/api/webhooks/deliveries?subscription=${id}&status=dead`);
        return r.body.deliveries[0];
      });
      expect(dead.lastError).toMatch(/refused.*loopback, private, link-local or reserved/);
    }
    expect(hook.received).toEqual([]);
  });
});
