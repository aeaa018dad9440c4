// Ticket figures, in SQL, from what tickets already record: their timeline (ticket_events, whose
// actor names the operator as "operator:<id>"), notes, the calls answered on them, and call
// events for transfers. Definitions (README, "Ticket and operator figures"):
// - handled: tickets an operator touched in the range (a change, a note, a call answered on it);
// - first response: the ticket's first_response_at minus its creation, for tickets first
//   responded to in the range, credited to the operator who touched the ticket first;
// - resolved: tickets an operator moved to resolved or closed in the range; reopened: of those,
//   the ones moved back out of resolved or closed later (by anyone);
// - escalated: tickets an operator sent to a higher line of the escalation order in the range
//   (first → second, second → third, …: moving the ticket, or a cold transfer or a handover of its
//   call to a line above the operator's); the order is the lines configuration's (LineCatalog.level),
//   given as { line: level }, so a line no longer configured counts neither way;
// - per line: tickets opened (by the line they were opened on), their SLA outcome, and the
//   backlog (not resolved or closed) at the end of each day, by the line they were on then.
//   Tickets merged into another (duplicates) are not counted.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';

const num = (v: unknown) => Number(v ?? 0);
const OPERATOR_ACTOR = '^operator:[0-9]{1,18}$';

export interface OperatorTicketFigures {
  operatorId: string;
  name: string;
  line: Line;
  handled: number;
  firstResponses: number;
  avgFirstResponseSec: number | null;
  resolved: number;
  reopened: number;
  escalated: number;
}

export async function operatorTicketFigures(db: Db, from: Date, to: Date, levels: Readonly<Record<Line, number>>): Promise<OperatorTicketFigures[]> {
  const lv = JSON.stringify(levels);
  const above = (upper: ReturnType<typeof sql>, lower: ReturnType<typeof sql>) => sql`(${lv}::jsonb ->> (${upper}))::int > (${lv}::jsonb ->> (${lower}))::int`;
  const r = await sql<{ id: string; name: string; line: Line; handled: string | null; first_responses: string | null; first_response_sec: string | null; resolved: string | null; reopened: string | null; escalated: string | null }>`
    WITH ev AS (
      SELECT substring(actor FROM 10)::bigint AS operator_id, ticket_id, kind, data, at, id
      FROM ticket_events WHERE actor ~ ${OPERATOR_ACTOR}
    ), touch AS (
      SELECT operator_id, ticket_id, at, kind <> 'created' AS responds FROM ev
      UNION ALL
      SELECT substring(author FROM 10)::bigint, ticket_id, created_at, true FROM ticket_notes WHERE author ~ ${OPERATOR_ACTOR}
      UNION ALL
      SELECT operator_id, ticket_id, answered_at, true FROM calls WHERE operator_id IS NOT NULL AND ticket_id IS NOT NULL AND answered_at IS NOT NULL
    ), handled AS (
      SELECT operator_id, count(DISTINCT ticket_id) AS n FROM touch WHERE at >= ${from} AND at < ${to} GROUP BY 1
    ), first_response AS (
      SELECT DISTINCT ON (t.id) tc.operator_id, extract(epoch FROM t.first_response_at - t.created_at) AS secs
      FROM tickets t JOIN touch tc ON tc.ticket_id = t.id AND tc.responds
      WHERE t.first_response_at >= ${from} AND t.first_response_at < ${to}
      ORDER BY t.id, tc.at
    ), fr AS (
      SELECT operator_id, count(*) AS n, avg(secs) AS secs FROM first_response GROUP BY 1
    ), resolving AS (
      SELECT operator_id, ticket_id, id FROM ev
      WHERE kind = 'status' AND data->>'to' IN ('resolved', 'closed') AND coalesce(data->>'from', '') NOT IN ('resolved', 'closed')
        AND at >= ${from} AND at < ${to}
    ), res AS (
      SELECT r.operator_id, count(DISTINCT r.ticket_id) AS resolved,
             count(DISTINCT r.ticket_id) FILTER (WHERE EXISTS (
               SELECT 1 FROM ticket_events o WHERE o.ticket_id = r.ticket_id AND o.kind = 'status' AND o.id > r.id
                 AND o.data->>'from' IN ('resolved', 'closed') AND o.data->>'to' NOT IN ('resolved', 'closed'))) AS reopened
      FROM resolving r GROUP BY 1
    ), esc AS (
      SELECT operator_id, ticket_id FROM ev
      WHERE kind = 'line' AND ${above(sql`data->>'to'`, sql`data->>'from'`)} AND at >= ${from} AND at < ${to}
      UNION
      -- A transfer names the line it left when the call core recorded it (fromLine), else it left the operator's.
      SELECT f.id, c.ticket_id
      FROM call_events ce JOIN calls c ON c.id = ce.call_id
        JOIN operators f ON ce.detail->'transfer'->>'fromOperatorId' ~ '^[0-9]{1,18}$' AND f.id = (ce.detail->'transfer'->>'fromOperatorId')::bigint
      WHERE ce.detail->'transfer' ? 'toLine' AND ${above(sql`ce.detail->'transfer'->>'toLine'`, sql`coalesce(ce.detail->'transfer'->>'fromLine', f.line)`)}
        AND c.ticket_id IS NOT NULL AND ce.at >= ${from} AND ce.at < ${to}
      UNION
      SELECT f.id, c.ticket_id
      FROM call_events ce JOIN calls c ON c.id = ce.call_id
        JOIN operators f ON f.id::text = ce.detail->'handedOver'->>'fromOperatorId'
        JOIN operators s ON s.id::text = ce.detail->'handedOver'->>'toOperatorId'
      WHERE ${above(sql`s.line`, sql`f.line`)} AND c.ticket_id IS NOT NULL AND ce.at >= ${from} AND ce.at < ${to}
    ), escn AS (
      SELECT operator_id, count(DISTINCT ticket_id) AS n FROM esc GROUP BY 1
    )
    SELECT o.id, o.name, o.line, h.n AS handled, fr.n AS first_responses, fr.secs AS first_response_sec,
           res.resolved, res.reopened, escn.n AS escalated
    FROM operators o
      LEFT JOIN handled h ON h.operator_id = o.id
      LEFT JOIN fr ON fr.operator_id = o.id
      LEFT JOIN res ON res.operator_id = o.id
      LEFT JOIN escn ON escn.operator_id = o.id
    WHERE h.n IS NOT NULL OR fr.n IS NOT NULL OR res.resolved IS NOT NULL OR escn.n IS NOT NULL
    ORDER BY o.name, o.id`.execute(db);
  return r.rows.map((x) => ({
    operatorId: String(x.id),
    name: x.name,
    line: x.line,
    handled: num(x.handled),
    firstResponses: num(x.first_responses),
    avgFirstResponseSec: x.first_response_sec === null ? null : Math.round(Number(x.first_response_sec)),
    resolved: num(x.resolved),
    reopened: num(x.reopened),
    escalated: num(x.escalated),
  }));
}

export interface LineTicketDay {
  /** The day in the line's time zone, YYYY-MM-DD. */
  day: string;
  opened: number;
  /** Of the tickets opened that day: both SLA targets met, one missed, or still running. */
  slaMet: number;
  slaBreached: number;
  slaPending: number;
  /** Tickets on the line not resolved or closed at the end of the day. */
  backlog: number;
}

// An SLA target is missed when its moment (the first response, else the resolution; the
// resolution) came after its due time, or has not come and the due time has passed.
const BREACHED = sql`((t.sla_first_due IS NOT NULL AND coalesce(t.first_response_at, t.resolved_at, now()) > t.sla_first_due)
  OR (t.sla_resolve_due IS NOT NULL AND coalesce(t.resolved_at, now()) > t.sla_resolve_due))`;

export async function lineTicketDays(db: Db, line: Line, from: Date, to: Date, timeZone: string): Promise<LineTicketDay[]> {
  const r = await sql<{ day: string; opened: string; sla_met: string; sla_breached: string; backlog: string }>`
    WITH days AS (
      SELECT to_char(d, 'YYYY-MM-DD') AS day, d AT TIME ZONE ${timeZone} AS day_start, (d + interval '1 day') AT TIME ZONE ${timeZone} AS day_end
      FROM generate_series(date_trunc('day', ${from}::timestamptz AT TIME ZONE ${timeZone}),
                           (${to}::timestamptz AT TIME ZONE ${timeZone}) - interval '1 microsecond', interval '1 day') AS d
    ), opened AS (
      SELECT t.id, t.created_at, t.first_response_at, t.resolved_at, t.sla_first_due, t.sla_resolve_due,
             coalesce((SELECT e.data->>'from' FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'line' ORDER BY e.id LIMIT 1), t.line) AS opened_line
      FROM tickets t WHERE t.created_at >= ${from} AND t.created_at < ${to} AND t.merged_into IS NULL
    ), per_day AS (
      SELECT d.day, count(t.id) AS opened,
             count(t.id) FILTER (WHERE NOT ${BREACHED} AND t.resolved_at IS NOT NULL) AS sla_met,
             count(t.id) FILTER (WHERE ${BREACHED}) AS sla_breached
      FROM days d LEFT JOIN opened t ON t.opened_line = ${line} AND t.created_at >= d.day_start AND t.created_at < d.day_end
      GROUP BY d.day
    ), backlog AS (
      -- A ticket resolved before the range (resolved_at set and kept) stayed resolved: reopening clears resolved_at.
      SELECT d.day, count(*) AS n
      FROM days d
        JOIN tickets t ON t.created_at < d.day_end AND (t.resolved_at IS NULL OR t.resolved_at >= ${from})
        CROSS JOIN LATERAL (
          SELECT coalesce(
                   (SELECT e.data->>'to' FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'line' AND e.at < d.day_end ORDER BY e.id DESC LIMIT 1),
                   (SELECT e.data->>'from' FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'line' ORDER BY e.id LIMIT 1),
                   t.line) AS line,
                 coalesce(
                   (SELECT CASE WHEN e.kind = 'merged' THEN 'closed' ELSE e.data->>'to' END FROM ticket_events e
                    WHERE e.ticket_id = t.id AND e.kind IN ('status', 'merged') AND e.at < d.day_end ORDER BY e.id DESC LIMIT 1),
                   CASE WHEN t.resolved_at < d.day_end THEN 'closed' ELSE 'new' END) AS status
        ) at_end
      WHERE at_end.line = ${line} AND at_end.status NOT IN ('resolved', 'closed')
      GROUP BY d.day
    )
    SELECT p.day, p.opened, p.sla_met, p.sla_breached, coalesce(b.n, 0) AS backlog
    FROM per_day p LEFT JOIN backlog b ON b.day = p.day
    ORDER BY p.day`.execute(db);
  return r.rows.map((x) => {
    const opened = num(x.opened);
    const slaMet = num(x.sla_met);
    const slaBreached = num(x.sla_breached);
    return { day: x.day, opened, slaMet, slaBreached, slaPending: opened - slaMet - slaBreached, backlog: num(x.backlog) };
  });
}
