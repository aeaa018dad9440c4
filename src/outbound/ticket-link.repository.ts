import type { Db } from '../db/database.js';
import type { SyncState, TicketLinkRow } from './outbound.table.js';

export async function findLink(db: Db, subscriptionId: string, ticketId: string): Promise<TicketLinkRow | undefined> {
  return db.selectFrom('ticket_links').selectAll().where('subscription_id', '=', subscriptionId).where('ticket_id', '=', ticketId).executeTakeFirst();
}

export async function upsertLink(
  db: Db,
  l: { ticketId: string; subscriptionId: string; connector: string; state: SyncState; remoteId?: string | null; remoteUrl?: string | null; error?: string | null; remoteStatus?: string | null; remoteSubject?: string | null },
): Promise<void> {
  const set = {
    sync_state: l.state,
    last_error: l.error ?? null,
    ...(l.remoteId !== undefined ? { remote_id: l.remoteId } : {}),
    ...(l.remoteUrl !== undefined ? { remote_url: l.remoteUrl } : {}),
    ...(l.remoteStatus !== undefined ? { remote_status: l.remoteStatus } : {}),
    ...(l.remoteSubject !== undefined ? { remote_subject: l.remoteSubject } : {}),
    ...(l.state === 'synced' ? { synced_at: new Date() } : {}),
  };
  await db
    .insertInto('ticket_links')
    .values({ ticket_id: l.ticketId, subscription_id: l.subscriptionId, connector: l.connector, ...set })
    .onConflict((oc) => oc.columns(['ticket_id', 'subscription_id']).doUpdateSet(set))
    .execute();
}

/** Linked tickets of a subscription, newest first: what a poll looks at. */
export async function listLinks(db: Db, subscriptionId: string, limit: number): Promise<TicketLinkRow[]> {
  return db.selectFrom('ticket_links').selectAll().where('subscription_id', '=', subscriptionId).where('remote_id', 'is not', null).orderBy('synced_at', 'desc').limit(limit).execute();
}
