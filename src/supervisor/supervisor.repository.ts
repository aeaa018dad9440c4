// What the supervisor pages count, in SQL. Definitions (the same on the wallboard and in reports):
// - offered: calls that entered a line's queue and got an outcome there: answered, or abandoned
//   while waiting (a caller who chose a callback is neither; the callback is counted on its own);
// - service level: answered within the line's seconds (lines.json serviceLevel, else
//   SERVICE_LEVEL_SEC) of queueing / offered;
// - abandonment: abandoned while queued / offered;
// - handle time: talk time, from the operator answering to the call ending.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import { OPEN_CALLBACK_STATUSES } from '../callbacks/callback.table.js';

/** Answered within how many seconds counts for the service level: per line, else the default (SERVICE_LEVEL_SEC). */
export interface ServiceLevelSecs {
  default: number;
  byLine: Readonly<Record<Line, number>>;
}

export interface LineStats {
  line: Line;
  /** The seconds this line's service level was counted with. */
  serviceLevelSec: number;
  waiting: number;
  oldestQueuedAt: Date | null;
  callbacksPending: number;
  offered: number;
  answered: number;
  answeredInTarget: number;
  abandoned: number;
  avgHandleSec: number | null;
}

const num = (v: unknown) => Number(v ?? 0);

/** Today's figures of `lines` (the configured ones, in their order) since `since`. */
export async function lineStats(db: Db, since: Date, slSec: number | ServiceLevelSecs, lines: readonly Line[]): Promise<LineStats[]> {
  const waiting = await db
    .selectFrom('calls')
    .select(['line', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('queued_at').as('oldest')])
    .where('status', '=', 'queued')
    .where('line', 'is not', null)
    .groupBy('line')
    .execute();
  const cb = await db
    .selectFrom('callbacks')
    .select(['line', (eb) => eb.fn.countAll<string>().as('n')])
    .where('status', 'in', OPEN_CALLBACK_STATUSES)
    .groupBy('line')
    .execute();
  const today = await lineStatsBetween(db, since, new Date(Date.now() + 86_400_000), slSec, lines);
  return today.map((t) => {
    const w = waiting.find((x) => x.line === t.line);
    return { ...t, waiting: num(w?.n), oldestQueuedAt: w?.oldest ? new Date(w.oldest) : null, callbacksPending: num(cb.find((x) => x.line === t.line)?.n) };
  });
}

/** Calls in progress (a day at most: older rows are leftovers of a crash, reclaimed on connect). */
export async function liveCalls(db: Db) {
  return db
    .selectFrom('calls')
    .leftJoin('operators', 'operators.id', 'calls.operator_id')
    .select(['calls.id', 'calls.caller_number', 'calls.line', 'calls.status', 'calls.entered_at', 'calls.queued_at', 'calls.answered_at', 'calls.operator_id', 'operators.name as operator_name', 'calls.verification_status', 'calls.ticket_id'])
    .where('calls.status', 'in', ['ivr', 'queued', 'ringing', 'dialling', 'bridged'])
    .where('calls.entered_at', '>', sql<Date>`now() - interval '1 day'`)
    .orderBy('calls.entered_at')
    .limit(500)
    .execute();
}

export interface OperatorReportRow {
  operatorId: string;
  name: string;
  line: string;
  handled: number;
  avgAnswerSec: number | null;
  avgHandleSec: number | null;
  missed: number;
  pauseSecByReason: Record<string, number>;
  satisfaction: number | null;
}

export async function operatorReport(db: Db, from: Date, to: Date): Promise<OperatorReportRow[]> {
  const calls = await db
    .selectFrom('operators')
    .leftJoin('calls', (j) => j.onRef('calls.operator_id', '=', 'operators.id').on('calls.answered_at', '>=', from).on('calls.answered_at', '<', to))
    .select([
      'operators.id',
      'operators.name',
      'operators.line',
      sql<string>`count(calls.id)`.as('handled'),
      sql<string | null>`avg(extract(epoch FROM calls.answered_at - calls.queued_at))`.as('asa'),
      sql<string | null>`avg(extract(epoch FROM calls.ended_at - calls.answered_at)) FILTER (WHERE calls.ended_at IS NOT NULL)`.as('aht'),
      sql<string | null>`avg(calls.survey_score)`.as('csat'),
    ])
    .groupBy(['operators.id', 'operators.name', 'operators.line'])
    .orderBy('operators.name')
    .execute();
  // Each state lasts until the next change: pauses are summed per reason, clipped to the range.
  const states = await sql<{ operator_id: string; reason: string | null; to_state: string; secs: string }>`
    SELECT operator_id, to_state, reason,
           sum(extract(epoch FROM least(coalesce(next_at, now()), ${to}::timestamptz) - greatest(at, ${from}::timestamptz))) AS secs
    FROM (SELECT operator_id, to_state, reason, at, lead(at) OVER (PARTITION BY operator_id ORDER BY at, id) AS next_at
          FROM operator_state_history WHERE at < ${to}) h
    WHERE coalesce(next_at, now()) > ${from} AND to_state = 'paused'
    GROUP BY operator_id, to_state, reason`.execute(db);
  const missed = await db
    .selectFrom('operator_state_history')
    .select(['operator_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('to_state', '=', 'paused')
    .where('reason', '=', 'missed')
    .where('at', '>=', from)
    .where('at', '<', to)
    .groupBy('operator_id')
    .execute();
  return calls.map((c) => {
    const pauses: Record<string, number> = {};
    for (const s of states.rows.filter((x) => x.operator_id === c.id)) pauses[s.reason ?? 'other'] = Math.round(Number(s.secs));
    return {
      operatorId: c.id,
      name: c.name,
      line: c.line,
      handled: num(c.handled),
      avgAnswerSec: c.asa === null ? null : Math.round(Number(c.asa)),
      avgHandleSec: c.aht === null ? null : Math.round(Number(c.aht)),
      missed: num(missed.find((m) => m.operator_id === c.id)?.n),
      pauseSecByReason: pauses,
      satisfaction: c.csat === null ? null : Math.round(Number(c.csat) * 10) / 10,
    };
  });
}

export interface LineReportRow {
  line: Line;
  offered: number;
  answered: number;
  answeredInTarget: number;
  abandoned: number;
  avgHandleSec: number | null;
  /** Calls entering the line, by hour of day (0-23) and by ISO weekday (1 Monday - 7 Sunday), in `timeZone`. */
  byHour: number[];
  byWeekday: number[];
}

/**
 * The configured lines in their order, each counted on its own clock (`timeZone(line)`), then any
 * other line that had calls in the range (a line since removed from the configuration): its
 * calls are history a report must not drop. Such a line is counted on the first line's clock.
 */
export async function lineReport(db: Db, from: Date, to: Date, slSec: number | ServiceLevelSecs, lines: readonly Line[], timeZone: (line: Line) => string): Promise<LineReportRow[]> {
  const totals = await lineStatsBetween(db, from, to, slSec, lines, true);
  const zoneOf = (line: Line) => timeZone(lines.includes(line) ? line : (lines[0] ?? line));
  // One scan per distinct clock (usually one for all lines).
  const zones = [...new Set(totals.map((t) => zoneOf(t.line)))];
  const dists = await Promise.all(
    zones.map(async (zone) => {
      const r = await sql<{ line: Line; hour: number; dow: number; n: string }>`
        SELECT line, extract(hour FROM queued_at AT TIME ZONE ${zone})::int AS hour,
               extract(isodow FROM queued_at AT TIME ZONE ${zone})::int AS dow, count(*) AS n
        FROM calls WHERE line IS NOT NULL AND queued_at >= ${from} AND queued_at < ${to}
        GROUP BY 1, 2, 3`.execute(db);
      return r.rows;
    }),
  );
  return totals.map((t) => {
    const byHour = Array.from({ length: 24 }, () => 0);
    const byWeekday = Array.from({ length: 7 }, () => 0);
    const dist = dists[zones.indexOf(zoneOf(t.line))] ?? [];
    for (const d of dist.filter((x) => x.line === t.line)) {
      byHour[d.hour] = (byHour[d.hour] ?? 0) + num(d.n);
      byWeekday[d.dow - 1] = (byWeekday[d.dow - 1] ?? 0) + num(d.n);
    }
    return { ...t, byHour, byWeekday };
  });
}

/** Per line of `lines` (zeros for one without calls); with `others`, lines outside it that had calls follow. */
async function lineStatsBetween(db: Db, from: Date, to: Date, sl: number | ServiceLevelSecs, lines: readonly Line[], others = false) {
  const slSec: ServiceLevelSecs = typeof sl === 'number' ? { default: sl, byLine: {} } : sl;
  const rows = await db
    .selectFrom('calls')
    .select([
      'line',
      sql<string>`count(*) FILTER (WHERE answered_at IS NOT NULL)`.as('answered'),
      sql<string>`count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at - queued_at <= make_interval(secs => coalesce((${JSON.stringify(slSec.byLine)}::jsonb ->> line)::int, ${slSec.default})))`.as('in_target'),
      sql<string>`count(*) FILTER (WHERE status = 'abandoned' AND answered_at IS NULL)`.as('abandoned'),
      sql<string | null>`avg(extract(epoch FROM ended_at - answered_at)) FILTER (WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL)`.as('aht'),
    ])
    .where('line', 'is not', null)
    .where('queued_at', '>=', from)
    .where('queued_at', '<', to)
    .groupBy('line')
    .execute();
  const extra = others ? [...new Set(rows.map((r) => r.line).filter((l): l is Line => l !== null && !lines.includes(l)))].sort() : [];
  return [...lines, ...extra].map((line) => {
    const r = rows.find((x) => x.line === line);
    const answered = num(r?.answered);
    const abandoned = num(r?.abandoned);
    return {
      line,
      serviceLevelSec: slSec.byLine[line] ?? slSec.default,
      offered: answered + abandoned,
      answered,
      answeredInTarget: num(r?.in_target),
      abandoned,
      avgHandleSec: r?.aht === null || r?.aht === undefined ? null : Math.round(Number(r.aht)),
    };
  });
}

export async function insertMonitorSession(db: Db, m: { callId: string; supervisorId: string; mode: 'listen' | 'whisper' | 'barge'; snoopChannel: string }) {
  return db
    .insertInto('monitor_sessions')
    .values({ call_id: m.callId, supervisor_id: m.supervisorId, mode: m.mode, snoop_channel: m.snoopChannel })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function endMonitorSession(db: Db, snoopChannel: string): Promise<void> {
  await db.updateTable('monitor_sessions').set({ ended_at: new Date() }).where('snoop_channel', '=', snoopChannel).where('ended_at', 'is', null).execute();
}

export async function listMonitorSessions(db: Db, callId: string) {
  return db
    .selectFrom('monitor_sessions')
    .innerJoin('operators', 'operators.id', 'monitor_sessions.supervisor_id')
    .selectAll('monitor_sessions')
    .select('operators.name as supervisor_name')
    .where('call_id', '=', callId)
    .orderBy('started_at')
    .execute();
}
