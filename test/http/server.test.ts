// The HTTP shell on its own (no stack): with response validation on, a handler that breaks its
// own response schema is a 500, never a silently trimmed body.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TokenService } from '../../src/auth/token.service.js';
import { buildServer } from '../../src/http/server.js';

const tokens = { authenticate: async () => ({ tokenId: '1', role: 'admin', operatorId: null }) } as unknown as TokenService;

const broken: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/store-away', { config: { access: { roles: ['admin'] } } }, async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/broken', { config: { access: { roles: ['admin'] } }, schema: { response: { 200: Type.Object({ id: Type.String(), n: Type.Integer() }) } } }, async () => ({ id: 'x', n: 'not a number' }) as never);
  app.get('/fine', { config: { access: { roles: ['admin'] } }, schema: { response: { 200: Type.Object({ id: Type.String() }) } } }, async () => ({ id: 'x' }));
};

describe('response validation', () => {
  it('turns a response that breaks its schema into a 500', async () => {
    const app = await buildServer({ log: pino({ level: 'silent' }), tokens, probes: [], api: [broken], validateResponses: true });
    const bad = await app.inject({ method: 'GET', url: '/api/broken', headers: { authorization: 'Bearer x' } });
    expect(bad.statusCode).toBe(500);
    const ok = await app.inject({ method: 'GET', url: '/api/fine', headers: { authorization: 'Bearer x' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ id: 'x' });
    await app.close();
  });

  it('answers 503 dependency_unavailable with Retry-After when a connection it needs is refused (Postgres away)', async () => {
    const app = await buildServer({ log: pino({ level: 'silent' }), tokens, probes: [], api: [broken], validateResponses: true });
    const r = await app.inject({ method: 'GET', url: '/api/store-away', headers: { authorization: 'Bearer x' } });
    expect([r.statusCode, r.headers['retry-after'], r.json().error.code]).toEqual([503, '5', 'dependency_unavailable']);
    await app.close();
  });
});
