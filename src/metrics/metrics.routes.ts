import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UnauthenticatedError } from '../errors.js';
import type { Metrics } from './metrics.js';

/** GET /metrics behind its own token (METRICS_TOKEN), so a scraper needs no API role. */
export const metricsRoutes =
  (metrics: Metrics, token: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    const expected = Buffer.from(`Bearer ${token}`);
    app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new UnauthenticatedError('the metrics token is required');
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
