import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
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
    const actor = (req: FastifyRequest) => callbacks.actorOf(principalOf(req));
    // Operators reach only their line's callbacks (and those they booked): callback-rules.ts.
    const ownLine = { access: { line: 'own' as const } };

    app.post(
      '/callbacks',
      {
        preHandler: roles,
        schema: {
          summary: 'Book a callback',
          description:
            "Rings at notBefore (or now), within the line's business hours; retried CALLBACK_ATTEMPTS times CALLBACK_RETRY_SEC apart. The number is read as E.164 (a leading + is international; otherwise CALLBACK_DEFAULT_REGION) and stored so; it must be valid, of a CALLBACK_ALLOWED_COUNTRIES country and a CALLBACK_ALLOWED_TYPES type, and not start with a CALLBACK_DENIED_PREFIXES prefix (422 callback_number_not_allowed). Per-number (E.164) and per-account limits, cancelled bookings included, answer 429 callback_rate_limited. A ticketId must be a ticket the booker sees (403; a panel token: a ticket of the accountId) and the line's operators see (422 callback_ticket_line).",
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
          response: { 201: CallbackDto, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody, 429: ErrorBody },
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
          await actor(req),
        );
        return reply.status(201).send(toDto(row));
      },
    );

    app.get(
      '/callbacks/:id',
      {
        preHandler: roles,
        config: ownLine,
        schema: {
          description: 'Admins and supervisors see every callback; operators those of their line; a panel token and anyone else those they booked (403 forbidden).',
          params: UuidParam,
          response: { 200: CallbackDto, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const r = await callbacks.get(req.params.id, await actor(req));
        return toDto(r.callback, r.attempts);
      },
    );

    app.post(
      '/callbacks/:id/answering-machine',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        config: ownLine,
        schema: {
          summary: 'The answered attempt reached an answering machine',
          description: 'The attempt is stored as `machine`; the callback is retried as after no answer, or fails (with a note on its ticket) when it was the last attempt.',
          params: UuidParam,
          body: Type.Object({}, { additionalProperties: false, examples: [{}] }),
          response: { 200: CallbackDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        const who = await actor(req);
        const row = await callbacks.answeringMachine(req.params.id, who);
        return toDto(row, (await callbacks.get(row.id, who)).attempts);
      },
    );

    app.delete(
      '/callbacks/:id',
      {
        preHandler: roles,
        config: ownLine,
        schema: {
          summary: 'Cancel a callback not yet being dialled',
          description: 'Admins, supervisors, operators of its line, and whoever booked it (403 forbidden).',
          params: UuidParam,
          response: { 200: CallbackDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => toDto(await callbacks.cancel(req.params.id, await actor(req))),
    );
  };
