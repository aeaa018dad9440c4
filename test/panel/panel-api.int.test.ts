// The panel's and the supervisor pages' API outside the browser: who may do what, the errors
// they answer with, the static pages and their limits, and the SIP WebSocket relay's gate.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

async function signedIn(o: { supervisor?: boolean } = {}) {
  const login = uniq('pa');
  const password = `${uniq('panel-')}${uniq()}`;
  const op = (await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Панель', line: 'first', sipPassword: `${uniq('sip-')}${uniq()}`, softphone: 'webrtc', supervisor: o.supervisor ?? false })).body;
  await t.api('PUT', `/api/operators/${op.id}/panel-password`, { password });
  const res = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { csrfToken: string; operator: { supervisor: boolean }; sip: { username: string; ha1: string; path: string } };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const call = async (method: string, path: string, payload?: unknown) => {
    const r = await fetch(`${t.base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': body.csrfToken, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string } } };
  };
  return { id: op.id, cookie, session: body, call };
}

function upgrade(cookie?: string): Promise<number> {
  const u = new URL(t.base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: '/panel/sip',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'sip', ...(cookie ? { cookie } : {}) },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the panel API', () => {
  it('gives a signed-in operator their SIP identity (HA1, never the password) and their state', async () => {
    const op = await signedIn();
    expect(op.session.sip).toMatchObject({ path: '/panel/sip', username: expect.stringMatching(/^op-/), ha1: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const me = await op.call('GET', '/api/panel/me');
    expect(me.body).toMatchObject({ id: op.id, state: 'offline', wrapUpCallId: null, supervisor: false });
  });

  it('relays the SIP WebSocket to Asterisk for signed-in panels only', async () => {
    expect(await upgrade()).toBe(401);
    expect(await upgrade('pbxdesk_session=forged')).toBe(401);
    const op = await signedIn();
    expect(await upgrade(op.cookie)).toBe(101);
  });

  it('lets admins and supervisors edit canned phrases, not operators', async () => {
    const op = await signedIn();
    const list = await op.call('GET', '/api/panel/phrases?language=en');
    const phrases = list.body.phrases as { id: string; kind: string; body: string }[];
    expect(phrases.map((p) => p.kind)).toEqual(['greeting', 'ask_number', 'hold', 'thanks']);
    const hold = phrases.find((p) => p.kind === 'hold')!;
    expect((await op.call('PUT', `/api/panel/phrases/${hold.id}`, { body: 'x' })).status).toBe(403);
    const sup = await signedIn({ supervisor: true });
    const edited = await sup.call('PUT', `/api/panel/phrases/${hold.id}`, { body: hold.body });
    expect(edited.status).toBe(200);
    expect(edited.body.updatedBy).toMatch(/^session:/);
  });

  it('refuses an empty wrap-up', async () => {
    const op = await signedIn();
    const r = await op.call('POST', '/api/panel/wrap-up', { callId: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('wrap_up_empty');
  });

  it('serves the pages with a strict CSP, and nothing outside them', async () => {
    const page = await fetch(`${t.base}/panel`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${t.base}/panel/vendor/sip.js/index.js`)).status).toBe(200);
    expect((await fetch(`${t.base}/panel/vendor/sip.js/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.base}/panel/assets/..%2Fpanel.routes.ts`)).status).toBe(400);
  });
});

describe('the supervisor API', () => {
  it('is for supervisors: operators get 403, a supervisor sees the board and reports', async () => {
    const op = await signedIn();
    expect((await op.call('GET', '/api/supervisor/wallboard')).status).toBe(403);
    const sup = await signedIn({ supervisor: true });
    const board = await sup.call('GET', '/api/supervisor/wallboard');
    expect(board.status).toBe(200);
    expect((board.body.lines as { line: string }[]).map((l) => l.line)).toEqual(['first', 'second']);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date().toISOString();
    const lines = await sup.call('GET', `/api/supervisor/reports/lines?from=${from}&to=${to}`);
    expect((lines.body.lines as { byHour: number[]; byWeekday: number[] }[])[0]).toMatchObject({ byHour: expect.any(Array), byWeekday: expect.any(Array) });
    expect((lines.body.lines as { byHour: number[] }[])[0]!.byHour).toHaveLength(24);
    const csv = await fetch(`${t.base}/api/supervisor/reports/operators?from=${from}&to=${to}&format=csv`, { headers: { cookie: sup.cookie } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\n')[0]).toContain('avgHandleSec');
  });

  it('monitors only for a supervisor with a phone, on a live call', async () => {
    const r = await t.api<{ error: { code: string } }>('POST', '/api/supervisor/calls/00000000-0000-4000-8000-000000000000/monitor', { mode: 'listen' });
    expect(r.status).toBe(403);
    const sup = await signedIn({ supervisor: true });
    const none = await sup.call('POST', '/api/supervisor/calls/00000000-0000-4000-8000-000000000000/monitor', { mode: 'barge' });
    expect(none.status).toBe(404);
  });
});
