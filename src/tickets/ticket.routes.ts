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
  /** The account a verified caller proved they own (one-time code), or null. */
  accountId: Type.Union([Type.String(), Type.Null()]),
  verifiedAt: Type.Union([Type.String(), Type.Null()]),
  /** The latest satisfaction score (1-5) a call on this ticket was given. */
  surveyScore: Type.Union([Type.Integer(), Type.Null()]),
  calls: Type.Array(CallDto),
  notes: Type.Array(Type.Object({ author: Type.String(), body: Type.String(), at: Type.String() })),
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
        const { ticket: t, calls, notes } = await tickets.getWithCalls(req.params.id);
        return {
          id: t.id,
          number: t.number,
          subject: t.subject,
          status: t.status,
          line: t.line,
          callerNumber: t.caller_number,
          createdAt: t.created_at.toISOString(),
          updatedAt: t.updated_at.toISOString(),
          accountId: t.account_id,
          verifiedAt: t.verified_at ? t.verified_at.toISOString() : null,
          surveyScore: t.survey_score,
          calls: calls.map(toCallDto),
          notes: notes.map((n) => ({ author: n.author, body: n.body, at: n.created_at.toISOString() })),
        };
      },
    );
  };
