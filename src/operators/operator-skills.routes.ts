// An operator's skills (issue 21): read and set by admins and supervisors (who staff the lines).
// Names and levels are checked by the schema (queues/skills.ts): bad input is a 400 in the one
// error shape, from the one error handler.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam } from '../http/schemas.js';
import { SkillsSchema } from '../queues/skills.js';
import type { OperatorService } from './operator.service.js';

const SkillsDto = Type.Object({ operatorId: Type.String(), skills: SkillsSchema });

export const operatorSkillsRoutes =
  (ops: OperatorService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/operators/:id/skills',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: { summary: "An operator's skills with their levels (1–5)", params: IdParam, response: { 200: SkillsDto, 404: ErrorBody } },
      },
      async (req) => {
        const op = await ops.get(req.params.id);
        return { operatorId: op.id, skills: op.skills };
      },
    );

    app.put(
      '/operators/:id/skills',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: {
          summary: "Set an operator's skills (replaced whole; {} for none). Callers who need skills are offered to operators who have them first (skills routing)",
          params: IdParam,
          body: Type.Object({ skills: SkillsSchema }, { additionalProperties: false, examples: [{ skills: { en: 3, billing: 1 } }] }),
          response: { 200: SkillsDto, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const op = await ops.setSkills(req.params.id, req.body.skills);
        return { operatorId: op.id, skills: op.skills };
      },
    );
  };
