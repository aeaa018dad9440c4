import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { CallFilters, ErrorBody, Line, Nullable, UuidParam } from '../http/schemas.js';
import { findCallById, listCallEvents, listCalls } from './call.repository.js';
import { CallDto, toCallDto } from './call.dto.js';
import { SkillsSchema } from '../queues/skills.js';
import { callViewerOf, visibleCalls } from './call-visibility.js';
import type { CallService } from './call.service.js';
import type { CallRow } from './call.table.js';
import type { CallRequests } from './call-requests.js';

export const callRoutes =
  (db: Kysely<Database>, calls: CallService, requests: CallRequests): FastifyPluginAsyncTypebox =>
  async (app) => {
    const read = requireRole('admin', 'supervisor', 'operator');

    app.get(
      '/calls',
      {
        preHandler: read,
        schema: {
          querystring: Type.Object(
            {
              ...CallFilters,
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
              offset: Type.Integer({ minimum: 0, default: 0 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ calls: Type.Array(CallDto) }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => {
        const q = req.query;
        const viewer = await callViewerOf(db, principalOf(req));
        const rows = await listCalls(db, {
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          caller: q.caller,
          line: q.line,
          operatorId: q.operator,
          ticketId: q.ticket,
          // Operators get only the calls their line may see, in SQL so a page is a full page
          // (call-visibility.ts), and checked again row by row below.
          visibleTo: viewer.role === 'operator' ? { operatorId: viewer.operatorId, line: viewer.line } : undefined,
          limit: q.limit,
          offset: q.offset,
        });
        return { calls: (await visibleCalls(db, viewer, rows)).map(toCallDto) };
      },
    );

    app.get(
      '/calls/:id',
      {
        preHandler: read,
        config: { access: { line: 'own' } },
        schema: {
          params: UuidParam,
          response: {
            200: Type.Intersect([
              CallDto,
              Type.Object({
                transitions: Type.Array(
                  Type.Object({
                    from: Type.Union([Type.String(), Type.Null()]),
                    to: Type.String(),
                    at: Type.String(),
                    hold: Type.Optional(Type.Boolean({ description: 'Present on a hold (true) or its end (false): no change of status.' })),
                  }),
                ),
                requiredSkills: Type.Optional({
                  ...SkillsSchema,
                  description: 'skills routing: what the caller needs of an operator (set by the IVR; {} = anyone of the line). Present while the call is live on this instance',
                }),
              }),
            ]),
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (req) => {
        // A live call is read from memory over what Postgres has (the ledger writes it behind):
        // its row, and the transitions not written yet. Columns other parts own (verification,
        // legal hold, wrap-up) come from Postgres.
        const live = calls.liveRow(req.params.id);
        // Postgres away: a live call is still told from memory.
        const stored = live ? await findCallById(db, req.params.id).catch(() => undefined) : await findCallById(db, req.params.id);
        const call = live ? { ...live.row, ...pickForeign(stored) } : stored;
        if (!call) throw new NotFoundError('call', req.params.id);
        const viewer = await callViewerOf(db, principalOf(req));
        if (!(await visibleCalls(db, viewer, [call])).length) throw new ForbiddenError(viewer.role, ['admin', 'supervisor', 'an operator who took the call or whose line sees its ticket']);
        const events = stored ? await listCallEvents(db, call.id).catch(() => []) : [];
        const written = new Set(events.map((e) => e.seq));
        const session = calls.session(call.id);
        return {
          ...toCallDto(call),
          ...(session && { requiredSkills: session.requiredSkills }),
          transitions: [
            ...events.map((e) => ({ from: e.from_status, to: e.to_status, at: e.at.toISOString(), ...holdOf(e.detail) })),
            ...(live?.pendingEvents ?? []).filter((e) => !written.has(e.seq)).map(({ from, to, at, detail }) => ({ from, to, at, ...holdOf(detail) })),
          ],
        };
      },
    );

    app.post(
      '/calls/:id/transfer',
      {
        preHandler: read,
        schema: {
          params: UuidParam,
          body: Type.Object(
            { line: Type.Optional({ ...Line, description: "the line to transfer to; absent: the next line up the escalation order (pbx-config/lines.json's escalatesTo)" }) },
            { additionalProperties: false, examples: [{ line: 'second' }, {}] },
          ),
          response: { 202: CallDto, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => reply.status(202).send(toCallDto(await requests.transfer(req.params.id, req.body.line, principalOf(req)))),
    );

    app.post(
      '/calls/:id/verification',
      {
        preHandler: read,
        schema: {
          summary: 'Ask the caller for their one-time code, mid-call',
          description:
            'The caller leaves the bridge for the step and hears the prompt alone; the operator hears music; the recording is paused (and the pause noted on the recording). The outcome shows on the call as `verification` once keyed.',
          params: UuidParam,
          body: Type.Object({}, { additionalProperties: false, examples: [{}] }),
          response: { 202: CallDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => reply.status(202).send(toCallDto(await requests.requestVerification(req.params.id, principalOf(req)))),
    );

    app.post(
      '/calls/:id/hold',
      {
        preHandler: read,
        schema: {
          summary: 'Put the caller on hold (music) or take them off it',
          params: UuidParam,
          body: Type.Object({ hold: Type.Boolean() }, { additionalProperties: false, examples: [{ hold: true }] }),
          response: { 200: CallDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => toCallDto(await requests.hold(req.params.id, req.body.hold, principalOf(req))),
    );

    const Colleague = Type.Object({ operatorId: Type.String({ pattern: '^[0-9]{1,18}$' }) }, { additionalProperties: false, examples: [{ operatorId: '42' }] });
    const consultReplies = { 202: CallDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
    app.post(
      '/calls/:id/consult',
      {
        preHandler: read,
        schema: {
          summary: 'Warm transfer: hold the caller and ring a named operator or supervisor into the call',
          params: UuidParam,
          body: Colleague,
          response: consultReplies,
        },
      },
      async (req, reply) => reply.status(202).send(toCallDto(await calls.consults.start(req.params.id, req.body.operatorId, 'consult', principalOf(req)))),
    );
    app.post(
      '/calls/:id/conference',
      {
        preHandler: read,
        schema: { summary: 'Ring a third party into the call; the caller hears everyone', params: UuidParam, body: Colleague, response: consultReplies },
      },
      async (req, reply) => reply.status(202).send(toCallDto(await calls.consults.start(req.params.id, req.body.operatorId, 'conference', principalOf(req)))),
    );
    const empty = Type.Object({}, { additionalProperties: false, examples: [{}] });
    app.post(
      '/calls/:id/consult/complete',
      {
        preHandler: read,
        schema: { summary: 'Hand the call to the colleague: the first operator drops out', params: UuidParam, body: empty, response: { 200: CallDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
      },
      async (req) => toCallDto(await calls.consults.complete(req.params.id, principalOf(req))),
    );
    app.post(
      '/calls/:id/consult/cancel',
      {
        preHandler: read,
        schema: { summary: 'Let the colleague go; the caller is back with the first operator', params: UuidParam, body: empty, response: { 200: CallDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
      },
      async (req) => toCallDto(await calls.consults.cancel(req.params.id, principalOf(req))),
    );

    app.get(
      '/lines/:line/queue',
      {
        preHandler: read,
        config: { access: { line: 'own' } },
        schema: {
          summary: "Who waits on a line, in order: callers and callback placeholders",
          params: Type.Object({ line: Line }),
          response: {
            200: Type.Object({
              line: Line,
              waiting: Type.Array(
                Type.Object({
                  position: Type.Integer(),
                  kind: Type.Union([Type.Literal('call'), Type.Literal('callback')]),
                  id: Type.String(),
                  since: Nullable(Type.String()),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        // An operator sees the waiting list of a line they serve only (whose calls they could be given): the call ids of another line's callers are not theirs.
        const viewer = await callViewerOf(db, principalOf(req));
        if (viewer.role === 'operator' && !(viewer.lines ?? []).includes(req.params.line)) throw new ForbiddenError('operator', ['an operator serving this line', 'supervisor', 'admin']);
        return { line: req.params.line, waiting: calls.queueOf(req.params.line) };
      },
    );
  };

/** The columns of a call row that are not the call ledger's to write: Postgres has the truth of them. */
function pickForeign(r: CallRow | undefined): Partial<CallRow> {
  if (!r) return {};
  const { verification_status, verified_account_id, verification_method, verified_at, verification_flagged, legal_hold, disposition, wrapped_up_at } = r;
  return { verification_status, verified_account_id, verification_method, verified_at, verification_flagged, legal_hold, disposition, wrapped_up_at };
}

/** A hold event's flag (call-requests.ts applyHold), for the call's history. */
function holdOf(detail: unknown): { hold?: boolean } {
  const hold = (detail as { hold?: unknown } | null)?.hold;
  return typeof hold === 'boolean' ? { hold } : {};
}
