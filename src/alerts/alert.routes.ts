import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { Line, Nullable } from '../http/schemas.js';
import { PAUSE_REASONS, type PauseReason } from '../operators/operator.table.js';
import { ALERT_KINDS, DEFAULT_THRESHOLDS, type AlertKind } from './alert-rules.js';
import type { LineThresholds } from './alert.repository.js';
import type { AlertService } from './alert.service.js';

const Kind = Type.Unsafe<AlertKind>({ type: 'string', enum: [...ALERT_KINDS] });
const Alert = Type.Object({
  id: Type.String(),
  kind: Kind,
  line: Line,
  subject: Type.String({ description: "the node whose callers wait, the operator's id, the ticket's id; '' for the line" }),
  value: Type.Number(),
  threshold: Type.Number(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  raisedAt: Type.String(),
  clearedAt: Nullable(Type.String()),
});

const PauseMax = Type.Object(Object.fromEntries(PAUSE_REASONS.map((r) => [r, Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 }))])), { additionalProperties: false });

const ThresholdFields = {
  longestWaitSec: Nullable(Type.Integer({ minimum: 1, maximum: 86_400, description: 'a caller waiting longer (s); null: not watched' })),
  serviceLevelMin: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'service level over the last 30 minutes below this (0-1); null: not watched' })),
  slaOverdueSec: Nullable(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'a ticket past its SLA due time by at least this (s); null: not watched' })),
  pauseMaxSec: PauseMax,
  abandonRateMax: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'abandoned / offered over abandonWindowMin above this (0-1); null: not watched' })),
  abandonWindowMin: Type.Integer({ minimum: 1, maximum: 1440 }),
  minCalls: Type.Integer({ minimum: 1, maximum: 100_000, description: 'rates over fewer answered or abandoned calls are not judged' }),
};
const ThresholdsBody = Type.Object(ThresholdFields, { additionalProperties: false, examples: [{ ...DEFAULT_THRESHOLDS }] });
const Thresholds = Type.Object({ line: Line, ...ThresholdFields, updatedAt: Nullable(Type.String()), updatedBy: Nullable(Type.String()) });

const toThresholdsDto = (t: LineThresholds) => ({ ...t, updatedAt: t.updatedAt?.toISOString() ?? null });

const DAY = 86_400_000;

/** Alerts (supervisors and admins read them) and their thresholds per line (admins set them). */
export const alertRoutes =
  (alerts: AlertService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const sup = requireRole('admin', 'supervisor');

    app.get('/alerts', { preHandler: sup, schema: { summary: 'The alerts open now (the wallboard is pushed the same as event: alerts)', response: { 200: Type.Object({ alerts: Type.Array(Alert) }) } } }, async () => ({
      alerts: await alerts.active(),
    }));

    app.get(
      '/alerts/history',
      {
        preHandler: sup,
        schema: {
          summary: 'Alerts raised in a range (default: the last 7 days), newest first, with when each cleared',
          querystring: Type.Object(
            {
              from: Type.Optional(Type.String({ format: 'date-time' })),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              line: Type.Optional(Line),
              kind: Type.Optional(Kind),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ alerts: Type.Array(Alert) }) },
        },
      },
      async (req) => {
        const to = req.query.to ? new Date(req.query.to) : new Date(Date.now() + 60_000);
        const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 7 * DAY);
        return { alerts: await alerts.history({ from, to, limit: req.query.limit, ...(req.query.line ? { line: req.query.line } : {}), ...(req.query.kind ? { kind: req.query.kind } : {}) }) };
      },
    );

    app.get('/alerts/thresholds', { preHandler: sup, schema: { summary: "Each line's alert thresholds (the defaults until an admin sets them)", response: { 200: Type.Object({ lines: Type.Array(Thresholds) }) } } }, async () => ({
      lines: (await alerts.thresholds()).map(toThresholdsDto),
    }));

    app.put(
      '/alerts/thresholds/:line',
      {
        preHandler: requireRole('admin'),
        schema: { summary: "Sets a line's alert thresholds (all of them; null turns a kind off)", params: Type.Object({ line: Line }), body: ThresholdsBody, response: { 200: Thresholds } },
      },
      async (req) => {
        const b = req.body;
        const by = `token:${principalOf(req).tokenId}`;
        return toThresholdsDto(await alerts.setThresholds(req.params.line, { ...b, pauseMaxSec: b.pauseMaxSec as Partial<Record<PauseReason, number>> }, by));
      },
    );
  };
