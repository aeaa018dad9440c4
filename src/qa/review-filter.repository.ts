// Review filters in SQL: the saved filters, and the calls a filter finds on its line in a date
// range (by the call's entered_at), each with whether it has been evaluated (any evaluation: a
// corrected one still counts its call once), its recording if it has one, and the figures the
// kinds look at. Paged; the totals count every call found, not just the page.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import { wholeWeeks, type ReviewFilterSpec } from './review-filter.js';
import type { ReviewFilterRow, ReviewFilterTables } from './review-filter.table.js';

const q = (db: Db) => (db as Kysely<Database>).withTables<ReviewFilterTables>();

// ---- saved filters ----------------------------------------------------------------------------

export async function insertReviewFilter(db: Db, f: { name: string; line: Line; spec: ReviewFilterSpec; createdBy: string }): Promise<ReviewFilterRow> {
  return q(db)
    .insertInto('review_filters')
    .values({ name: f.name, line: f.line, kind: f.spec.kind, params: JSON.stringify(f.spec.params), created_by: f.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The filters of the given lines (all lines: undefined), by line and name. */
export async function listReviewFilters(db: Db, lines?: readonly Line[]): Promise<ReviewFilterRow[]> {
  let query = q(db).selectFrom('review_filters').selectAll();
  if (lines) query = query.where('line', 'in', lines.length ? [...lines] : ['-' as Line]);
  return query.orderBy('line').orderBy('name').orderBy('id').execute();
}

export async function findReviewFilter(db: Db, id: string): Promise<ReviewFilterRow | undefined> {
  return q(db).selectFrom('review_filters').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteReviewFilter(db: Db, id: string): Promise<boolean> {
  const r = await q(db).deleteFrom('review_filters').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- what a filter finds ----------------------------------------------------------------------

export interface ReviewRun {
  spec: ReviewFilterSpec;
  line: Line;
  from: Date;
  to: Date;
}

/** The hold events the call core writes on call_events: detail {hold: true} then {hold: false}. */
const longestHoldSec = sql<number | null>`(
  SELECT max(extract(epoch FROM coalesce(h.off_at, c.ended_at, now()) - h.at))
  FROM (
    SELECT ev.at, ev.detail->'hold' = 'true'::jsonb AS held, lead(ev.at) OVER (ORDER BY coalesce(ev.seq, 0), ev.id) AS off_at
    FROM call_events ev WHERE ev.call_id = c.id AND jsonb_typeof(ev.detail->'hold') = 'boolean'
  ) h
  WHERE h.held)`;

/** Blind transfers (detail.transfer) and completed warm ones (detail.handedOver). */
const transfers = sql<string>`(SELECT count(*) FROM call_events ev WHERE ev.call_id = c.id AND (ev.detail ? 'transfer' OR ev.detail ? 'handedOver'))`;

const evaluated = sql<boolean>`EXISTS (SELECT 1 FROM qa_evaluations e WHERE e.call_id = c.id)`;

/** Rank of a call in its operator's ISO week (UTC) by the keyed hash; the same in review-filter.ts. */
function sampled(seed: string, perWeek: number, line: Line, from: Date, to: Date): RawBuilder<unknown> {
  const weeks = wholeWeeks(from, to);
  return sql`c.id IN (
    SELECT s.id FROM (
      SELECT p.id, row_number() OVER (
        PARTITION BY p.operator_id, date_trunc('week', p.entered_at AT TIME ZONE 'UTC')
        ORDER BY encode(sha256(convert_to(${seed} || ':' || p.id::text, 'UTF8')), 'hex') COLLATE "C", p.id
      ) AS rank
      FROM calls p
      WHERE p.line = ${line} AND p.entered_at >= ${weeks.from} AND p.entered_at < ${weeks.to}
        AND p.operator_id IS NOT NULL AND p.answered_at IS NOT NULL AND p.ended_at IS NOT NULL
    ) s WHERE s.rank <= ${perWeek})`;
}

/** What the filter's kind asks of a call `c` (beyond its line and range). */
function predicate(r: ReviewRun): RawBuilder<unknown> {
  const s = r.spec;
  switch (s.kind) {
    case 'long-hold':
      return sql`${longestHoldSec} > ${s.params.minHoldSec}`;
    case 'transfers':
      return sql`${transfers} >= ${s.params.minTransfers ?? 2}`;
    case 'low-survey':
      return sql`c.survey_score <= ${s.params.maxScore}`;
    case 'failed-verification':
      // Failed outright, or a wrong / expired / reused code or a lock-out on the way.
      return sql`(c.verification_status = 'failed' OR EXISTS (
        SELECT 1 FROM verification_attempts a WHERE a.call_id = c.id AND a.outcome IN ('wrong', 'expired', 'reused', 'locked')))`;
    case 'failed-callback':
      // The calls a failed callback made, and the call it was booked from.
      return sql`(c.callback_id IN (SELECT cb.id FROM callbacks cb WHERE cb.status = 'failed')
        OR c.id IN (SELECT cb.call_id FROM callbacks cb WHERE cb.status = 'failed' AND cb.call_id IS NOT NULL))`;
    case 'first-calls':
      // Fewer than N answered calls of the operator before this one, ever (any line): it is one of their first N.
      return sql`c.operator_id IS NOT NULL AND c.answered_at IS NOT NULL AND (
        SELECT count(*) FROM (
          SELECT 1 FROM calls p WHERE p.operator_id = c.operator_id AND p.answered_at IS NOT NULL AND (p.answered_at, p.id) < (c.answered_at, c.id)
          LIMIT ${s.params.count}
        ) earlier) < ${s.params.count}`;
    case 'long-call':
      return sql`c.answered_at IS NOT NULL AND c.ended_at IS NOT NULL AND c.ended_at - c.answered_at > make_interval(mins => ${s.params.minMinutes})`;
    case 'sample':
      return sampled(s.params.seed as string, s.params.perWeek, r.line, r.from, r.to);
  }
}

const found = (r: ReviewRun) => sql`c.line = ${r.line} AND c.entered_at >= ${r.from} AND c.entered_at < ${r.to} AND ${predicate(r)}`;

export interface ReviewCallRow {
  id: string;
  entered_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  status: string;
  caller_number: string | null;
  line: Line | null;
  operator_id: string | null;
  operator_name: string | null;
  survey_score: number | null;
  verification_status: string;
  recording_id: string | null;
  recording_status: string | null;
  recording_duration_ms: number | null;
  evaluated: boolean;
  transfers: string;
  longest_hold_sec: number | string | null;
}

/** A page of the calls a filter finds, newest first. */
export async function reviewCalls(db: Db, r: ReviewRun, page: { limit: number; offset: number }): Promise<ReviewCallRow[]> {
  const res = await sql<ReviewCallRow>`
    SELECT c.id, c.entered_at, c.answered_at, c.ended_at, c.status, c.caller_number, c.line, c.operator_id, o.name AS operator_name,
      c.survey_score, c.verification_status, rec.id AS recording_id, rec.status AS recording_status, rec.duration_ms AS recording_duration_ms,
      ${evaluated} AS evaluated, ${transfers} AS transfers, ${longestHoldSec} AS longest_hold_sec
    FROM calls c
    LEFT JOIN operators o ON o.id = c.operator_id
    LEFT JOIN LATERAL (
      -- The call's mixed recording (not a leg's, nor a voicemail): the one the row names first.
      SELECT r.id, r.status, r.duration_ms FROM recordings r WHERE r.call_id = c.id AND r.kind = 'call'
      ORDER BY (r.id = c.recording_id) DESC NULLS LAST, r.started_at LIMIT 1
    ) rec ON true
    WHERE ${found(r)}
    ORDER BY c.entered_at DESC, c.id DESC
    LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  return res.rows;
}

/** How many calls the filter finds in the range, and how many of them have been evaluated. */
export async function reviewTotals(db: Db, r: ReviewRun): Promise<{ calls: number; evaluated: number }> {
  const res = await sql<{ calls: string; evaluated: string }>`
    SELECT count(*) AS calls, count(*) FILTER (WHERE ${evaluated}) AS evaluated FROM calls c WHERE ${found(r)}`.execute(db);
  const row = res.rows[0];
  return { calls: Number(row?.calls ?? 0), evaluated: Number(row?.evaluated ?? 0) };
}

/** The line of the operator behind a principal (a supervisor's own line). */
export async function operatorLine(db: Db, operatorId: string): Promise<Line | undefined> {
  const row = await db.selectFrom('operators').select('line').where('id', '=', operatorId).executeTakeFirst();
  return row?.line;
}
