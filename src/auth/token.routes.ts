import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import type { TokenService } from './token.service.js';

export const tokenRoutes =
  (tokens: TokenService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/tokens',
      {
        preHandler: requireRole('admin'),
        schema: {
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              role: Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('operator'), Type.Literal('panel')]),
              operatorId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'required for role operator: the operator the token acts as' })),
            },
            { additionalProperties: false, examples: [{ name: 'crm-integration', role: 'panel' }] },
          ),
          response: { 201: Type.Object({ id: Type.String(), token: Type.String(), role: Type.String() }), 400: ErrorBody, 422: ErrorBody },
        },
      },
      async (req, reply) => reply.status(201).send(await tokens.create(req.body.name, req.body.role, req.body.operatorId)),
    );
  };
