// The staffing plan and the ticket figures, next to the supervisor reports (same access rule:
// supervisors and admins; same CSV). Thin: SQL in the repositories, arithmetic in staffing-plan.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/database.js';
import { InvalidValueError } from '../errors.js';
import { requireRole } from '../http/auth.hook.js';
import { hoursOf, type BusinessHours } from '../lines/business-hours.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { Line } from '../vocabulary.js';
import { toCsv } from '../supervisor/supervisor.routes.js';
import { planLine, targetOf, type ServiceTargets } from './staffing-plan.js';
import { staffingCounts, staffingWindow } from './staffing.repository.js';
import { lineTicketDays, operatorTicketFigures } from './ticket-figures.repository.js';

const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: a spreadsheet-ready file' }));
const Range = Type.Object(
  { from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), format: Format },
  { additionalProperties: false },
);
const StaffingQuery = Type.Object(
  {
    weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 26, default: 4, description: 'How many past weeks the forecast averages' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'The end of the weeks looked at (default: now), cut to the start of its hour' })),
    format: Format,
  },
  { additionalProperties: false },
);

/** A ticket report's range: from before to, a year at most (each day is a row). */
const MAX_RANGE_DAYS = 366;
function range(q: { from: string; to: string }): { from: Date; to: Date } {
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (!(from < to)) throw new InvalidValueError('"from" must be before "to"');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw new InvalidValueError(`a range of ${MAX_RANGE_DAYS} days at most`);
  return { from, to };
}

const csv = (reply: FastifyReply, name: string, rows: Record<string, unknown>[]) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(rows));

export const reportRoutes =
  (db: Db, hours: () => BusinessHours, targets: ServiceTargets, catalog: LineCatalog): FastifyPluginAsyncTypebox =>
  async (app) => {
    const sup = requireRole('admin', 'supervisor');
    const zone = (line: Line) => hoursOf(hours(), line).timeZone;
    const name = (line: Line) => catalog.get(line)?.name ?? { ru: line, en: line };

    app.get(
      '/supervisor/reports/staffing',
      {
        preHandler: sup,
        schema: {
          summary: "Staffing plan per line, ISO weekday and hour (the line's time zone): forecast calls, operators needed by Erlang C (and Erlang A), operators signed in",
          querystring: StaffingQuery,
          response: { 200: Type.Unknown() },
        },
      },
      async (req, reply) => {
        const weeks = req.query.weeks ?? 4;
        const until = req.query.until ? new Date(req.query.until) : new Date();
        const lines = await Promise.all(
          catalog.ids().map(async (line) => {
            const window = await staffingWindow(db, until, weeks, zone(line));
            const counts = await staffingCounts(db, line, window.from, window.to, zone(line));
            return { ...planLine(line, targetOf(targets, line), zone(line), weeks, counts.totals, counts.slots), name: name(line), from: window.from.toISOString(), to: window.to.toISOString() };
          }),
        );
        if (req.query.format === 'csv') {
          return csv(reply, 'staffing', lines.flatMap((l) => l.slots.map((s) => ({
            line: l.line, weekday: s.weekday, hour: s.hour, forecastCalls: s.forecastCalls, handleSec: s.handleSec,
            neededErlangC: s.neededErlangC, neededErlangA: s.neededErlangA, loggedIn: s.loggedIn,
            targetPercent: Math.round(l.target.share * 100), targetSec: l.target.withinSec,
          }))));
        }
        return { weeks, lines };
      },
    );

    app.get(
      '/supervisor/reports/ticket-operators',
      {
        preHandler: sup,
        schema: { summary: 'Per operator: tickets handled, first-response time, resolved, reopened, escalated to a higher line', querystring: Range, response: { 200: Type.Unknown() } },
      },
      async (req, reply) => {
        const { from, to } = range(req.query);
        const operators = await operatorTicketFigures(db, from, to, Object.fromEntries(catalog.ids().map((l) => [l, catalog.level(l)])));
        if (req.query.format === 'csv') return csv(reply, 'ticket-operators', operators.map((o) => ({ ...o })));
        return { from: from.toISOString(), to: to.toISOString(), operators };
      },
    );

    app.get(
      '/supervisor/reports/ticket-lines',
      {
        preHandler: sup,
        schema: { summary: "Per line and day (the line's time zone): tickets opened, SLA met and missed, backlog at the day's end", querystring: Range, response: { 200: Type.Unknown() } },
      },
      async (req, reply) => {
        const { from, to } = range(req.query);
        const lines = await Promise.all(
          catalog.ids().map(async (line) => {
            const days = await lineTicketDays(db, line, from, to, zone(line));
            const opened = days.reduce((s, d) => s + d.opened, 0);
            const met = days.reduce((s, d) => s + d.slaMet, 0);
            const breached = days.reduce((s, d) => s + d.slaBreached, 0);
            return {
              line,
              name: name(line),
              opened,
              openedPerDay: days.length ? Math.round((opened / days.length) * 10) / 10 : 0,
              slaMet: met,
              slaBreached: breached,
              slaPending: opened - met - breached,
              // Of the tickets whose SLA is decided (met or missed); pending ones are left out.
              slaMetPercent: met + breached ? Math.round((met / (met + breached)) * 1000) / 10 : null,
              backlog: days.at(-1)?.backlog ?? 0,
              days,
            };
          }),
        );
        if (req.query.format === 'csv') return csv(reply, 'ticket-lines', lines.flatMap((l) => l.days.map((d) => ({ line: l.line, ...d }))));
        return { from: from.toISOString(), to: to.toISOString(), lines };
      },
    );
  };
