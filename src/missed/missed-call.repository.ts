// The missed-calls worklist in Postgres (migration 0020). Every change of an entry is one
// statement, so the follower of several instances, a click and a clearing never interleave
// inside one: the count moves once per call (missed_call_sources), the open -> booked claim
// is a conditional update, and clearing touches only entries still open or booked.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { CallTransition, ClearedReason, Missed, MissedReason, MissedStatus, Reached } from './missed-call-rules.js';

export interface MissedCallRow {
  id: string;
  line: Line;
  number: string;
  reason: MissedReason;
  calls: number;
  first_at: Date;
  last_at: Date;
  last_call_id: string;
  ticket_id: string | null;
  longest_wait_sec: number;
  status: MissedStatus;
  callback_id: string | null;
  callback_outcome: string | null;
  booked_by: string | null;
  booked_at: Date | null;
  cleared_at: Date | null;
  cleared_reason: ClearedReason | null;
  updated_at: Date;
}

// ---- the follower's watermark and its reading ------------------------------------------------

export async function readCursor(db: Db): Promise<string | undefined> {
  const r = await sql<{ event_id: string }>`SELECT event_id FROM missed_call_cursor`.execute(db);
  return r.rows[0]?.event_id;
}

/** Migration 0020 puts the row there; should it be gone, following starts from the newest transition. */
export async function startCursor(db: Db): Promise<string> {
  const r = await sql<{ event_id: string }>`
    INSERT INTO missed_call_cursor (event_id) SELECT coalesce(max(id), 0) FROM call_events
    ON CONFLICT (id) DO UPDATE SET event_id = missed_call_cursor.event_id
    RETURNING event_id`.execute(db);
  return (r.rows[0] as { event_id: string }).event_id;
}

/** Never backwards: several instances write it. */
export async function writeCursor(db: Db, eventId: string): Promise<void> {
  await sql`UPDATE missed_call_cursor SET event_id = greatest(event_id, ${eventId}::bigint)`.execute(db);
}

/** The transitions that may miss or reach: ends in the queue or a voicemail, and bridges. */
export async function listTransitions(db: Db, afterEventId: string, limit: number): Promise<CallTransition[]> {
  const r = await sql<{
    event_id: string; to_status: string; at: Date; call_id: string; caller_number: string | null; line: Line | null; ivr_path: string[];
    queued_at: Date | null; answered_at: Date | null; callback_id: string | null; ticket_id: string | null;
  }>`
    SELECT e.id AS event_id, e.to_status, e.at, c.id AS call_id, c.caller_number, c.line, c.ivr_path, c.queued_at, c.answered_at, c.callback_id, c.ticket_id
    FROM call_events e JOIN calls c ON c.id = e.call_id
    WHERE e.id > ${afterEventId}::bigint
      AND (e.to_status IN ('abandoned', 'bridged') OR (e.to_status = 'completed' AND c.answered_at IS NULL AND 'voicemail' = ANY (c.ivr_path)))
    ORDER BY e.id
    LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({
    eventId: x.event_id, to: x.to_status, at: x.at, callId: x.call_id, callerNumber: x.caller_number, line: x.line, ivrPath: x.ivr_path,
    queuedAt: x.queued_at, answeredAt: x.answered_at, callbackId: x.callback_id, ticketId: x.ticket_id,
  }));
}

// ---- entries ----------------------------------------------------------------------------------

/**
 * A missed call into its line's open entry of the number (made when there is none). undefined
 * when this call was counted already (a re-read, another instance).
 */
export async function recordMissed(db: Db, m: Missed): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`
    WITH src AS (
      INSERT INTO missed_call_sources (call_id, line, number, at) VALUES (${m.callId}::uuid, ${m.line}, ${m.number}, ${m.at})
      ON CONFLICT (call_id) DO NOTHING RETURNING call_id
    )
    INSERT INTO missed_calls AS x (line, number, reason, calls, first_at, last_at, last_call_id, ticket_id, longest_wait_sec)
    SELECT ${m.line}::text, ${m.number}::text, ${m.reason}::text, 1, ${m.at}::timestamptz, ${m.at}::timestamptz, call_id, ${m.ticketId}::bigint, ${m.waitedSec}::int FROM src
    ON CONFLICT (line, number) WHERE status <> 'cleared' DO UPDATE SET
      calls = x.calls + 1,
      first_at = least(x.first_at, excluded.first_at),
      last_at = greatest(x.last_at, excluded.last_at),
      reason = CASE WHEN excluded.last_at >= x.last_at THEN excluded.reason ELSE x.reason END,
      last_call_id = CASE WHEN excluded.last_at >= x.last_at THEN excluded.last_call_id ELSE x.last_call_id END,
      ticket_id = CASE WHEN excluded.last_at >= x.last_at THEN coalesce(excluded.ticket_id, x.ticket_id) ELSE x.ticket_id END,
      longest_wait_sec = greatest(x.longest_wait_sec, excluded.longest_wait_sec),
      updated_at = now()
    RETURNING x.*`.execute(db);
  return r.rows[0];
}

/** The number got through or was called back: its line's entry from before then is cleared. */
export async function clearReached(db: Db, r: Reached): Promise<MissedCallRow[]> {
  const res = await sql<MissedCallRow>`
    UPDATE missed_calls SET status = 'cleared', cleared_at = now(), cleared_reason = ${r.how}, updated_at = now()
    WHERE line = ${r.line} AND number = ${r.number} AND status <> 'cleared' AND last_at <= ${r.at}
    RETURNING *`.execute(db);
  return res.rows;
}

/** The claim of a click (or the automatic booking): only one of them, and only while open. */
export async function claimForCallback(db: Db, id: string, by: string): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`
    UPDATE missed_calls SET status = 'booked', booked_by = ${by}, booked_at = now(), callback_id = NULL, updated_at = now()
    WHERE id = ${id}::uuid AND status = 'open' RETURNING *`.execute(db);
  return r.rows[0];
}

/** The booked callback onto the claimed entry; undefined when it was cleared meanwhile. */
export async function attachCallback(db: Db, id: string, callbackId: string): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`
    UPDATE missed_calls SET callback_id = ${callbackId}::uuid, callback_outcome = NULL, updated_at = now()
    WHERE id = ${id}::uuid AND status = 'booked' AND callback_id IS NULL RETURNING *`.execute(db);
  return r.rows[0];
}

/** A claim whose booking was refused (or never finished) goes back to open, with why. */
export async function releaseClaim(db: Db, id: string, outcome: string | null): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`
    UPDATE missed_calls SET status = 'open', booked_by = NULL, booked_at = NULL, callback_outcome = ${outcome}, updated_at = now()
    WHERE id = ${id}::uuid AND status = 'booked' AND callback_id IS NULL RETURNING *`.execute(db);
  return r.rows[0];
}

/** Why an automatic booking was refused, on an entry left open. */
export async function noteOutcome(db: Db, id: string, outcome: string): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`
    UPDATE missed_calls SET callback_outcome = ${outcome}, updated_at = now() WHERE id = ${id}::uuid AND status = 'open' RETURNING *`.execute(db);
  return r.rows[0];
}

/**
 * Booked entries whose callback is over: answered clears them (called back), not reached or
 * cancelled opens them again with the callback's reason. Claims a crash left without a callback
 * for a minute go back to open too.
 */
export async function settleBooked(db: Db): Promise<MissedCallRow[]> {
  const done = await sql<MissedCallRow>`
    UPDATE missed_calls m SET
      status = CASE WHEN c.status = 'completed' THEN 'cleared' ELSE 'open' END,
      cleared_at = CASE WHEN c.status = 'completed' THEN now() END,
      cleared_reason = CASE WHEN c.status = 'completed' THEN 'called-back' END,
      callback_outcome = CASE WHEN c.status = 'completed' THEN NULL ELSE coalesce(c.closed_reason, c.status) END,
      callback_id = CASE WHEN c.status = 'completed' THEN m.callback_id END,
      booked_by = CASE WHEN c.status = 'completed' THEN m.booked_by END,
      updated_at = now()
    FROM callbacks c
    WHERE m.status = 'booked' AND m.callback_id = c.id AND c.status IN ('completed', 'failed', 'cancelled')
    RETURNING m.*`.execute(db);
  const stale = await sql<MissedCallRow>`
    UPDATE missed_calls SET status = 'open', booked_by = NULL, booked_at = NULL, updated_at = now()
    WHERE status = 'booked' AND callback_id IS NULL AND booked_at < now() - interval '1 minute'
    RETURNING *`.execute(db);
  return [...done.rows, ...stale.rows];
}

export async function findMissedCall(db: Db, id: string): Promise<MissedCallRow | undefined> {
  const r = await sql<MissedCallRow>`SELECT * FROM missed_calls WHERE id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/** Newest first; 'open' is what is still to do (open and booked). */
/** The entries of `lines` (absent: every line's), newest first. */
export async function listMissedCalls(db: Db, q: { lines?: readonly Line[]; status: 'open' | 'all'; limit: number }): Promise<MissedCallRow[]> {
  const lines = q.lines ?? null;
  const r = await sql<MissedCallRow>`
    SELECT * FROM missed_calls
    WHERE (${lines}::text[] IS NULL OR line = ANY(${lines}::text[])) AND (${q.status} = 'all' OR status <> 'cleared')
    ORDER BY last_at DESC LIMIT ${q.limit}`.execute(db);
  return r.rows;
}

/** Entries changed after `since`, with the database's clock now (the next look's `since`). */
export async function changedSince(db: Db, since: Date | null): Promise<{ rows: MissedCallRow[]; now: Date }> {
  const r = await sql<{ rows: MissedCallRow[] | null; now: Date }>`
    SELECT (SELECT json_agg(m ORDER BY m.updated_at) FROM missed_calls m WHERE ${since}::timestamptz IS NOT NULL AND m.updated_at > ${since}) AS rows, now() AS now`.execute(db);
  const row = r.rows[0] as { rows: MissedCallRow[] | null; now: Date };
  // json_agg gives timestamps as strings: the same rows as the other queries, in Date.
  const rows = (row.rows ?? []).map((m) => ({
    ...m,
    ticket_id: m.ticket_id === null ? null : String(m.ticket_id),
    first_at: new Date(m.first_at), last_at: new Date(m.last_at), updated_at: new Date(m.updated_at),
    booked_at: m.booked_at ? new Date(m.booked_at) : null, cleared_at: m.cleared_at ? new Date(m.cleared_at) : null,
  }));
  return { rows, now: row.now };
}

/** Whose panels hear of a line's missed calls: the operators serving it (operators.lines), and every supervisor. */
export async function operatorIdsForLine(db: Db, line: Line): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM operators WHERE ${line} = ANY(lines) OR supervisor`.execute(db);
  return r.rows.map((x) => x.id);
}
