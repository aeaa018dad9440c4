// Webhooks against a real receiver: signed, retried with backoff while the receiver fails,
// delivered in order once it is back, nothing lost; a receiver that stays down past the
// attempts ends in the dead-letter list, and a redrive delivers it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/outbound/webhook-signing.js';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

interface Body {
  id: string;
  type: string;
  data: { ticket: { id: string; subject: string }; changes?: Record<string, unknown> };
}

let t: TestApp;
let hook: Receiver;
let sub: { id: string; secret: string };
beforeAll(async () => {
  t = await startTestApp({ OUTBOUND_MAX_ATTEMPTS: '4', OUTBOUND_RETRY_BASE_MS: '200' });
  hook = await startReceiver();
  const r = await t.api<{ id: string; secret: string; events: string[] }>('POST', '/api/webhooks', { url: `${hook.url}/pbxdesk`, events: ['ticket.created', 'ticket.updated'] });
  expect(r.status).toBe(201);
  expect(r.body.secret).toMatch(/^whsec_/);
  sub = r.body;
});
afterAll(async () => {
  if (sub) await t.api('DELETE', `/api/webhooks/${sub.id}`);
  await t?.stop();
  await hook?.close();
});

const bodiesFor = (ticketId: string) =>
  hook
    .accepted()
    .map((r) => JSON.parse(r.body) as Body)
    .filter((b) => b.data.ticket.id === ticketId);

describe('webhooks', () => {
  it('retries while the receiver fails and then delivers every event, in order, signed', async () => {
    hook.failNext(3);
    const marker = uniq('w-');
    const ticket = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: `${marker} 0` })).body;
    for (let i = 1; i <= 4; i++) await t.api('PATCH', `/api/tickets/${ticket.id}`, { subject: `${marker} ${i}` });
    const got = await waitFor('five events', async () => (bodiesFor(ticket.id).length >= 5 ? bodiesFor(ticket.id) : undefined));
    expect(got.map((b) => `${b.type}:${b.data.ticket.subject}`)).toEqual([
      `ticket.created:${marker} 0`,
      ...[1, 2, 3, 4].map((i) => `ticket.updated:${marker} ${i}`),
    ]);
    // The first three attempts failed (503); the head was retried, nothing behind it overtook it.
    const first = hook.received.findIndex((r) => r.body.includes(`${marker} 0`));
    expect(hook.received.slice(first, first + 4).map((r) => r.status)).toEqual([503, 503, 503, 200]);
    for (const r of hook.accepted().filter((x) => x.body.includes(marker))) {
      expect(verifySignature(sub.secret, r.headers, r.body)).toEqual({ ok: true });
      expect(r.headers['pbxdesk-delivery']).toMatch(/^\d+$/);
    }
    // A body changed in transit does not verify.
    const one = hook.accepted().find((x) => x.body.includes(marker))!;
    expect(verifySignature(sub.secret, one.headers, one.body.replace(marker, 'x'))).toMatchObject({ ok: false });
  });

  it('puts an event the receiver never took in the dead-letter list, and a redrive delivers it', async () => {
    hook.down();
    const marker = uniq('d-');
    const ticket = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: marker })).body;
    const dead = await waitFor('the dead letter', async () => {
      const r = await t.api<{ deliveries: { id: string; status: string; attempts: number; lastStatus: number; type: string }[] }>('GET', `/api/webhooks/deliveries?subscription=${sub.id}&status=dead`);
      return r.body.deliveries.find((d) => d.type === 'ticket.created');
    });
    expect(dead).toMatchObject({ attempts: 4, lastStatus: 503 });
    expect(bodiesFor(ticket.id)).toEqual([]);
    hook.up();
    expect((await t.api('POST', `/api/webhooks/deliveries/${dead.id}/redrive`, {})).status).toBe(202);
    await waitFor('the redriven event', async () => bodiesFor(ticket.id).length === 1);
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('GET', '/api/webhooks/deliveries?status=dead', undefined, sup)).status).toBe(403);
  });

  it('refuses an unknown connector or events a connector cannot send', async () => {
    const a = await t.api<{ error: { code: string } }>('POST', '/api/webhooks', { connector: 'nope', url: 'http://127.0.0.1:9/x' });
    expect(a.status).toBe(422);
    expect(a.body.error.code).toBe('invalid_subscription');
    expect((await t.api('POST', '/api/webhooks', { connector: 'zammad-cti', url: 'http://127.0.0.1:9/x', events: ['ticket.created'] })).status).toBe(422);
    expect((await t.api('POST', '/api/webhooks', { url: 'ftp://example.com/x' })).status).toBe(400);
  });
});
