// The HTTP shell's guards on their own (no stack): text Postgres cannot store, bodies that keep
// their JSON types, querystrings that are still coerced, bounded numbers, usable dates, the
// router's and Node's refusals, and declared access, all in the one error shape.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { TokenService } from '../../src/auth/token.service.js';
import { buildServer } from '../../src/http/server.js';
import { requireRole } from '../../src/http/auth.hook.js';
import { badText, boundNumbers, isUsableDateTime } from '../../src/http/input-guard.js';
import { originAllowed } from '../../src/pbx/sip-websocket.proxy.js';

const tokens = {
  authenticate: async (h?: string) => ({ tokenId: '1', role: h === 'Bearer op' ? 'operator' : 'admin', operatorId: null }),
} as unknown as TokenService;

const echo: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/echo/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        querystring: Type.Object({ n: Type.Optional(Type.Integer()), at: Type.Optional(Type.String({ format: 'date-time' })) }),
        body: Type.Object({ subject: Type.Optional(Type.String()), hold: Type.Optional(Type.Boolean()), tags: Type.Optional(Type.Array(Type.String())) }),
      },
    },
    async (req) => ({ params: req.params, query: req.query, body: req.body, ip: req.ip }),
  );
  app.get('/undeclared', async () => ({ ok: true }));
};

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildServer({ log: pino({ level: 'silent' }), tokens, probes: [], api: [echo], validateResponses: false });
});
afterAll(async () => app.close());

const post = (url: string, body: unknown, auth = 'Bearer x') =>
  app.inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json' }, payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });

function expectError(r: { statusCode: number; json(): unknown }, status: number, code?: string) {
  expect(r.statusCode).toBe(status);
  const body = r.json() as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  if (code) expect(body.error.code).toBe(code);
}

describe('input guards', () => {
  it('refuses NUL and lone surrogates in body, query and path, keys included', async () => {
    expectError(await post('/api/echo/1', { subject: 'a\u0000b' }), 400, 'invalid_text');
    expectError(await post('/api/echo/1', '{"subject":"\\ud800"}'), 400, 'invalid_text');
    expectError(await post('/api/echo/1', '{"tags":["ok","\\udc00x"]}'), 400, 'invalid_text');
    expectError(await post('/api/echo/1?x=%00', {}), 400);
    expectError(await post('/api/echo/a%00b', {}), 400, 'invalid_text');
    expect((await post('/api/echo/1', { subject: 'emoji 😀 ok' })).statusCode).toBe(200);
  });

  it('refuses repeated scalar query parameters and prototype poisoning, in the one shape', async () => {
    expectError(await post('/api/echo/1?n=1&n=2', {}), 400, 'validation_failed');
    expectError(await post('/api/echo/1', '{"__proto__": {"admin": true}}'), 400);
    expectError(await post('/api/echo/1', '{"constructor": {"prototype": {"admin": true}}}'), 400);
    expectError(await post('/api/echo/1', '{"subject": "x"'), 400, 'invalid_json');
  });

  it('refuses a body that is not UTF-8', async () => {
    expectError(await post('/api/echo/1', Buffer.from([0x7b, 0x22, 0x73, 0x75, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])), 400, 'invalid_text');
  });

  it('keeps body types (no coercion) but coerces the querystring', async () => {
    expectError(await post('/api/echo/1', { subject: true }), 400, 'validation_failed');
    expectError(await post('/api/echo/1', { hold: null }), 400, 'validation_failed');
    expectError(await post('/api/echo/1', { hold: 'false' }), 400, 'validation_failed');
    const ok = await post('/api/echo/1?n=5', { hold: false });
    expect(ok.json()).toMatchObject({ query: { n: 5 }, body: { hold: false } });
  });

  it('bounds numbers and dates', async () => {
    expectError(await post('/api/echo/1?n=1e20', {}), 400, 'validation_failed');
    expectError(await post('/api/echo/1?n=Infinity', {}), 400, 'validation_failed');
    expectError(await post('/api/echo/1?n=2147483648', {}), 400, 'validation_failed');
    expectError(await post('/api/echo/1?at=2016-12-31T23:59:60Z', {}), 400, 'validation_failed');
    expect((await post('/api/echo/1?at=2026-12-07T10:00:00%2B03:00', {})).statusCode).toBe(200);
    expect(isUsableDateTime('0000-01-01T00:00:00Z')).toBe(false);
    expect(boundNumbers({ type: 'object', properties: { a: { type: 'integer', maximum: 5 } } })).toEqual({ type: 'object', properties: { a: { type: 'integer', maximum: 5, minimum: -2147483648 } } });
    expect(badText({ ok: ['x', { y: 'z\u0000' }] })?.path).toBe('/ok/1/y');
  });

  it("answers the router's and Node's refusals in the one shape", async () => {
    expectError(await app.inject({ method: 'GET', url: '/api/tickets/%FF', headers: { authorization: 'Bearer x' } }), 400, 'bad_url');
    expectError(await app.inject({ method: 'POST', url: `/api/echo/${'9'.repeat(300)}`, headers: { authorization: 'Bearer x' } }), 414, 'uri_too_long');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const r = await fetch(`http://127.0.0.1:${port}/api/echo/1?q=${'x'.repeat(20_000)}`, { method: 'POST' });
    expect(r.status).toBe(431);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('checks declared access before validation, and refuses routes without a rule', async () => {
    expectError(await post('/api/echo/1', { subject: 1 }, 'Bearer op'), 403, 'forbidden');
    expectError(await app.inject({ method: 'GET', url: '/api/undeclared', headers: { authorization: 'Bearer x' } }), 403, 'forbidden');
    expectError(await app.inject({ method: 'GET', url: '/api/no-such-route', headers: { authorization: 'Bearer x' } }), 404, 'route_not_found');
    expect(app.registeredRoutes.find((r) => r.url === '/api/echo/:id')?.access).toEqual({ roles: ['admin'], line: 'any' });
  });

  it('sets security headers, and /docs has its CSP', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const docs = await app.inject({ method: 'GET', url: '/docs/static/index.html' });
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(docs.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('believes X-Forwarded-For only from the configured proxies', async () => {
    const xff = { authorization: 'Bearer x', 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' };
    const direct = await app.inject({ method: 'POST', url: '/api/echo/1', headers: xff, payload: '{}' });
    expect(direct.json()).toMatchObject({ ip: '127.0.0.1' });
    const proxied = await buildServer({ log: pino({ level: 'silent' }), tokens, probes: [], api: [echo], validateResponses: false, trustProxy: ['127.0.0.1'] });
    const r = await proxied.inject({ method: 'POST', url: '/api/echo/1', headers: xff, payload: '{}' });
    expect(r.json()).toMatchObject({ ip: '203.0.113.7' });
    await proxied.close();
  });

  it('lets a browser open the SIP relay from its own origin only', () => {
    expect(originAllowed('https://desk.example.com', 'desk.example.com')).toBe(true);
    expect(originAllowed('http://127.0.0.1:15080', '127.0.0.1:15080')).toBe(true);
    expect(originAllowed('https://evil.example', 'desk.example.com')).toBe(false);
    expect(originAllowed('null', 'desk.example.com')).toBe(false);
    expect(originAllowed('https://desk.example.com', 'internal:8080', ['https://desk.example.com'])).toBe(true);
    expect(originAllowed(undefined, 'desk.example.com')).toBe(true);
  });
});
