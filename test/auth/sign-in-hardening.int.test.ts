// Sign-in and sessions under attack: parallel attempts cannot outrun the lockout (per login and
// per source address, counted before scrypt runs), a new password ends the operator's sessions,
// a revoked bootstrap token stays revoked across starts, an operator token needs its operator,
// a malformed Cookie header breaks nothing, the sign-in route is rate limited, and the SIP relay
// refuses a foreign Origin.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionService } from '../../src/auth/session.service.js';
import { TokenService } from '../../src/auth/token.service.js';
import { revokeToken } from '../../src/auth/token.repository.js';
import { loadConfig } from '../../src/config.js';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const secretKey = () => loadConfig(process.env).secretKey;
const PASSWORD = 'correct horse battery staple';

async function operatorWithPassword(line: Line = 'first', softphone: 'sip' | 'webrtc' = 'sip') {
  const login = uniq('hard');
  const op = await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Борис', line, softphone, sipPassword: `${uniq('pw-')}${uniq()}` });
  expect((await t.api('PUT', `/api/operators/${op.body.id}/panel-password`, { password: PASSWORD })).status).toBe(204);
  return { id: op.body.id, login };
}

async function signIn(login: string, password: string) {
  const r = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  const body = (await r.json()) as { csrfToken?: string; error?: { code: string } };
  return { status: r.status, body, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] as string };
}

const withCookie = (cookie: string, method = 'GET', path = '/api/panel/me', csrf?: string) =>
  fetch(`${t.base}${path}`, { method, headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) } });

describe('sign-in hardening', () => {
  it('checks at most five passwords of a login however many attempts arrive at once', async () => {
    const op = await operatorWithPassword();
    const results = await Promise.all(Array.from({ length: 12 }, () => signIn(op.login, 'wrong password!')));
    const codes = results.map((r) => r.body.error?.code).sort();
    expect(codes.filter((c) => c === 'invalid_credentials')).toHaveLength(5);
    expect(codes.filter((c) => c === 'login_throttled')).toHaveLength(7);
    // Only five passwords went through scrypt; the right one is refused too now.
    const checked = await db.selectFrom('panel_sign_ins').select('reason').where('login', '=', op.login).execute();
    expect(checked.filter((c) => c.reason === 'wrong password')).toHaveLength(5);
    expect((await signIn(op.login, PASSWORD)).body.error?.code).toBe('login_throttled');
  });

  it('refuses a source address after its failures across logins', async () => {
    const sessions = new SessionService(db, secretKey(), { idleSec: 60, maxSec: 600, secureCookie: false, maxFailuresPerAddress: 3 }, pino({ level: 'silent' }));
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}-${uniq()}`;
    const from = { ip, userAgent: null };
    for (let i = 0; i < 3; i++) await expect(sessions.signIn(uniq('nobody'), 'wrong', from)).rejects.toMatchObject({ code: 'invalid_credentials' });
    const op = await operatorWithPassword();
    await expect(sessions.signIn(op.login, PASSWORD, from)).rejects.toMatchObject({ code: 'login_throttled', details: { what: 'address' } });
    // Another address is not affected.
    await expect(sessions.signIn(op.login, PASSWORD, { ip: `${ip}-other`, userAgent: null })).resolves.toMatchObject({ operator: { id: op.id } });
  });

  it('ends every session of an operator when their password is set again, and changes a panel softphone\'s SIP secret', async () => {
    const op = await operatorWithPassword('first', 'webrtc');
    const a = await signIn(op.login, PASSWORD);
    const ha1 = (a.body as { sip?: { ha1: string } }).sip?.ha1;
    expect(ha1).toMatch(/^[0-9a-f]{32}$/);
    const b = await signIn(op.login, PASSWORD);
    expect((await withCookie(a.cookie)).status).toBe(200);
    expect((await t.api('PUT', `/api/operators/${op.id}/panel-password`, { password: 'another long password' })).status).toBe(204);
    for (const s of [a, b]) expect((await withCookie(s.cookie)).status).toBe(401);
    const ended = await db.selectFrom('panel_sessions').select('ended_reason').where('operator_id', '=', op.id).execute();
    expect(ended.map((e) => e.ended_reason)).toEqual(['password_reset', 'password_reset']);
    const again = await signIn(op.login, 'another long password');
    expect(again.status).toBe(201);
    // The old session's HA1 no longer registers the endpoint.
    expect((again.body as { sip?: { ha1: string } }).sip?.ha1).toMatch(/^[0-9a-f]{32}$/);
    expect((again.body as { sip?: { ha1: string } }).sip?.ha1).not.toBe(ha1);
  });

  it('keeps a revoked bootstrap admin token revoked at the next start', async () => {
    const tokens = new TokenService(db, secretKey());
    const token = `pbx_admin_${randomBytes(24).toString('base64url')}`;
    expect(await tokens.ensureBootstrapAdmin(token)).toBe('created');
    const p = await tokens.authenticate(`Bearer ${token}`);
    expect(await revokeToken(db, p.tokenId)).toBe(true);
    expect(await tokens.ensureBootstrapAdmin(token)).toBe('revoked'); // what every start does
    await expect(tokens.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses an operator token without an operator, and one for an unknown operator', async () => {
    const none = await t.api<{ error: { code: string } }>('POST', '/api/tokens', { name: uniq('tok'), role: 'operator' });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('operator_required');
    const unknown = await t.api<{ error: { code: string } }>('POST', '/api/tokens', { name: uniq('tok'), role: 'operator', operatorId: '999999999999' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_reference', details: { what: 'operator' } });
  });

  it('keeps working with a malformed Cookie header, sign-out included', async () => {
    const op = await operatorWithPassword();
    const s = await signIn(op.login, PASSWORD);
    const cookie = `other=%E0%A4%A; ${s.cookie}; broken=%; x=%FF%FE`;
    expect((await withCookie(cookie)).status).toBe(200);
    expect((await withCookie(cookie, 'GET', '/panel/session')).status).toBe(200);
    const out = await withCookie(cookie, 'DELETE', '/panel/session');
    expect(out.status).toBe(204);
    expect((await withCookie(s.cookie)).status).toBe(401);
    // Without a session, a bad cookie is just no session.
    const anon = await withCookie('only=%E0%A4%A');
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('refuses a SIP WebSocket upgrade from a foreign Origin', async () => {
    const op = await operatorWithPassword();
    const s = await signIn(op.login, PASSWORD);
    const u = new URL(t.base);
    const upgrade = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({
          host: u.hostname, port: u.port, path: '/panel/sip',
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'sip', cookie: s.cookie, origin },
        });
        req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
        req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.end();
      });
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade(u.origin)).toBe(101);
  });

  it('rate limits sign-in per source address (@fastify/rate-limit, counters in Redis)', async () => {
    // 30 a minute from one address (this file's earlier sign-ins count too).
    for (let i = 0; i < 30; i++) expect([401, 429]).toContain((await signIn(uniq('rl'), 'x')).status);
    const last = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'x', password: 'y' }) });
    expect(last.status).toBe(429);
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await last.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});
