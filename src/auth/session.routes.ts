// Operator panel sign-in (outside /api: signing in is how a browser gets authenticated).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../http/schemas.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { SessionService } from './session.service.js';
import { SIP_WS_PATH } from '../pbx/sip-websocket.proxy.js';

const Signed = Type.Object({
  operator: Type.Object({
    id: Type.String(),
    login: Type.String(),
    name: Type.String(),
    line: Type.String(),
    /** Every line the operator serves (the home line `line` first, always among them). */
    lines: Type.Array(Type.String()),
    supervisor: Type.Boolean(),
    softphone: Type.String(),
  }),
  /**
   * What the panel's softphone registers with: its PJSIP endpoint and the digest HA1 (never the
   * password itself), over the service's SIP WebSocket relay at `path`.
   */
  sip: Type.Object({ username: Type.String(), domain: Type.String(), ha1: Type.String(), path: Type.String() }),
  expiresAt: Type.String(),
  /** Send back as x-csrf-token with every /api request that changes something. */
  csrfToken: Type.String(),
});
const op = (o: OperatorRow) => ({ id: o.id, login: o.login, name: o.name, line: o.line, lines: o.lines, supervisor: o.supervisor, softphone: o.softphone });

export const sessionRoutes =
  (sessions: SessionService, sipDomain: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    const sip = (o: OperatorRow) => ({ username: o.sip_username, domain: sipDomain, ha1: o.sip_md5_cred, path: SIP_WS_PATH });
    app.post(
      '/panel/session',
      {
        // Per source address, across instances (Redis), before any password is checked; the
        // per-login and per-address failure lockout is the service's (auth/session.service.ts).
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags: ['panel'],
          summary: 'Sign in to the operator panel (sets the session cookie)',
          body: Type.Object(
            { login: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
            { additionalProperties: false, examples: [{ login: 'anna', password: 'a long panel password' }] },
          ),
          response: { 201: Signed, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const ua = req.headers['user-agent'];
        const s = await sessions.signIn(req.body.login, req.body.password, { ip: req.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null });
        reply.header('set-cookie', sessions.cookie(s.token)).header('cache-control', 'no-store');
        return reply.code(201).send({ operator: op(s.operator), sip: sip(s.operator), expiresAt: s.expiresAt.toISOString(), csrfToken: s.csrf });
      },
    );

    app.get('/panel/session', { schema: { tags: ['panel'], summary: 'Who is signed in', response: { 200: Signed, 401: ErrorBody } } }, async (req, reply) => {
      const s = await sessions.current(req.cookies);
      reply.header('cache-control', 'no-store');
      return { operator: op(s.operator), sip: sip(s.operator), expiresAt: s.expiresAt.toISOString(), csrfToken: s.csrf };
    });

    app.delete('/panel/session', { schema: { tags: ['panel'], summary: 'Sign out', response: { 204: Type.Null() } } }, async (req, reply) => {
      await sessions.signOut(req.cookies);
      return reply.code(204).header('set-cookie', sessions.cookie('')).send(null);
    });
  };
