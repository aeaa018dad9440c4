// QA reports over a date range (by the evaluated call's time), counting current evaluations only
// (a superseded one gave way to its correction): the mean score per operator, per line and per
// criterion, as JSON or CSV (the supervisor reports' CSV: formulas neutralised).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import { toCsv } from '../supervisor/supervisor.routes.js';
import type { QaService } from './qa.service.js';

const Range = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    form: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'only evaluations on this form' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: a spreadsheet-ready file' })),
  },
  { additionalProperties: false },
);

const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));

const Row = {
  operators: Type.Object({ operatorId: Type.String(), name: Type.String(), line: Type.String(), evaluations: Type.Integer(), meanScore: Type.Number(), minScore: Type.Number(), maxScore: Type.Number(), criticalFailed: Type.Integer() }),
  lines: Type.Object({ line: Type.Union([Type.String(), Type.Null()]), evaluations: Type.Integer(), meanScore: Type.Number(), criticalFailed: Type.Integer() }),
  criteria: Type.Object({
    formId: Type.String(), formName: Type.String(), criterionId: Type.String(), title: Type.String(), answered: Type.Integer(),
    meanScore: Type.Union([Type.Number(), Type.Null()], { description: 'the mean of its answers as a percentage; null: always not applicable' }), criticalFailed: Type.Integer(),
  }),
};

export const qaReportRoutes =
  (qa: QaService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const staff = requireRole('admin', 'supervisor');
    for (const kind of ['operators', 'lines', 'criteria'] as const) {
      app.get(
        `/qa/reports/${kind}`,
        {
          preHandler: staff,
          schema: {
            summary: `Mean QA score per ${kind === 'criteria' ? 'criterion' : kind.slice(0, -1)} over the calls of a date range (JSON or CSV)`,
            querystring: Range,
            response: { 200: Type.Object({ from: Type.String(), to: Type.String(), rows: Type.Array(Row[kind]) }), 400: ErrorBody },
          },
        },
        async (req, reply) => {
          const q = req.query;
          const rows = await rowsOf(qa, kind, { from: new Date(q.from), to: new Date(q.to), formId: q.form });
          if (q.format === 'csv') {
            return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="qa-${kind}.csv"`).send(toCsv(rows) as never);
          }
          // The rows are built per kind below; the response schema checks them.
          return { from: q.from, to: q.to, rows: rows as never[] };
        },
      );
    }
  };

async function rowsOf(qa: QaService, kind: 'operators' | 'lines' | 'criteria', r: { from: Date; to: Date; formId?: string }): Promise<Record<string, unknown>[]> {
  const rows = (await qa.reports(kind, r)) as Record<string, string | null>[];
  if (kind === 'operators') {
    return rows.map((x) => ({
      operatorId: x.operator_id, name: x.name, line: x.line, evaluations: num(x.evaluations), meanScore: num(x.mean_score),
      minScore: num(x.min_score), maxScore: num(x.max_score), criticalFailed: num(x.critical_failed),
    }));
  }
  if (kind === 'lines') return rows.map((x) => ({ line: x.line, evaluations: num(x.evaluations), meanScore: num(x.mean_score), criticalFailed: num(x.critical_failed) }));
  return rows.map((x) => ({
    formId: x.form_id, formName: x.form_name, criterionId: x.criterion_id, title: x.title, answered: num(x.answered), meanScore: num(x.mean_score), criticalFailed: num(x.critical_failed),
  }));
}
