import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam } from '../http/schemas.js';
import { NotFoundError } from '../errors.js';
import type { SessionService } from './session.service.js';

/** An operator's panel password (admins set it; only its scrypt hash is kept). */
export const panelPasswordRoutes =
  (sessions: SessionService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.put(
      '/operators/:id/panel-password',
      {
        preHandler: requireRole('admin'),
        schema: {
          params: IdParam,
          body: Type.Object({ password: Type.String({ minLength: 12, maxLength: 256 }) }, { additionalProperties: false, examples: [{ password: 'a long panel password' }] }),
          response: { 204: Type.Null(), 404: ErrorBody },
        },
      },
      async (req, reply) => {
        if (!(await sessions.setPassword(req.params.id, req.body.password))) throw new NotFoundError('operator', req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
