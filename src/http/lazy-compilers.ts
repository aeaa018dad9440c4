// Route schemas compiled on a route's first request instead of at start. Compiling every
// route's request validators (ajv) and response serializers (fast-json-stringify) up front was
// most of the time from `listen()` to ready: about 1.3 s of CPU in a profile of a start, paid
// again by every restart after a crash, while no instance takes calls. A route's first request
// pays its own few milliseconds instead. Every route is still exercised by the schema-driven
// suites (fuzz, authorization matrix, OpenAPI), so a schema that does not compile still fails
// in CI, not in production.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

/** A function compiled on its first call; ajv's `errors` are passed on for fastify to read. */
export function compiledOnFirstUse<F extends (...args: never[]) => unknown>(compile: () => F): F {
  let fn: (F & { errors?: unknown }) | undefined;
  const wrapper = (...args: Parameters<F>): unknown => {
    fn ??= compile();
    const out = fn(...args);
    (wrapper as { errors?: unknown }).errors = fn.errors;
    return out;
  };
  return wrapper as unknown as F;
}

/** fastify's own response serializers (fast-json-stringify), each built on its route's first response. */
export function lazySerializers(): NonNullable<FastifyServerOptions['schemaController']> {
  const select = SerializerSelector();
  return {
    compilersFactory: {
      buildSerializer: (externalSchemas: unknown, options: unknown) => {
        const build = select(externalSchemas as Parameters<typeof select>[0], options as Parameters<typeof select>[1]);
        return (route: Parameters<typeof build>[0]) => compiledOnFirstUse(() => build(route));
      },
    },
  } as NonNullable<FastifyServerOptions['schemaController']>;
}
