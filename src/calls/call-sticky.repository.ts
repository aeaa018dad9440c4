// The SQL behind sticky routing (call-sticky.ts). The open ticket of an account that has an
// assignee, the most recently changed first: asked once when a caller proves an account in the
// IVR, behind their back (the caller never waits on it). And why a call was ringing when the
// service restarted (call-reclaim.ts): its last ringing transition says whether as the assignee.
import type { Db } from '../db/database.js';
import { ASSIGNEE_MATCHES, type AssigneeMatch, type AssigneeRing } from './call-phase.js';
import type { StickyTicket } from './call-sticky.js';

export async function findAccountAssignedTicket(db: Db, accountId: string): Promise<StickyTicket | undefined> {
  const row = await db
    .selectFrom('tickets')
    .select(['id', 'number', 'assignee_id'])
    .where('account_id', '=', accountId)
    .where('status', 'in', ['new', 'open', 'pending_customer'])
    .where('merged_into', 'is', null)
    .where('assignee_id', 'is not', null)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, number: row.number, assigneeId: row.assignee_id } : undefined;
}

/**
 * The operator a call was last rung for, and the ticket they were rung for as its assignee (the
 * `assignee` of the last ringing transition's detail, call-dispatch.ts ring()); undefined when
 * that ring was an ordinary one. Read at reclaim, after the journal's replay: Postgres has it.
 */
export async function findLastAssigneeRing(db: Db, callId: string): Promise<{ operatorId: string; ring: AssigneeRing } | undefined> {
  const row = await db
    .selectFrom('call_events')
    .select('detail')
    .where('call_id', '=', callId)
    .where('to_status', '=', 'ringing')
    .orderBy('seq', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const { operatorId, assignee: a } = (row?.detail ?? {}) as { operatorId?: unknown; assignee?: Partial<Record<keyof AssigneeRing, unknown>> };
  if (typeof operatorId !== 'string' || !a || typeof a !== 'object') return undefined;
  if (typeof a.ticketId !== 'string' || typeof a.ticketNumber !== 'string' || typeof a.ringSec !== 'number') return undefined;
  if (!ASSIGNEE_MATCHES.includes(a.match as AssigneeMatch)) return undefined;
  return { operatorId, ring: { ticketId: a.ticketId, ticketNumber: a.ticketNumber, match: a.match as AssigneeMatch, ringSec: a.ringSec } };
}
