// The SQL behind sticky routing's verified callers (call-sticky.ts): the open ticket of an
// account that has an assignee, the most recently changed first. Asked once when a caller proves
// an account in the IVR, behind their back (the caller never waits on it).
import type { Db } from '../db/database.js';
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
