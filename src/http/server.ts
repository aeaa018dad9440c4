import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { authenticate } from './auth.hook.js';
import type { TokenService } from '../auth/token.service.js';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';

export async function buildServer(opts: {
  log: Logger;
  tokens: TokenService;
  probes: ReadinessProbe[];
  api: FastifyPluginAsyncTypebox[];
}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: false } },
  });
  installErrorHandler(app);
  await app.register(healthRoutes(opts.probes) as unknown as Parameters<typeof app.register>[0]);
  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(opts.tokens));
      // The typebox plugins only differ from plain ones in their type provider, a compile-time tag.
      for (const plugin of opts.api) await api.register(plugin as unknown as Parameters<typeof api.register>[0]);
    },
    { prefix: '/api' },
  );
  return app;
}
