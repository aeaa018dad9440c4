// The SQL behind "repeat callers recognised" (src/panel/repeat-caller.service.ts): the open
// tickets a caller may already have, found by the verified account and by the calling number in
// any of its spellings. Candidates come from three indexed lookups (tickets by account, tickets
// and calls by number); which to show, and in what order, is decided by the pure rules
// (src/panel/repeat-caller-rules.ts), so this returns a few more than will be shown.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { TicketStatus } from './ticket.table.js';

export interface RepeatTicketCandidate {
  id: string;
  number: string;
  subject: string;
  status: TicketStatus;
  line: Line | null;
  escalated: boolean;
  /** The lines it was escalated to (migration 0024): their operators see it too. */
  escalated_lines: Line[];
  account_id: string | null;
  /** The ticket's last change or its last call, whichever is later. */
  last_activity: Date;
}

const OPEN: readonly TicketStatus[] = ['new', 'open', 'pending_customer'];

export async function findRepeatTicketCandidates(
  db: Db,
  q: { spellings: readonly string[]; accountId: string | null; exclude: string | null; limit: number },
): Promise<RepeatTicketCandidate[]> {
  if (!q.spellings.length && !q.accountId) return [];
  const spellings = q.spellings.length ? q.spellings : [''];
  const r = await sql<RepeatTicketCandidate>`
    WITH cand AS (
      SELECT id FROM tickets WHERE caller_number = ANY(${spellings}::text[])
      UNION SELECT ticket_id FROM calls WHERE caller_number = ANY(${spellings}::text[]) AND ticket_id IS NOT NULL
      UNION SELECT id FROM tickets WHERE ${q.accountId}::text IS NOT NULL AND account_id = ${q.accountId}::text
    )
    SELECT t.id::text AS id, t.number::text AS number, t.subject, t.status, t.line, t.escalated, t.escalated_lines, t.account_id,
           GREATEST(t.updated_at, (SELECT max(c.entered_at) FROM calls c WHERE c.ticket_id = t.id)) AS last_activity
      FROM tickets t JOIN cand ON cand.id = t.id
     WHERE t.status = ANY(${OPEN}::text[]) AND t.merged_into IS NULL AND (${q.exclude}::bigint IS NULL OR t.id <> ${q.exclude}::bigint)
     ORDER BY (${q.accountId}::text IS NOT NULL AND t.account_id = ${q.accountId}::text) DESC, last_activity DESC, t.id DESC
     LIMIT ${q.limit}`.execute(db);
  return r.rows;
}

/** What attaching a call decides on: is the ticket made for the call empty (no notes, no other calls)? */
export async function ticketContents(db: Db, ticketId: string, callId: string): Promise<{ notes: number; otherCalls: number; mergedInto: string | null } | undefined> {
  const r = await sql<{ notes: string; other_calls: string; merged_into: string | null }>`
    SELECT (SELECT count(*) FROM ticket_notes n WHERE n.ticket_id = t.id) AS notes,
           (SELECT count(*) FROM calls c WHERE c.ticket_id = t.id AND c.id <> ${callId}::uuid) AS other_calls,
           t.merged_into::text AS merged_into
      FROM tickets t WHERE t.id = ${ticketId}::bigint`.execute(db);
  const row = r.rows[0];
  return row ? { notes: Number(row.notes), otherCalls: Number(row.other_calls), mergedInto: row.merged_into } : undefined;
}

/** Was this call attached to a repeat caller's ticket already (the event on the ticket it went to)? */
/**
 * Claims the one attach a call may have (migration 0027): true for the first claim, false when
 * the call was attached already, here or on another instance. Atomic in Postgres, not in memory.
 */
export async function claimAttach(db: Db, c: { callId: string; ticketId: string; fromTicketId: string; by: string }): Promise<boolean> {
  const r = await sql<{ call_id: string }>`
    INSERT INTO call_attachments (call_id, ticket_id, from_ticket_id, attached_by)
    VALUES (${c.callId}::uuid, ${c.ticketId}::bigint, ${c.fromTicketId}::bigint, ${c.by})
    ON CONFLICT (call_id) DO NOTHING RETURNING call_id`.execute(db);
  return r.rows.length > 0;
}

/** Gives the claim back when the attach could not be carried out, so it may be tried again. */
export async function releaseAttach(db: Db, callId: string): Promise<void> {
  await sql`DELETE FROM call_attachments WHERE call_id = ${callId}::uuid`.execute(db);
}
