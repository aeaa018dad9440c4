import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam } from '../http/schemas.js';
import { CallDto, toCallDto } from '../calls/call.dto.js';
import type { TicketService } from './ticket.service.js';

const TicketDto = Type.Object({
  id: Type.String(),
  number: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  line: Type.Union([Type.String(), Type.Null()]),
  callerNumber: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  calls: Type.Array(CallDto),
});

export const ticketRoutes =
  (tickets: TicketService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/tickets/:id',
      {
        preHandler: requireRole('admin', 'supervisor', 'operator'),
        schema: { params: IdParam, response: { 200: TicketDto, 404: ErrorBody } },
      },
      async (req) => {
        const { ticket: t, calls } = await tickets.getWithCalls(req.params.id);
        return {
          id: t.id,
          number: t.number,
          subject: t.subject,
          status: t.status,
          line: t.line,
          callerNumber: t.caller_number,
          createdAt: t.created_at.toISOString(),
          updatedAt: t.updated_at.toISOString(),
          calls: calls.map(toCallDto),
        };
      },
    );
  };
