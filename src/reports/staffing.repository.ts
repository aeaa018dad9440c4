// What the staffing plan counts, in SQL: calls that queued on a line and operators signed in,
// by ISO weekday and hour of the line's time zone. Definitions as in supervisor.repository.ts:
// handle time is talk time (answered to ended); a call counts for the line it is on now (a call
// transferred to the second line counts there, at the time it first queued). An operator signed
// in counts for every line they serve (operators.lines): each of those lines could have had them.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { LineCounts, SlotCounts } from './staffing-plan.js';

const num = (v: unknown) => Number(v ?? 0);

/** The plan's window: `weeks` whole weeks up to the start of the hour `until` falls in (line's time zone). */
export async function staffingWindow(db: Db, until: Date, weeks: number, timeZone: string): Promise<{ from: Date; to: Date }> {
  const r = await sql<{ from: Date; to: Date }>`
    SELECT t - make_interval(days => ${weeks * 7}) AS "from", t AS "to"
    FROM (SELECT date_trunc('hour', ${until}::timestamptz AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone} AS t) x`.execute(db);
  const row = r.rows[0] as { from: Date; to: Date };
  return { from: new Date(row.from), to: new Date(row.to) };
}

/** Calls and operators of one line in [from, to), per weekday-hour, and the line's totals. */
export async function staffingCounts(db: Db, line: Line, from: Date, to: Date, timeZone: string): Promise<{ totals: LineCounts; slots: SlotCounts[] }> {
  const calls = await sql<{ weekday: number; hour: number; calls: string; handled: string; handle_sec: string; waited: string; wait_sec: string; abandoned: string }>`
    SELECT extract(isodow FROM queued_at AT TIME ZONE ${timeZone})::int AS weekday,
           extract(hour FROM queued_at AT TIME ZONE ${timeZone})::int AS hour,
           count(*) AS calls,
           count(*) FILTER (WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL) AS handled,
           coalesce(sum(extract(epoch FROM ended_at - answered_at)) FILTER (WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL), 0) AS handle_sec,
           count(*) FILTER (WHERE answered_at IS NOT NULL OR (status = 'abandoned' AND ended_at IS NOT NULL)) AS waited,
           coalesce(sum(extract(epoch FROM coalesce(answered_at, ended_at) - queued_at))
             FILTER (WHERE answered_at IS NOT NULL OR (status = 'abandoned' AND ended_at IS NOT NULL)), 0) AS wait_sec,
           count(*) FILTER (WHERE status = 'abandoned' AND answered_at IS NULL) AS abandoned
    FROM calls
    WHERE line = ${line} AND queued_at >= ${from} AND queued_at < ${to}
    GROUP BY 1, 2`.execute(db);
  // Each state lasts until the operator's next change (or now); every span but "offline" is
  // signed in. Spans are clipped to the window and cut at the hours of the line's time zone.
  const signedIn = await sql<{ weekday: number; hour: number; secs: string }>`
    WITH h AS (
      SELECT s.to_state, s.at, lead(s.at) OVER (PARTITION BY s.operator_id ORDER BY s.at, s.id) AS next_at
      FROM operator_state_history s JOIN operators o ON o.id = s.operator_id
      WHERE ${line} = ANY (o.lines) AND s.at < ${to}
    ), spans AS (
      SELECT greatest(at, ${from}::timestamptz) AT TIME ZONE ${timeZone} AS a,
             least(coalesce(next_at, now()), ${to}::timestamptz) AT TIME ZONE ${timeZone} AS b
      FROM h WHERE to_state <> 'offline' AND coalesce(next_at, now()) > ${from}
    )
    SELECT extract(isodow FROM hs)::int AS weekday, extract(hour FROM hs)::int AS hour,
           sum(extract(epoch FROM least(b, hs + interval '1 hour') - greatest(a, hs))) AS secs
    FROM spans, generate_series(date_trunc('hour', a), b, interval '1 hour') AS hs
    WHERE b > a AND hs < b
    GROUP BY 1, 2`.execute(db);
  const slots = new Map<string, SlotCounts>();
  const slot = (weekday: number, hour: number) => {
    const key = `${weekday}:${hour}`;
    const s = slots.get(key) ?? { weekday, hour, calls: 0, handled: 0, handleSecSum: 0, operatorSec: 0 };
    slots.set(key, s);
    return s;
  };
  const totals: LineCounts = { handled: 0, handleSecSum: 0, waited: 0, waitSecSum: 0, abandoned: 0 };
  for (const r of calls.rows) {
    const s = slot(r.weekday, r.hour);
    s.calls = num(r.calls);
    s.handled = num(r.handled);
    s.handleSecSum = num(r.handle_sec);
    totals.handled += s.handled;
    totals.handleSecSum += s.handleSecSum;
    totals.waited += num(r.waited);
    totals.waitSecSum += num(r.wait_sec);
    totals.abandoned += num(r.abandoned);
  }
  for (const r of signedIn.rows) slot(r.weekday, r.hour).operatorSec = num(r.secs);
  return { totals, slots: [...slots.values()] };
}
