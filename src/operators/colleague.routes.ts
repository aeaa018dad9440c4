import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, Nullable } from '../http/schemas.js';
import { colleagueOf, COLLEAGUE_STATES, type ColleagueState } from './colleague.js';
import type { OperatorService } from './operator.service.js';

const ColleagueDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  line: Type.String(),
  supervisor: Type.Boolean(),
  extension: Nullable(Type.String({ description: 'dial it from the panel or a desk phone; null: none' })),
  state: Type.Unsafe<ColleagueState>({ type: 'string', enum: [...COLLEAGUE_STATES], description: 'busy: on a call, in wrap-up or talking to a colleague' }),
});

/** Internal calls: the panel's colleague list (every operator and supervisor, every line). */
export const colleagueRoutes =
  (operators: OperatorService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/panel/directory',
      {
        // Every line: colleagues call each other across lines (a name, a number and a state, nothing of a line's calls).
        preHandler: requireRole('operator', 'supervisor'),
        config: { access: { line: 'any' } },
        schema: {
          summary: 'Colleagues to call by extension, with their state (available, busy, paused, offline); changes arrive as "colleagues" events on /api/panel/events',
          response: {
            200: Type.Object({
              me: Type.Union([Type.Object({ id: Type.String(), extension: Nullable(Type.String()) }), Type.Null()]),
              colleagues: Type.Array(ColleagueDto),
            }),
            403: ErrorBody,
          },
        },
      },
      async (req) => {
        const self = principalOf(req).operatorId;
        const all = await operators.list();
        const mine = all.find((o) => o.id === self);
        return {
          me: mine ? { id: mine.id, extension: mine.extension } : null,
          colleagues: all
            .filter((o) => o.id !== self)
            .map((o) => colleagueOf(o, operators.inInternalCall(o)))
            .sort((a, b) => a.name.localeCompare(b.name)),
        };
      },
    );
  };
