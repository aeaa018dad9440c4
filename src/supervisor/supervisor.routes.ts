import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/database.js';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { EventStreamResponse, openEventStream } from '../http/event-stream.js';
import { ErrorBody, Nullable, UuidParam } from '../http/schemas.js';
import type { BusinessHours } from '../lines/business-hours.js';
import { hoursOf } from '../lines/business-hours.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { lineReport, liveCalls, listMonitorSessions, operatorReport } from './supervisor.repository.js';
import type { MonitorService } from './monitor.service.js';
import type { WallboardNotifier } from './wallboard.notifier.js';
import type { WallboardService } from './wallboard.service.js';
import { LineName, lineNames } from '../lines/line-names.routes.js';

const Range = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: a spreadsheet-ready file' })),
  },
  { additionalProperties: false },
);

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab or CR before one) gets a
 * leading apostrophe (OWASP's CSV-injection rule): an operator name or a ticket subject such as
 * "=HYPERLINK(…)" stays text when a supervisor opens the export. Numbers are left alone.
 */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** CSV with a header row (csv-stringify: quoting as RFC 4180), formulas neutralised. */
export function toCsv(rows: Record<string, unknown>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  return stringify(rows, {
    header: true,
    columns: columns.length ? columns : undefined,
    cast: { string: neutraliseFormula, object: (v) => neutraliseFormula(JSON.stringify(v)), date: (d) => d.toISOString(), boolean: (b) => String(b) },
  });
}

const csv = (reply: FastifyReply, name: string, rows: Record<string, unknown>[]) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(rows));

export const supervisorRoutes =
  (db: Db, board: WallboardService, boards: WallboardNotifier, monitors: MonitorService, hours: () => BusinessHours, lines: LineCatalog): FastifyPluginAsyncTypebox =>
  async (app) => {
    const sup = requireRole('admin', 'supervisor');

    app.get(
      '/supervisor/lines',
      {
        preHandler: sup,
        schema: {
          summary: "The configured lines in their order, with their names in both languages and the escalation order (the supervisor pages' columns and pickers)",
          response: {
            200: Type.Object({
              lines: Type.Array(Type.Object({ ...LineName.properties, level: Type.Integer({ description: '0: the bottom of the escalation order' }) })),
            }),
          },
        },
      },
      async () => ({ lines: lineNames(lines).map((l) => ({ ...l, level: lines.level(l.id) })) }),
    );

    app.get('/supervisor/wallboard', { preHandler: sup, schema: { summary: 'The wallboard now (the same as the events stream pushes)', response: { 200: Type.Unknown() } } }, async () =>
      board.snapshot(),
    );

    app.get(
      '/supervisor/events',
      {
        preHandler: sup,
        schema: {
          summary: 'The wallboard, pushed as Server-Sent Events (event: wallboard) whenever a call or an operator changes',
          response: { 200: EventStreamResponse },
        },
      },
      async (req, reply) => {
        openEventStream(req, reply, (stream) => boards.attach(stream));
      },
    );

    app.get(
      '/supervisor/calls',
      {
        preHandler: sup,
        schema: {
          summary: 'Calls in progress',
          response: {
            200: Type.Object({
              calls: Type.Array(
                Type.Object({
                  id: Type.String(), callerNumber: Nullable(Type.String()), line: Nullable(Type.String()), status: Type.String(), enteredAt: Type.String(),
                  answeredAt: Nullable(Type.String()), operatorId: Nullable(Type.String()), operatorName: Nullable(Type.String()), verification: Type.String(), ticketId: Nullable(Type.String()),
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        calls: (await liveCalls(db)).map((c) => ({
          id: c.id, callerNumber: c.caller_number, line: c.line, status: c.status, enteredAt: c.entered_at.toISOString(), answeredAt: c.answered_at?.toISOString() ?? null,
          operatorId: c.operator_id, operatorName: c.operator_name, verification: c.verification_status, ticketId: c.ticket_id,
        })),
      }),
    );

    const MonitorDto = Type.Object({ id: Type.String(), callId: Type.String(), supervisorId: Type.String(), mode: Type.String(), startedAt: Type.String(), endedAt: Nullable(Type.String()) });
    app.post(
      '/supervisor/calls/:id/monitor',
      {
        preHandler: sup,
        schema: {
          summary: "Listen to, whisper into or barge into a call: the supervisor's phone rings (audited)",
          params: UuidParam,
          body: Type.Object({ mode: Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')]) }, { additionalProperties: false, examples: [{ mode: 'listen' }] }),
          response: { 202: MonitorDto, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        const m = await monitors.start(principalOf(req), req.params.id, req.body.mode);
        return reply.code(202).send({ id: m.id, callId: m.call_id, supervisorId: m.supervisor_id, mode: m.mode, startedAt: m.started_at.toISOString(), endedAt: null });
      },
    );

    app.get(
      '/supervisor/calls/:id/monitors',
      { preHandler: sup, schema: { summary: 'Who monitored a call, how and when (audit)', params: UuidParam, response: { 200: Type.Object({ sessions: Type.Array(Type.Intersect([MonitorDto, Type.Object({ supervisorName: Type.String() })])) }) } } },
      async (req) => ({
        sessions: (await listMonitorSessions(db, req.params.id)).map((m) => ({
          id: m.id, callId: m.call_id, supervisorId: m.supervisor_id, supervisorName: m.supervisor_name, mode: m.mode, startedAt: m.started_at.toISOString(), endedAt: m.ended_at?.toISOString() ?? null,
        })),
      }),
    );

    app.get(
      '/supervisor/reports/operators',
      { preHandler: sup, schema: { summary: 'Per operator: calls handled, average answer and handle time, missed, pause time by reason, satisfaction', querystring: Range, response: { 200: Type.Unknown() } } },
      async (req, reply) => {
        const rows = await operatorReport(db, new Date(req.query.from), new Date(req.query.to));
        if (req.query.format === 'csv') {
          return csv(reply, 'operators', rows.map(({ pauseSecByReason, ...r }) => ({ ...r, pauseBreakSec: pauseSecByReason.break ?? 0, pauseTrainingSec: pauseSecByReason.training ?? 0, pauseMissedSec: pauseSecByReason.missed ?? 0, pauseOtherSec: pauseSecByReason.other ?? 0 })));
        }
        return { from: req.query.from, to: req.query.to, operators: rows };
      },
    );

    app.get(
      '/supervisor/reports/lines',
      { preHandler: sup, schema: { summary: 'Per line: service level, abandonment, handle time, calls by hour of day and weekday (for staffing)', querystring: Range, response: { 200: Type.Unknown() } } },
      async (req, reply) => {
        const rows = await lineReport(db, new Date(req.query.from), new Date(req.query.to), board.serviceLevelSecs(), lines.ids(), (line) => hoursOf(hours(), line).timeZone);
        const withRates = rows.map((r) => ({ ...r, name: lines.get(r.line)?.name ?? { ru: r.line, en: r.line }, serviceLevel: r.offered ? r.answeredInTarget / r.offered : null, abandonRate: r.offered ? r.abandoned / r.offered : null }));
        if (req.query.format === 'csv') {
          return csv(reply, 'lines', withRates.map(({ byHour, byWeekday, name: _name, ...r }) => ({ ...r, ...Object.fromEntries(byHour.map((n, h) => [`h${String(h).padStart(2, '0')}`, n])), ...Object.fromEntries(byWeekday.map((n, d) => [`dow${d + 1}`, n])) })));
        }
        return { from: req.query.from, to: req.query.to, serviceLevelSec: board.serviceLevelSec, lines: withRates };
      },
    );
  };
