// Operator panel sign-in: scrypt password, an httpOnly SameSite cookie that authenticates /api
// as that operator (their line only), the CSRF header required on every change, sign-out,
// sessions ending when idle (30 min) or old (12 h), and a login locked after five failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

async function operatorWithPassword(line: Line, password: string) {
  const login = uniq('op');
  const op = await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Анна Петрова', line, sipPassword: `${uniq('pw-')}${uniq()}` });
  expect((await t.api('PUT', `/api/operators/${op.body.id}/panel-password`, { password })).status).toBe(204);
  return { id: op.body.id, login };
}

async function signIn(login: string, password: string) {
  const r = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  const body = (await r.json()) as { csrfToken: string; operator: { id: string; line: string; lines: string[] }; error?: { code: string } };
  return { status: r.status, body, cookie: r.headers.get('set-cookie') ?? '' };
}

const withSession = (cookie: string, method = 'GET', path = '/api/tickets', body?: unknown, csrf?: string) =>
  fetch(`${t.base}${path}`, {
    method,
    headers: { cookie: cookie.split(';')[0] as string, ...(body ? { 'content-type': 'application/json' } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: body ? JSON.stringify(body) : null,
  });

describe('operator panel sign-in', () => {
  it('signs in with the password, and the cookie acts for that operator in the API', async () => {
    const password = 'correct horse battery staple';
    const op = await operatorWithPassword('first', password);
    expect((await signIn(op.login, 'wrong password!')).body.error?.code).toBe('invalid_credentials');
    expect((await signIn(uniq('nobody'), password)).body.error?.code).toBe('invalid_credentials');

    const s = await signIn(op.login, password);
    expect(s.status).toBe(201);
    expect(s.body.operator.id).toBe(op.id);
    // Every line served, the home line first (the panel names and filters by them).
    expect(s.body.operator).toMatchObject({ line: 'first', lines: ['first'] });
    expect(s.cookie).toMatch(/^pbxdesk_session=[A-Za-z0-9_-]{40,};/);
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=43200']) expect(s.cookie).toContain(attr);
    expect(s.cookie).not.toContain('Secure'); // PANEL_COOKIE_SECURE=false here: no TLS on loopback

    // Reads need only the cookie; the operator sees their line's tickets, and not the admin routes.
    expect((await withSession(s.cookie)).status).toBe(200);
    expect((await withSession(s.cookie, 'GET', '/api/webhooks')).status).toBe(403);
    // The configured lines' names: every signed-in page reads them (GET /api/lines), not only supervisors.
    const lines = (await (await withSession(s.cookie, 'GET', '/api/lines')).json()) as { lines: { id: string; name: { ru: string } }[] };
    expect(lines.lines.map((l) => [l.id, l.name.ru])).toEqual([['first', 'Первая линия'], ['second', 'Вторая линия']]);
    // Changes need the CSRF token as well.
    const noCsrf = await withSession(s.cookie, 'POST', '/api/tickets', { subject: 'Из панели' });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: { code: string } }).error.code).toBe('csrf_required');
    const made = await withSession(s.cookie, 'POST', '/api/tickets', { subject: 'Из панели' }, s.body.csrfToken);
    expect(made.status).toBe(201);
    const ticket = (await made.json()) as { id: string; line: string };
    expect(ticket.line).toBe('first');
    const tl = (await t.api<{ timeline: { kind: string; actor: string }[] }>('GET', `/api/tickets/${ticket.id}`)).body.timeline;
    expect(tl[0]).toMatchObject({ kind: 'created', actor: `operator:${op.id}` });

    // A reloaded panel asks who is signed in and gets the same CSRF token back.
    const me = await fetch(`${t.base}/panel/session`, { headers: { cookie: s.cookie.split(';')[0] as string } });
    expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(s.body.csrfToken);

    const out = await fetch(`${t.base}/panel/session`, { method: 'DELETE', headers: { cookie: s.cookie.split(';')[0] as string } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await withSession(s.cookie)).status).toBe(401);
    // Every attempt is on record, never the password.
    const attempts = await db.selectFrom('panel_sign_ins').selectAll().where('login', '=', op.login).orderBy('id').execute();
    expect(attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(JSON.stringify(attempts)).not.toContain(password);
    const stored = await db.selectFrom('operators').select('panel_password_hash').where('id', '=', op.id).executeTakeFirstOrThrow();
    expect(stored.panel_password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('ends a session after 30 minutes idle, and after 12 hours however active', async () => {
    const op = await operatorWithPassword('second', 'another long password');
    const idle = await signIn(op.login, 'another long password');
    await db.updateTable('panel_sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).where('operator_id', '=', op.id).where('ended_at', 'is', null).execute();
    const r1 = await withSession(idle.cookie);
    expect(r1.status).toBe(401);
    expect(((await r1.json()) as { error: { code: string; details: { why: string } } }).error).toMatchObject({ code: 'session_expired', details: { why: 'idle' } });

    const old = await signIn(op.login, 'another long password');
    await db.updateTable('panel_sessions').set({ created_at: new Date(Date.now() - 12 * 3600_000 - 1000) } as never).where('operator_id', '=', op.id).where('ended_at', 'is', null).execute();
    const r2 = await withSession(old.cookie);
    expect(((await r2.json()) as { error: { details: { why: string } } }).error.details.why).toBe('expired');
    const ended = await db.selectFrom('panel_sessions').select('ended_reason').where('operator_id', '=', op.id).orderBy('created_at').execute();
    expect(ended.map((e) => e.ended_reason).sort()).toEqual(['expired', 'idle']);
  });

  it('locks a login for 15 minutes after five wrong passwords, even for the right one', async () => {
    const op = await operatorWithPassword('first', 'the right password');
    for (let i = 0; i < 5; i++) expect((await signIn(op.login, `wrong ${i} password`)).status).toBe(401);
    const locked = await signIn(op.login, 'the right password');
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('login_throttled');
  });
});
