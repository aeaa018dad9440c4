import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/outbound/outbound.service.js';
import { signBody, verifySignature } from '../../src/outbound/webhook-signing.js';

describe('webhook signing', () => {
  const secret = 'whsec_test';
  const body = JSON.stringify({ type: 'ticket.created', data: { subject: 'Не работает звонок' } });
  it('verifies what it signed, and refuses a changed body, another secret, or a stale timestamp', () => {
    const ts = 1_800_000_000;
    const headers = { 'pbxdesk-timestamp': String(ts), 'pbxdesk-signature': signBody(secret, ts, body) };
    expect(verifySignature(secret, headers, body, ts + 10)).toEqual({ ok: true });
    expect(verifySignature(secret, headers, body.replace('звонок', 'звонка'), ts)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('whsec_other', headers, body, ts)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(secret, headers, body, ts + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(secret, {}, body, ts)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('delivery retries', () => {
  it('doubles the delay per failure up to the cap', () => {
    const s = { retryBaseMs: 5000, retryMaxMs: 900_000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, s))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(20, s)).toBe(900_000);
  });
});
