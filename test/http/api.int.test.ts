// The HTTP contract against the real service and Postgres: auth on every /api route,
// roles, and one machine-readable code per kind of bad request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const raw = (path: string, init: RequestInit = {}) => fetch(`${t.base}${path}`, init);
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('health', () => {
  it('answers healthz always and readyz once Postgres, Redis, ARI and AMI are reachable', async () => {
    expect((await raw('/healthz')).status).toBe(200);
    const ready = await waitFor('readyz', async () => {
      const r = await raw('/readyz');
      return r.status === 200 ? ((await r.json()) as { checks: Record<string, boolean> }) : undefined;
    });
    expect(ready.checks).toEqual({ postgres: true, redis: true, ari: true, ami: true });
  });
});

describe('authentication and roles', () => {
  it('refuses every /api route without a valid Bearer token', async () => {
    for (const [method, path] of [
      ['GET', '/api/calls'],
      ['GET', '/api/calls/00000000-0000-0000-0000-000000000000'],
      ['GET', '/api/tickets/1'],
      ['POST', '/api/operators'],
      ['GET', '/api/operators'],
      ['PUT', '/api/operators/1/state'],
      ['POST', '/api/tokens'],
      ['GET', '/api/recordings/00000000-0000-0000-0000-000000000000'],
    ]) {
      const none = await raw(path as string, { method });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(await codeOf(none)).toBe('unauthenticated');
      const bad = await raw(path as string, { method, headers: { authorization: 'Bearer pbx_admin_nope' } });
      expect(bad.status, `${method} ${path}`).toBe(401);
    }
  });

  it('issues role tokens to admins only and enforces the role', async () => {
    const created = await t.api<{ token: string; role: string }>('POST', '/api/tokens', { name: uniq('sup-'), role: 'supervisor' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^pbx_supervisor_/);
    const sup = created.body.token;
    expect((await t.api('GET', '/api/calls', undefined, sup)).status).toBe(200);
    const denied = await t.api<{ error: { code: string } }>('POST', '/api/operators', {
      login: uniq('x'), name: 'X', line: 'first', sipPassword: 'long-enough-secret',
    }, sup);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const panel = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('p-'), role: 'panel' })).body.token;
    expect((await t.api('GET', '/api/calls', undefined, panel)).status).toBe(403);
  });

  it('lets an operator change only their own state', async () => {
    const mk = async () =>
      (await t.api<{ id: string }>('POST', '/api/operators', {
        login: uniq('op'), name: 'Оператор', line: 'first', sipPassword: 'long-enough-secret',
      })).body.id;
    const [me, other] = [await mk(), await mk()];
    const tok = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('o-'), role: 'operator', operatorId: me })).body.token;
    expect((await t.api('PUT', `/api/operators/${me}/state`, { state: 'paused', reason: 'break' }, tok)).status).toBe(200);
    expect((await t.api('PUT', `/api/operators/${other}/state`, { state: 'available' }, tok)).status).toBe(403);
  });
});

describe('errors', () => {
  const auth = () => ({ authorization: `Bearer ${t.adminToken}` });

  it('gives unknown routes their own code', async () => {
    const r = await raw('/api/nope', { headers: auth() });
    expect(r.status).toBe(404);
    expect(await codeOf(r)).toBe('route_not_found');
  });

  it('tells bad JSON from a schema violation', async () => {
    const bad = await raw('/api/operators', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"login":' });
    expect(bad.status).toBe(400);
    expect(await codeOf(bad)).toBe('invalid_json');
    const invalid = await t.api<{ error: { code: string; details: { errors: { path: string }[] } } }>('POST', '/api/operators', {
      login: 'Bad Login!', name: 'X', line: 'third', sipPassword: 'short',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
  });

  it('answers 404 not_found for a missing call or ticket and 400 for a malformed id', async () => {
    const missing = await t.api<{ error: { code: string } }>('GET', '/api/calls/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await t.api('GET', '/api/tickets/999999999')).status).toBe(404);
    expect((await t.api('GET', '/api/calls/not-a-uuid')).status).toBe(400);
    expect((await t.api('GET', '/api/tickets/abc')).status).toBe(400);
  });

  it('refuses a second operator with the same login', async () => {
    const body = { login: uniq('dup'), name: 'Dup', line: 'second', sipPassword: 'long-enough-secret' };
    const first = await t.api<{ sip: { username: string; domain: string; wsUrl: string }; line: string }>('POST', '/api/operators', body);
    expect(first.status).toBe(201);
    expect(first.body.sip.username).toBe(`op-${body.login}`);
    expect(first.body.sip.wsUrl).toMatch(/^wss?:\/\//);
    const again = await t.api<{ error: { code: string } }>('POST', '/api/operators', body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('operator_login_taken');
  });
});
