import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, Line, Nullable, UuidParam } from '../http/schemas.js';
import type { CallbackService } from './callback.service.js';
import type { CallbackAttemptRow, CallbackRow } from './callback.table.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const CallbackDto = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  number: Type.String(),
  line: Line,
  ticketId: Nullable(Type.String()),
  accountId: Nullable(Type.String()),
  callId: Nullable(Type.String()),
  notBefore: Nullable(Type.String()),
  notAfter: Nullable(Type.String()),
  nextAttemptAt: Nullable(Type.String()),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  closedReason: Nullable(Type.String()),
  createdAt: Type.String(),
  attemptLog: Type.Array(
    Type.Object({ attemptNo: Type.Integer(), callId: Nullable(Type.String()), outcome: Nullable(Type.String()), startedAt: Type.String(), endedAt: Nullable(Type.String()) }),
  ),
});

function toDto(c: CallbackRow, attempts: CallbackAttemptRow[] = []) {
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    number: c.number,
    line: c.line,
    ticketId: c.ticket_id,
    accountId: c.account_id,
    callId: c.call_id,
    notBefore: iso(c.not_before),
    notAfter: iso(c.not_after),
    nextAttemptAt: iso(c.next_attempt_at),
    attempts: c.attempts,
    maxAttempts: c.max_attempts,
    closedReason: c.closed_reason,
    createdAt: c.created_at.toISOString(),
    attemptLog: attempts.map((a) => ({ attemptNo: a.attempt_no, callId: a.call_id, outcome: a.outcome, startedAt: a.started_at.toISOString(), endedAt: iso(a.ended_at) })),
  };
}

export const callbackRoutes =
  (callbacks: CallbackService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const roles = requireRole('panel', 'operator', 'supervisor', 'admin');

    app.post(
      '/callbacks',
      {
        preHandler: roles,
        schema: {
          summary: 'Book a callback',
          description:
            "Rings at notBefore (or now), within the line's business hours; retried CALLBACK_ATTEMPTS times CALLBACK_RETRY_SEC apart. Numbers must match CALLBACK_ALLOWED_NUMBERS and not start with a CALLBACK_DENIED_PREFIXES prefix (422 callback_number_not_allowed); per-number and per-account limits answer 429 callback_rate_limited.",
          body: Type.Object(
            {
              number: Type.String({ minLength: 3, maxLength: 24 }),
              line: Line,
              ticketId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
              accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
              notBefore: Type.Optional(Type.String({ format: 'date-time' })),
              notAfter: Type.Optional(Type.String({ format: 'date-time' })),
            },
            { additionalProperties: false, examples: [{ number: '79991234567', line: 'second', accountId: 'acc-1042', notBefore: '2026-11-23T07:00:00Z' }] },
          ),
          response: { 201: CallbackDto, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const row = await callbacks.book(
          {
            number: b.number,
            line: b.line,
            ticketId: b.ticketId,
            accountId: b.accountId,
            notBefore: b.notBefore ? new Date(b.notBefore) : undefined,
            notAfter: b.notAfter ? new Date(b.notAfter) : undefined,
          },
          principalOf(req).role,
        );
        return reply.status(201).send(toDto(row));
      },
    );

    app.get(
      '/callbacks/:id',
      { preHandler: roles, schema: { params: UuidParam, response: { 200: CallbackDto, 404: ErrorBody } } },
      async (req) => {
        const r = await callbacks.get(req.params.id);
        return toDto(r.callback, r.attempts);
      },
    );

    app.post(
      '/callbacks/:id/answering-machine',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        schema: {
          summary: 'The answered attempt reached an answering machine',
          description: 'The attempt is stored as `machine`; the callback is retried as after no answer, or fails (with a note on its ticket) when it was the last attempt.',
          params: UuidParam,
          body: Type.Object({}, { additionalProperties: false, examples: [{}] }),
          response: { 200: CallbackDto, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        const row = await callbacks.answeringMachine(req.params.id, principalOf(req).role);
        return toDto(row, (await callbacks.get(row.id)).attempts);
      },
    );

    app.delete(
      '/callbacks/:id',
      { preHandler: roles, schema: { summary: 'Cancel a callback not yet being dialled', params: UuidParam, response: { 200: CallbackDto, 404: ErrorBody, 409: ErrorBody } } },
      async (req) => toDto(await callbacks.cancel(req.params.id, principalOf(req).role)),
    );
  };
