// Review filters over HTTP ("calls that need a look" on the recordings page). Who may: admins and
// supervisors (http/access.ts rule: roles admin, supervisor; the line is the service's to check:
// a supervisor bound to an operator keeps their own line's filters, another line's is a 404).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam, Line, Nullable } from '../http/schemas.js';
import { REVIEW_FILTER_KINDS } from './review-filter.js';
import type { ReviewCallRow } from './review-filter.repository.js';
import { specOf, type ReviewFilterService } from './review-filter.service.js';
import type { ReviewFilterRow } from './review-filter.table.js';

const Totals = Type.Object({ calls: Type.Integer(), evaluated: Type.Integer({ description: 'calls with at least one evaluation (a corrected one counts its call once)' }) });

const FilterDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  line: Type.String(),
  kind: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown(), { description: "the kind's parameters; a sample's seed is kept here" }),
  createdBy: Type.String(),
  createdAt: Type.String(),
  totals: Type.Optional(Totals),
});

const filterDto = (f: ReviewFilterRow & { totals?: { calls: number; evaluated: number } }) => ({
  id: f.id, name: f.name, line: f.line, kind: f.kind, params: specOf(f).params as Record<string, unknown>, createdBy: f.created_by, createdAt: f.created_at.toISOString(),
  ...(f.totals ? { totals: f.totals } : {}),
});

const CallDto = Type.Object({
  callId: Type.String(),
  enteredAt: Type.String(),
  answeredAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  status: Type.String(),
  callerNumber: Nullable(Type.String()),
  line: Nullable(Type.String()),
  operatorId: Nullable(Type.String()),
  operatorName: Nullable(Type.String()),
  talkSec: Nullable(Type.Integer({ description: 'answer to hang-up' })),
  surveyScore: Nullable(Type.Integer()),
  verification: Type.String(),
  transfers: Type.Integer(),
  longestHoldSec: Nullable(Type.Integer()),
  recordingId: Nullable(Type.String({ description: "the call's recording, if it has one (a call may have none: not answered, or failed)" })),
  recordingStatus: Nullable(Type.String()),
  recordingDurationMs: Nullable(Type.Integer()),
  evaluated: Type.Boolean(),
});

const secs = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000)) : null);

const callDto = (c: ReviewCallRow) => ({
  callId: c.id, enteredAt: c.entered_at.toISOString(), answeredAt: c.answered_at?.toISOString() ?? null, endedAt: c.ended_at?.toISOString() ?? null,
  status: c.status, callerNumber: c.caller_number, line: c.line, operatorId: c.operator_id, operatorName: c.operator_name,
  talkSec: secs(c.answered_at, c.ended_at), surveyScore: c.survey_score, verification: c.verification_status, transfers: Number(c.transfers),
  longestHoldSec: c.longest_hold_sec === null ? null : Math.round(Number(c.longest_hold_sec)),
  recordingId: c.recording_id, recordingStatus: c.recording_status, recordingDurationMs: c.recording_duration_ms, evaluated: c.evaluated,
});

const RangeQuery = {
  from: Type.String({ format: 'date-time', description: "by the call's time (entered_at), inclusive" }),
  to: Type.String({ format: 'date-time', description: 'exclusive; at most 370 days after from' }),
};

export const EXAMPLE_REVIEW_FILTER = { name: 'Long holds', line: 'first', kind: 'long-hold', params: { minHoldSec: 120 } };

const FilterDoc = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    line: Line,
    kind: Type.Union(REVIEW_FILTER_KINDS.map((k) => Type.Literal(k))),
    params: Type.Optional(
      Type.Unknown({
        description:
          'long-hold {minHoldSec}; transfers {minTransfers?=2}; low-survey {maxScore 1-5}; failed-verification {}; failed-callback {}; ' +
          'first-calls {count}; long-call {minMinutes}; sample {perWeek, seed?}. Checked per kind (422 invalid_review_filter with each error\'s path)',
      }),
    ),
  },
  { additionalProperties: false, examples: [EXAMPLE_REVIEW_FILTER] },
);

export const reviewFilterRoutes =
  (filters: ReviewFilterService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const staff = requireRole('admin', 'supervisor');
    const access = { access: { line: 'any' as const } };

    app.get(
      '/qa/review-filters',
      {
        preHandler: staff,
        config: access,
        schema: {
          summary: "Saved review filters (a supervisor's: their own line's), each with its totals {calls, evaluated} when a range is given",
          querystring: Type.Object({ from: Type.Optional(RangeQuery.from), to: Type.Optional(RangeQuery.to) }, { additionalProperties: false }),
          response: { 200: Type.Object({ filters: Type.Array(FilterDto) }), 400: ErrorBody },
        },
      },
      async (req) => {
        const { from, to } = req.query;
        const range = from || to ? { from: new Date(from ?? to ?? ''), to: new Date(to ?? from ?? '') } : undefined;
        return { filters: (await filters.list(principalOf(req), range)).map(filterDto) };
      },
    );

    app.post(
      '/qa/review-filters',
      {
        preHandler: staff,
        config: access,
        schema: {
          summary: 'Save a review filter by name on a line (a supervisor: on their own line)',
          body: FilterDoc,
          response: { 201: FilterDto, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
      },
      async (req, reply) => reply.code(201).send(filterDto(await filters.create(principalOf(req), req.body))),
    );

    app.get(
      '/qa/review-filters/:id',
      { preHandler: staff, config: access, schema: { summary: 'A saved review filter', params: IdParam, response: { 200: FilterDto, 404: ErrorBody } } },
      async (req) => filterDto(await filters.get(principalOf(req), req.params.id)),
    );

    app.delete(
      '/qa/review-filters/:id',
      { preHandler: staff, config: access, schema: { summary: 'Delete a saved review filter', params: IdParam, response: { 204: Type.Null(), 404: ErrorBody } } },
      async (req, reply) => {
        await filters.remove(principalOf(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/qa/review-filters/:id/calls',
      {
        preHandler: staff,
        config: access,
        schema: {
          summary: "The calls a filter finds on its line in a date range, newest first, each saying whether it has been evaluated and whether it has a recording; totals over all of them",
          params: IdParam,
          querystring: Type.Object(
            { ...RangeQuery, limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ filter: FilterDto, totals: Totals, calls: Type.Array(CallDto) }), 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const x = req.query;
        const r = await filters.run(principalOf(req), req.params.id, { from: new Date(x.from), to: new Date(x.to) }, { limit: x.limit, offset: x.offset });
        return { filter: filterDto(r.filter), totals: r.totals, calls: r.calls.map(callDto) };
      },
    );
  };
