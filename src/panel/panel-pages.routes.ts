// The operator panel and the supervisor pages: static files (no build step, no CDN) and SIP.js
// straight from node_modules (its lib/ is plain ES modules). The pages sign in through
// /panel/session and then use /api with the session cookie.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { PROJECT_ROOT } from '../paths.js';

const WEB = path.join(PROJECT_ROOT, 'src', 'panel', 'web');
const SIPJS = path.join(PROJECT_ROOT, 'node_modules', 'sip.js', 'lib');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
// Scripts and styles only from here; media may be the recordings' audio route (same origin).
const CSP = "default-src 'self'; connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

export const panelPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const send = async (file: string, reply: import('fastify').FastifyReply) => {
    const body = await readFile(file).catch(() => undefined);
    if (!body) return reply.code(404).send({ error: { code: 'route_not_found', message: 'no such file' } });
    return reply
      .header('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(body);
  };
  const hidden = { schema: { hide: true } };
  app.get('/panel', hidden, async (_req, reply) => send(path.join(WEB, 'operator.html'), reply));
  app.get('/panel/supervisor', hidden, async (_req, reply) => send(path.join(WEB, 'supervisor.html'), reply));
  app.get(
    '/panel/assets/:file',
    { schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.(js|css|svg)$' }) }) } },
    async (req, reply) => send(path.join(WEB, req.params.file), reply),
  );
  app.get('/panel/vendor/sip.js/*', hidden, async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    // Only SIP.js's own modules: no "..", nothing but .js.
    if (!/^[a-z0-9/_.-]+\.js$/i.test(rel) || rel.split('/').includes('..')) return reply.code(404).send({ error: { code: 'route_not_found', message: 'no such file' } });
    return send(path.join(SIPJS, rel), reply);
  });
};
