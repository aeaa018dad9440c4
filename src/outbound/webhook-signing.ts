// How pbxdesk signs what it sends, and how a receiver checks it: HMAC-SHA256 over
// "<timestamp>.<body>" with the subscription's secret. The timestamp is in the signed text,
// so a captured request cannot be replayed outside the window (5 minutes by default).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'pbxdesk-signature';
export const TIMESTAMP_HEADER = 'pbxdesk-timestamp';

export function signBody(secret: string, timestampSec: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** For receivers (and the tests): is this request signed by pbxdesk with `secret`, and fresh? */
export function verifySignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSec = Math.floor(Date.now() / 1000),
  toleranceSec = 300,
): SignatureCheck {
  const ts = Number(headers[TIMESTAMP_HEADER]);
  const sig = headers[SIGNATURE_HEADER];
  if (!Number.isInteger(ts) || typeof sig !== 'string') return { ok: false, reason: 'missing' };
  if (Math.abs(nowSec - ts) > toleranceSec) return { ok: false, reason: 'stale' };
  const want = Buffer.from(signBody(secret, ts, body));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
