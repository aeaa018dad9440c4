// A ticket's timeline, read from where each kind of event lives: the ticket's own events and
// notes, its calls (with recordings, voicemails and survey scores), the verification attempts
// of those calls, and its callbacks with their attempts. One list, oldest first.
import type { Db } from '../db/database.js';

export interface TimelineEntry {
  at: Date;
  kind: string;
  actor: string;
  data: Record<string, unknown>;
}

export async function ticketTimeline(db: Db, ticketId: string): Promise<TimelineEntry[]> {
  const [events, notes, calls, verifications, callbacks, attempts] = await Promise.all([
    db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).execute(),
    db.selectFrom('ticket_notes').select(['id', 'author', 'body', 'created_at']).where('ticket_id', '=', ticketId).execute(),
    db
      .selectFrom('calls as c')
      .leftJoin('recordings as r', 'r.id', 'c.recording_id')
      .select(['c.id', 'c.entered_at', 'c.answered_at', 'c.ended_at', 'c.status', 'c.line', 'c.operator_id', 'c.caller_number', 'c.recording_id', 'c.survey_score', 'c.callback_id', 'c.direction', 'r.kind as recording_kind', 'r.duration_ms'])
      .where('c.ticket_id', '=', ticketId)
      .execute(),
    db
      .selectFrom('verification_attempts as v')
      .innerJoin('calls as c', 'c.id', 'v.call_id')
      .select(['v.at', 'v.outcome', 'v.method', 'v.account_id', 'v.operator_id', 'v.call_id'])
      .where('c.ticket_id', '=', ticketId)
      .execute(),
    db.selectFrom('callbacks').select(['id', 'kind', 'status', 'number', 'created_at', 'requested_by', 'closed_reason']).where('ticket_id', '=', ticketId).execute(),
    db
      .selectFrom('callback_attempts as a')
      .innerJoin('callbacks as cb', 'cb.id', 'a.callback_id')
      .select(['a.callback_id', 'a.attempt_no', 'a.call_id', 'a.operator_id', 'a.started_at', 'a.outcome'])
      .where('cb.ticket_id', '=', ticketId)
      .execute(),
  ]);
  const out: TimelineEntry[] = [
    ...events.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, data: e.data })),
    ...notes.map((n) => ({ at: n.created_at, kind: 'note', actor: n.author, data: { noteId: n.id, body: n.body } })),
    ...calls.map((c) => ({
      at: c.entered_at,
      kind: c.recording_kind === 'voicemail' ? 'voicemail' : c.callback_id ? 'callback-call' : c.direction === 'outbound' ? 'outbound-call' : 'call',
      actor: c.operator_id ? `operator:${c.operator_id}` : 'caller',
      data: {
        callId: c.id,
        status: c.status,
        line: c.line,
        callerNumber: c.caller_number,
        durationSec: c.answered_at && c.ended_at ? Math.round((c.ended_at.getTime() - c.answered_at.getTime()) / 1000) : null,
        recordingId: c.recording_id,
        recordingMs: c.duration_ms,
        surveyScore: c.survey_score,
      },
    })),
    ...verifications.map((v) => ({
      at: v.at,
      kind: 'verification',
      actor: v.operator_id ? `operator:${v.operator_id}` : 'caller',
      data: { callId: v.call_id, outcome: v.outcome, method: v.method, accountId: v.account_id },
    })),
    ...callbacks.map((cb) => ({ at: cb.created_at, kind: 'callback', actor: cb.requested_by, data: { callbackId: cb.id, kind: cb.kind, status: cb.status, number: cb.number, closedReason: cb.closed_reason } })),
    ...attempts.map((a) => ({
      at: a.started_at,
      kind: 'callback-attempt',
      actor: a.operator_id ? `operator:${a.operator_id}` : 'system',
      data: { callbackId: a.callback_id, attemptNo: a.attempt_no, callId: a.call_id, outcome: a.outcome },
    })),
  ];
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The ticket's counterparts in external helpdesks and how their sync stands. */
export async function ticketSyncState(db: Db, ticketId: string) {
  return db
    .selectFrom('ticket_links')
    .select(['connector', 'remote_id', 'remote_url', 'sync_state', 'last_error', 'synced_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('subscription_id')
    .execute();
}
