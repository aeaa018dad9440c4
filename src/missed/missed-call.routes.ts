import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, Line, Nullable, UuidParam } from '../http/schemas.js';
import { MissedCallDto, toMissedCallDto } from './missed-call.dto.js';
import type { MissedCallService } from './missed-call.service.js';

/** The missed-calls worklist (src/missed): listed per line, called back from the panel. */
export const missedCallRoutes =
  (missed: MissedCallService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const staff = requireRole('operator', 'supervisor', 'admin');
    const actor = (req: FastifyRequest) => missed.actorOf(principalOf(req));
    const dto = (r: Parameters<typeof toMissedCallDto>[0]) => toMissedCallDto(r, (n) => missed.refusal(n));

    app.get(
      '/missed-calls',
      {
        preHandler: staff,
        schema: {
          summary: 'Callers who hung up in the queue or left a voicemail without an operator, one entry per line and number',
          description:
            'Numbers are compared in E.164 (8 912 …, 7912 … and +7 912 … are one caller): a number that misses again counts up its entry. An entry is cleared when the number later gets through to an operator of the line, or is called back. Operators see the lines they serve only (all of them without `line`, 403 for another); admins and supervisors any line, or every line without `line`. `status=open` (the default) lists what is still to do: open entries and those with a callback booked.',
          querystring: Type.Object(
            {
              line: Type.Optional(Line),
              status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')])),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ missedCalls: Type.Array(MissedCallDto) }), 403: ErrorBody },
        },
      },
      async (req) => {
        const rows = await missed.list(await actor(req), { line: req.query.line, status: req.query.status ?? 'open', limit: req.query.limit ?? 100 });
        return { missedCalls: rows.map(dto) };
      },
    );

    app.post(
      '/missed-calls/:id/callback',
      {
        preHandler: staff,
        config: { access: { line: 'own' } },
        schema: {
          summary: 'Call a missed caller back: now, or at notBefore (within the line\'s business hours)',
          description:
            "Books a callback (POST /api/callbacks rules: the number must be one that may be called back, 422 callback_number_not_allowed; per-number and per-account limits, 429) on the last missed call's ticket, and marks the entry booked. Only one booking per entry: a second click, or an entry cleared meanwhile (the number got through), answers 409 missed_call_taken. Without notBefore it rings as soon as the line is open and an operator is free. The entry is cleared when the callback is answered, and open again (with the reason) when it is not reached.",
          params: UuidParam,
          body: Type.Object(
            { notBefore: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false, examples: [{}, { notBefore: '2026-11-23T07:00:00Z' }] },
          ),
          response: {
            201: Type.Object({ missedCall: MissedCallDto, callback: Type.Object({ id: Type.String(), status: Type.String(), nextAttemptAt: Nullable(Type.String()) }) }),
            403: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
            422: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const r = await missed.callBack(await actor(req), req.params.id, req.body.notBefore ? new Date(req.body.notBefore) : undefined);
        return reply.status(201).send({
          missedCall: dto(r.entry),
          callback: { id: r.callback.id, status: r.callback.status, nextAttemptAt: r.callback.next_attempt_at?.toISOString() ?? null },
        });
      },
    );
  };
