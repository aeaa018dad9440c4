import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifySchema, type RouteOptions } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authenticate } from './auth.hook.js';
import type { TokenService } from '../auth/token.service.js';
import type { SessionService } from '../auth/session.service.js';
import { errorBody, installErrorHandler } from './error-handler.js';
import { healthRoutes, type ReadinessProbe } from './health.routes.js';
import { ErrorBody } from './schemas.js';
import { declaredAccess, type AccessRule } from './access.js';
import { boundNumbers, rejectBadText, requestValidators, strictJsonBodies } from './input-guard.js';
import { answerClientError, registerGuards } from './guards.js';
import { BadUrlError } from '../errors.js';
import { compiledOnFirstUse, lazySerializers } from './lazy-compilers.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  /** Who may call it (http/access.ts); undefined outside /api or when the route declares none. */
  access?: AccessRule;
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
  /** Reverse proxies whose X-Forwarded-For is believed (HTTP_TRUST_PROXY): req.ip is then the client. */
  trustProxy?: string[];
  /** Where @fastify/rate-limit keeps its counters (shared by every instance); in memory without it. */
  rateLimit?: { redis: Redis; prefix: string };
  /** Sees every /api route as it is registered: the line ids it takes get checked (lines/line-guard.ts). */
  onApiRoute?: (route: RouteOptions) => void;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    ...(opts.trustProxy?.length ? { trustProxy: opts.trustProxy } : {}),
    // A path id longer than this is no id of ours: 414 in the one error shape (frameworkErrors).
    routerOptions: { maxParamLength: 200 },
    // The router's own refusals (a bad %-encoding, an over-long param) in the one error shape too.
    frameworkErrors: (err, req, res) => {
      const reply = res as unknown as FastifyReply;
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') void reply.code(414).send({ error: { code: 'uri_too_long', message: 'a path segment is too long' } });
      else void reply.code(400).send(errorBody(new BadUrlError(req.url)));
    },
    // Requests Node refuses before fastify sees them (header or URL over 16 KiB, broken HTTP).
    clientErrorHandler: answerClientError,
    schemaController: lazySerializers(),
  });
  // Bodies keep their JSON types; querystrings and params are text and are coerced.
  const validators = requestValidators({ useDefaults: true, removeAdditional: false, allErrors: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    compiledOnFirstUse(() => (validators[(httpPart ?? 'body') as keyof typeof validators] ?? validators.body).compile(schema)),
  );
  strictJsonBodies(app);
  installErrorHandler(app);
  if (opts.validateResponses) strictResponses(app);
  await registerGuards(app, opts.rateLimit);
  app.addHook('preValidation', rejectBadText);
  // Every route as registered, with its schema and access rule: the tests that no route goes
  // undocumented or undeclared (and the fuzz and authorization-matrix suites) read it.
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (r) => {
    const schema = (r.schema ??= {}) as Record<string, unknown>;
    for (const part of ['querystring', 'params', 'body']) if (schema[part]) schema[part] = boundNumbers(schema[part]);
    const access = declaredAccess(r);
    if (access) r.config = { ...(r.config ?? {}), access };
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, schema, access });
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
  // The reference gets its own CSP (hashes of its inline script and style); no upgrade of plain
  // http, which a loopback or a TLS-terminating proxy in front does not need.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (h) => h.replace(/\s*upgrade-insecure-requests;?/, '').replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });
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
        opts.onApiRoute?.(route);
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
    const validate = compiledOnFirstUse(() => ajv.compile(schema as object));
    return (data) => {
      const plainData = JSON.parse(JSON.stringify(data)) as unknown;
      if (!validate(plainData)) {
        throw new Error(`response ${httpStatus} of ${method} ${url} breaks its schema: ${ajv.errorsText(validate.errors)}`);
      }
      return JSON.stringify(plainData);
    };
  });
}
