// The configured lines as every signed-in page needs them: ids, names in both languages and the
// escalation order. Lines are configuration (issue 21), so the operator panel names a line (a
// ticket's, a missed call's, a colleague's) and lists the transfer targets from here, not from
// fixed i18n keys. Nothing in it is more than what the panel shows anyway (no queues, no timings:
// those are the admin's, GET /api/admin/lines), so every role may read it.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { Nullable } from '../http/schemas.js';
import { ROLES } from '../auth/token.table.js';
import type { LineCatalog } from './line-catalog.js';

/** A line as pages show it (also GET /api/supervisor/lines, with each line's level). */
export const LineName = Type.Object({
  id: Type.String(),
  name: Type.Object({ ru: Type.String(), en: Type.String() }),
  escalatesTo: Nullable(Type.String({ description: 'where escalation from this line goes; null: the top of its escalation order' })),
  escalationOnly: Type.Boolean({ description: 'reached only by escalation (no caller is routed to it directly)' }),
});

/** The configured lines in their order, as LineName: read at each call (the admin API may have replaced them). */
export function lineNames(lines: Pick<LineCatalog, 'all'>) {
  return lines.all().map((l) => ({ id: l.id, name: l.name, escalatesTo: l.escalatesTo, escalationOnly: l.escalationOnly }));
}

export const lineNamesRoutes =
  (lines: Pick<LineCatalog, 'all'>): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/lines',
      {
        preHandler: requireRole(...ROLES),
        schema: {
          summary: 'The configured lines in their order: ids, names in Russian and English, the escalation order (every signed-in page names lines from it)',
          response: { 200: Type.Object({ lines: Type.Array(LineName) }) },
        },
      },
      async () => ({ lines: lineNames(lines) }),
    );
  };
