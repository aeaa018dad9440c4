import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Logger } from 'pino';
import { authenticate } from './auth.hook.js';
import type { TokenService } from '../auth/token.service.js';
import type { SessionService } from '../auth/session.service.js';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import { ErrorBody } from './schemas.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

type Plugin = Parameters<FastifyInstance['register']>[0];
// The typebox plugins only differ from plain ones in their type provider, a compile-time tag.
const plain = (p: FastifyPluginAsyncTypebox | Plugin) => p as Plugin;

export interface ServerOptions {
  log: Logger;
  tokens: TokenService;
  /** The operator panel's sessions: their cookie authenticates /api requests too. */
  sessions?: SessionService;
  probes: ReadinessProbe[];
  warnings?: () => string[];
  api: FastifyPluginAsyncTypebox[];
  /** Other routes outside /api with their own access rule (e.g. /metrics). */
  extra?: FastifyPluginAsyncTypebox[];
  /** Check every response against its schema and answer 500 when it does not match (tests turn it on). */
  validateResponses: boolean;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: false } },
  });
  installErrorHandler(app);
  if (opts.validateResponses) strictResponses(app);
  // Every route as registered, with its schema: the test that no route goes undocumented reads it.
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, schema: (r.schema ?? {}) as Record<string, unknown> });
  });

  // The route schemas are the single source: validation, types, and this document.
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pbxdesk API',
        version: '0.1.0',
        description: 'Calls, tickets, operators and recordings of the pbxdesk call centre. Errors are {error: {code, message, details?}}.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'pbx_<role>_… token from POST /api/tokens' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(plain(healthRoutes(opts.probes, opts.warnings)));
  for (const p of opts.extra ?? []) await app.register(plain(p));
  await app.register(
    async (api) => {
      // Every /api route: Bearer auth, and the auth errors in its documented responses.
      api.addHook('onRoute', (route) => {
        const schema = (route.schema ??= {}) as FastifySchema & { security?: unknown; tags?: string[]; response?: Record<string, unknown> };
        schema.security = [{ bearerAuth: [] }];
        // Grouped in the reference by feature: /api/<feature>/...
        schema.tags ??= [route.url.split('/')[2] ?? 'api'];
        schema.response = { 401: ErrorBody, 403: ErrorBody, ...(schema.response ?? {}) };
      });
      api.addHook('onRequest', authenticate(opts.tokens, opts.sessions));
      for (const plugin of opts.api) await api.register(plain(plugin));
    },
    { prefix: '/api' },
  );
  return app;
}

/**
 * Replaces fast-json-stringify, which silently drops or coerces what does not fit, with a
 * validating serializer: a response that breaks its own schema becomes a 500 and a log line.
 */
function strictResponses(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    const validate = ajv.compile(schema as object);
    return (data) => {
      const plainData = JSON.parse(JSON.stringify(data)) as unknown;
      if (!validate(plainData)) {
        throw new Error(`response ${httpStatus} of ${method} ${url} breaks its schema: ${ajv.errorsText(validate.errors)}`);
      }
      return JSON.stringify(plainData);
    };
  });
}
