import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import { CallDto, toCallDto } from './call.dto.js';
import type { OutboundCallService } from './outbound-calls.service.js';

const Id = Type.String({ pattern: '^[0-9]{1,18}$' });

/** Click-to-call (src/calls/outbound-calls*.ts). */
export const outboundCallRoutes =
  (service: OutboundCallService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/calls/outbound',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        config: { access: { line: 'own' } },
        schema: {
          summary: "Call a customer from a ticket: the operator's phone rings first, then the customer is dialled into the same call",
          description:
            "The operator's phone (panel or SIP) rings first; once they pick up, the customer is dialled through the trunk with the line's caller ID (CLICK_TO_CALL_CALLER_ID) and joins the same bridge, recorded. The call has its own row, `direction: outbound`, on the ticket: ringing → dialling → bridged → completed (or unanswered: the operator did not pick up, no answer, busy, a side hung up first). Follow it at GET /api/calls/{id}. The number defaults to the ticket's phone; it must pass the callback number rules (422 callback_number_not_allowed: plan, type, denied prefix) and the per-number limit, which callbacks and click-to-calls share (429 callback_rate_limited). Operators call from their own phone, on tickets their line sees; supervisors and admins name the operator (`operatorId`, 422 without one). The operator must be available and not on a call (409 operator_unavailable).",
          body: Type.Object(
            {
              ticketId: Type.Optional(Id),
              number: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
              operatorId: Type.Optional(Id),
            },
            { additionalProperties: false, examples: [{ ticketId: '42' }, { ticketId: '42', number: '+79161234567' }] },
          ),
          response: { 201: CallDto, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => reply.status(201).send(toCallDto(await service.call(principalOf(req), req.body))),
    );
  };
