import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam } from '../http/schemas.js';
import { NotFoundError } from '../errors.js';
import type { SessionService } from './session.service.js';

/** Who rotates a panel softphone's SIP secret (OperatorService). */
export interface SoftphoneSecrets {
  rotatePanelSoftphoneSecret(operatorId: string): Promise<boolean>;
}

/**
 * An operator's panel password (admins set it; only its scrypt hash is kept). Setting it ends
 * the operator's panel sessions and, when the panel is their phone, changes their SIP secret.
 */
export const panelPasswordRoutes =
  (sessions: SessionService, softphones?: SoftphoneSecrets): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.put(
      '/operators/:id/panel-password',
      {
        preHandler: requireRole('admin'),
        schema: {
          summary: "Set an operator's panel password",
          description:
            "Ends all of the operator's panel sessions (`ended_reason` password_reset). When the panel is their phone (`softphone: webrtc`), their SIP secret changes too, so the old session's HA1 cannot register again; the panel gets the new one at sign-in.",
          params: IdParam,
          body: Type.Object({ password: Type.String({ minLength: 12, maxLength: 256 }) }, { additionalProperties: false, examples: [{ password: 'a long panel password' }] }),
          response: { 204: Type.Null(), 404: ErrorBody },
        },
      },
      async (req, reply) => {
        if (!(await sessions.setPassword(req.params.id, req.body.password))) throw new NotFoundError('operator', req.params.id);
        await softphones?.rotatePanelSoftphoneSecret(req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
