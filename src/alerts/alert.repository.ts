// Alerts and their thresholds in Postgres (migration 0019), and the windowed figures the
// evaluator reads: service level and abandonment over a window, paused operators, overdue
// tickets. The tables are not in the shared Database type: plain SQL, kept here.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { PauseReason } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import type { AlertKind, AlertThresholds, Condition } from './alert-rules.js';
import { DEFAULT_THRESHOLDS } from './alert-rules.js';

export interface AlertRow {
  id: string;
  kind: AlertKind;
  line: Line;
  subject: string;
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
  raised_at: Date;
  cleared_at: Date | null;
}

interface ThresholdRow {
  line: Line;
  longest_wait_sec: number | null;
  service_level_min: number | null;
  sla_overdue_sec: number | null;
  pause_max_sec: Partial<Record<PauseReason, number>>;
  abandon_rate_max: number | null;
  abandon_window_min: number;
  min_calls: number;
  updated_at: Date;
  updated_by: string;
}

export interface LineThresholds extends AlertThresholds {
  line: Line;
  /** null: the defaults, never set for this line. */
  updatedAt: Date | null;
  updatedBy: string | null;
}

const num = (v: unknown) => Number(v ?? 0);

/** Each of `lines` (the configured ones), with the defaults where none were set. */
export async function getThresholds(db: Db, lines: readonly Line[]): Promise<LineThresholds[]> {
  const rows = (await sql<ThresholdRow>`SELECT * FROM alert_thresholds`.execute(db)).rows;
  return lines.map((line) => {
    const r = rows.find((x) => x.line === line);
    if (!r) return { line, ...DEFAULT_THRESHOLDS, pauseMaxSec: { ...DEFAULT_THRESHOLDS.pauseMaxSec }, updatedAt: null, updatedBy: null };
    return {
      line,
      longestWaitSec: r.longest_wait_sec,
      serviceLevelMin: r.service_level_min,
      slaOverdueSec: r.sla_overdue_sec,
      pauseMaxSec: r.pause_max_sec,
      abandonRateMax: r.abandon_rate_max,
      abandonWindowMin: r.abandon_window_min,
      minCalls: r.min_calls,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    };
  });
}

export async function upsertThresholds(db: Db, line: Line, t: AlertThresholds, by: string): Promise<void> {
  await sql`
    INSERT INTO alert_thresholds (line, longest_wait_sec, service_level_min, sla_overdue_sec, pause_max_sec, abandon_rate_max, abandon_window_min, min_calls, updated_by)
    VALUES (${line}, ${t.longestWaitSec}, ${t.serviceLevelMin}, ${t.slaOverdueSec}, ${JSON.stringify(t.pauseMaxSec)}::jsonb, ${t.abandonRateMax}, ${t.abandonWindowMin}, ${t.minCalls}, ${by})
    ON CONFLICT (line) DO UPDATE SET
      longest_wait_sec = excluded.longest_wait_sec, service_level_min = excluded.service_level_min, sla_overdue_sec = excluded.sla_overdue_sec,
      pause_max_sec = excluded.pause_max_sec, abandon_rate_max = excluded.abandon_rate_max, abandon_window_min = excluded.abandon_window_min,
      min_calls = excluded.min_calls, updated_at = now(), updated_by = excluded.updated_by`.execute(db);
}

const ALERT_COLUMNS = sql`id::text AS id, kind, line, subject, value, threshold, detail, raised_at, cleared_at`;

export async function listOpenAlerts(db: Db): Promise<AlertRow[]> {
  return (await sql<AlertRow>`SELECT ${ALERT_COLUMNS} FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at, id`.execute(db)).rows;
}

export async function listAlertHistory(db: Db, f: { from: Date; to: Date; line?: Line; kind?: AlertKind; limit: number }): Promise<AlertRow[]> {
  const r = await sql<AlertRow>`
    SELECT ${ALERT_COLUMNS} FROM alerts
    WHERE raised_at >= ${f.from} AND raised_at < ${f.to}
      AND (${f.line ?? null}::text IS NULL OR line = ${f.line ?? null})
      AND (${f.kind ?? null}::text IS NULL OR kind = ${f.kind ?? null})
    ORDER BY raised_at DESC, id DESC LIMIT ${f.limit}`.execute(db);
  return r.rows;
}

/** The alert, open from now; undefined when one is open already (raised by another instance). */
export async function insertOpenAlert(db: Db, c: Condition): Promise<AlertRow | undefined> {
  const r = await sql<AlertRow>`
    INSERT INTO alerts (kind, line, subject, value, threshold, detail)
    VALUES (${c.kind}, ${c.line}, ${c.subject}, ${c.value}, ${c.threshold}, ${JSON.stringify(c.detail)}::jsonb)
    ON CONFLICT (kind, line, subject) WHERE cleared_at IS NULL DO NOTHING
    RETURNING ${ALERT_COLUMNS}`.execute(db);
  return r.rows[0];
}

/** Clears an open alert; undefined when it was cleared already (by another instance). */
export async function clearOpenAlert(db: Db, id: string): Promise<AlertRow | undefined> {
  const r = await sql<AlertRow>`
    UPDATE alerts SET cleared_at = greatest(now(), raised_at) WHERE id = ${id} AND cleared_at IS NULL
    RETURNING ${ALERT_COLUMNS}`.execute(db);
  return r.rows[0];
}

export interface WindowStats {
  line: Line;
  offered: number;
  inTarget: number;
  abandoned: number;
}

/**
 * Per line, calls queued since `since` that were answered or abandoned (the wallboard's
 * definitions, supervisor.repository.ts). entered_at bounds the scan through its index: a
 * caller queued in the window entered at most hours before it.
 */
export async function windowStats(db: Db, since: Date, slSec: number, lines: readonly Line[]): Promise<WindowStats[]> {
  const r = await sql<{ line: Line; answered: string; in_target: string; abandoned: string }>`
    SELECT line,
      count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
      count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at - queued_at <= make_interval(secs => ${slSec})) AS in_target,
      count(*) FILTER (WHERE status = 'abandoned' AND answered_at IS NULL) AS abandoned
    FROM calls
    WHERE line IS NOT NULL AND queued_at >= ${since} AND entered_at >= ${since}::timestamptz - interval '6 hours'
    GROUP BY line`.execute(db);
  return lines.map((line) => {
    const x = r.rows.find((y) => y.line === line);
    return { line, offered: num(x?.answered) + num(x?.abandoned), inTarget: num(x?.in_target), abandoned: num(x?.abandoned) };
  });
}

export async function pausedOperators(db: Db): Promise<{ id: string; name: string; line: Line; reason: string | null; since: Date }[]> {
  const r = await sql<{ id: string; name: string; line: Line; reason: string | null; since: Date }>`
    SELECT id::text AS id, name, line, state_reason AS reason, state_changed_at AS since FROM operators WHERE state = 'paused'`.execute(db);
  return r.rows;
}

export interface OverdueTicket {
  ticketId: string;
  number: string;
  line: Line;
  target: 'first_response' | 'resolution';
  due: Date;
}

/**
 * Tickets past a due time they have not met, per line the `perLine` most recently due, plus
 * those in `alsoIds` (tickets with an open alert, so that it clears only when the ticket is
 * handled, not when newer ones push it out of the first `perLine`).
 */
export async function overdueTickets(db: Db, now: Date, perLine: number, alsoIds: readonly string[]): Promise<OverdueTicket[]> {
  const r = await sql<{ id: string; number: string; line: Line; target: 'first_response' | 'resolution'; due: Date }>`
    WITH due AS (
      SELECT id, number, line, 'first_response' AS target, sla_first_due AS due FROM tickets
      WHERE first_response_at IS NULL AND status NOT IN ('resolved', 'closed') AND sla_first_due <= ${now}
      UNION ALL
      SELECT id, number, line, 'resolution', sla_resolve_due FROM tickets
      WHERE resolved_at IS NULL AND status NOT IN ('resolved', 'closed') AND sla_resolve_due <= ${now}
    ), ranked AS (
      SELECT *, row_number() OVER (PARTITION BY line ORDER BY due DESC) AS n FROM due WHERE line IS NOT NULL
    )
    SELECT id::text AS id, number::text AS number, line, target, due FROM ranked
    WHERE n <= ${perLine} OR id::text = ANY(${[...alsoIds]}::text[])`.execute(db);
  return r.rows.map((x) => ({ ticketId: x.id, number: x.number, line: x.line, target: x.target, due: x.due }));
}
