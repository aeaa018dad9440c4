import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import { LinesDoc } from './line-config.js';
import type { LineConfigStore } from './line-config.store.js';

// The body is checked by parseLines, not by the route schema: the route's validator stops at the
// first error, and an administrator is owed every problem with its path (README "Lines").
export const linesRoutes =
  (store: LineConfigStore): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/admin/lines',
      { preHandler: requireRole('admin'), schema: { summary: 'The lines configuration as it runs (LINES_FILE)', response: { 200: LinesDoc } } },
      async () => store.current() as never,
    );

    app.put(
      '/admin/lines',
      {
        preHandler: requireRole('admin'),
        schema: {
          summary: 'Replace the lines configuration: validated whole (400 invalid_lines with every path), refused while the IVR flow routes to a line it removes (409 lines_in_use); the file is rewritten atomically and the service follows at once',
          body: Type.Unknown({ description: 'the whole lines document (schema: the GET response)' }),
          response: { 200: LinesDoc, 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        await store.replace(req.body);
        return store.current() as never;
      },
    );
  };
