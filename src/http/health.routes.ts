import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export interface ReadinessProbe {
  name: string;
  check(): Promise<boolean>;
}

const Readiness = Type.Object({
  status: Type.String(),
  checks: Type.Record(Type.String(), Type.Boolean()),
  failing: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
});

export const healthRoutes =
  (probes: ReadinessProbe[], warnings: () => string[] = () => []): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/healthz', { schema: { response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (_req, reply) => {
      const results = await Promise.all(
        probes.map(async (p) => {
          const ok = await Promise.race([
            p.check().catch(() => false),
            new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
          ]);
          return [p.name, ok] as const;
        }),
      );
      const failing = results.filter(([, ok]) => !ok).map(([n]) => n);
      return reply
        .status(failing.length ? 503 : 200)
        .send({ status: failing.length ? 'unavailable' : 'ready', checks: Object.fromEntries(results), failing, warnings: warnings() });
    });
  };
