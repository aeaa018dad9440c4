// Shared by the fuzz suite and the authorization matrix: principals of every role (bound to
// operators of both lines), valid samples of a route's schemas, and requests built from them.
import { randomUUID } from 'node:crypto';
import type { RegisteredRoute } from '../../src/http/server.js';
import type { TestApp } from './app.js';
import { uniq } from './app.js';
import type { Line } from '../../src/vocabulary.js';

type Schema = Record<string, unknown>;

const CANDIDATES = ['1', 'first', 'x', 'abc', 'acc-1', '79991234567', '+79991234567', '1234', '123456', 'a1', 'ru', 'en', 'A'];

/** A value the schema accepts (its first example when it has one): the base every mutation starts from. */
export function sample(schema: Schema | undefined, key = ''): unknown {
  if (!schema) return undefined;
  const ex = (schema.examples as unknown[] | undefined)?.[0] ?? schema.example;
  if (ex !== undefined) return structuredClone(ex);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const alt = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alt) return sample(alt.find((s) => s.type !== 'null') ?? alt[0], key);
  const type = [schema.type].flat()[0];
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, sample(s, k)]));
    }
    case 'array': {
      const n = Number(schema.minItems ?? 0);
      return Array.from({ length: n }, () => sample(schema.items as Schema, key));
    }
    case 'integer':
    case 'number':
      return Math.max(Number(schema.minimum ?? 1), Math.min(1, Number(schema.maximum ?? 1)));
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string':
      return sampleString(schema, key);
    default:
      return 'x';
  }
}

function sampleString(schema: Schema, key: string): string {
  switch (schema.format) {
    case 'uuid': return randomUUID();
    case 'date-time': return '2030-01-07T09:00:00Z';
    case 'date': return '2030-01-07';
    case 'email': return 'someone@example.com';
    case 'uri': case 'url': return 'http://127.0.0.1:9/hook';
  }
  const min = Number(schema.minLength ?? 0);
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
  const base = /login|name/i.test(key) ? uniq('fz') : CANDIDATES.find((c) => !pattern || pattern.test(c)) ?? 'x';
  const s = base.length >= min ? base : base + '1'.repeat(min - base.length);
  return pattern && !pattern.test(s) ? base : s;
}

/** Roles and the lines their operators are on: the fuzz and matrix principals. */
export interface Principals {
  admin: string;
  supervisor: string;
  panel: string;
  /** An operator token on the first line, and one on the second. */
  operatorFirst: string;
  operatorSecond: string;
  operatorIds: { first: string; second: string; supervisor: string };
  /** The panel token's id (what a booking by it records as `token:<id>`). */
  panelTokenId: string;
  /** A panel session (cookie and CSRF token) of the first-line operator. */
  session: { cookie: string; csrf: string };
}

export async function makePrincipals(t: TestApp): Promise<Principals> {
  const logins = new Map<string, string>();
  const op = async (line: Line, supervisor = false) => {
    const login = uniq('fz-op');
    const id = (await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Fuzz Operator', line, sipPassword: `${uniq('pw-')}${uniq()}`, supervisor })).body.id;
    logins.set(id, login);
    return id;
  };
  const issue = async (role: string, operatorId?: string) => (await t.api<{ id: string; token: string }>('POST', '/api/tokens', { name: uniq('fz-'), role, ...(operatorId ? { operatorId } : {}) })).body;
  const token = async (role: string, operatorId?: string) => (await issue(role, operatorId)).token;
  // Samples name id 1: on a fresh database that must not be one of these (a fuzzed password reset would end the session).
  await op('first');
  const first = await op('first');
  const second = await op('second');
  const sup = await op('first', true);
  const panel = await issue('panel');
  const password = `${uniq('panel-pw-')}${uniq()}`;
  await t.api('PUT', `/api/operators/${first}/panel-password`, { password });
  const signed = await fetch(`${t.base}/panel/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: logins.get(first), password }) });
  const session = { cookie: (signed.headers.get('set-cookie') ?? '').split(';')[0] as string, csrf: ((await signed.json()) as { csrfToken: string }).csrfToken };
  return {
    session,
    admin: t.adminToken,
    supervisor: await token('supervisor', sup),
    panel: panel.token,
    panelTokenId: panel.id,
    operatorFirst: await token('operator', first),
    operatorSecond: await token('operator', second),
    operatorIds: { first, second, supervisor: sup },
  };
}

/** The /api routes and /panel/session as registered (one row per method), without HEAD twins. */
export function routesOf(t: TestApp): RegisteredRoute[] {
  return t.app.server.registeredRoutes.filter((r) => r.method !== 'HEAD' && (r.url.startsWith('/api/') || r.url === '/panel/session'));
}

export interface Req {
  method: string;
  path: string;
  query?: Record<string, string>;
  /** An object (sent as JSON), or raw bytes sent as application/json. */
  body?: unknown;
  rawBody?: Buffer;
  token?: string;
  /** A panel session instead of a token. */
  session?: { cookie: string; csrf: string };
}

/** Path params substituted already %-encoded, the querystring built from already-encoded parts. */
export function urlOf(route: string, params: Record<string, string>, query: Record<string, string> = {}): string {
  const path = route.replace(/:([A-Za-z0-9_]+)/g, (_m, k: string) => params[k] ?? '1');
  const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
  return qs ? `${path}?${qs}` : path;
}

/** Sends one request; a streaming answer is cut after its status line. */
export async function send(base: string, r: Req): Promise<{ status: number; body: unknown; text: string }> {
  const hasBody = r.rawBody !== undefined || r.body !== undefined;
  const res = await fetch(`${base}${r.path}`, {
    method: r.method,
    headers: {
      ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
      ...(r.session ? { cookie: r.session.cookie, 'x-csrf-token': r.session.csrf } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    body: r.rawBody ? new Uint8Array(r.rawBody) : r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, body: undefined, text: '' };
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

/** Whether a body is the one error shape: {error: {code, message, details?}} and nothing else. */
export function isErrorShape(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Object.keys(body).join() !== 'error') return false;
  const e = (body as { error: Record<string, unknown> }).error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string' && Object.keys(e).every((k) => ['code', 'message', 'details'].includes(k));
}
