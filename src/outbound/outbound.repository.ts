import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { DeliveryStatus, OutboundDeliveryRow, OutboundEventRow, OutboundEventType, OutboundSubscriptionRow } from './outbound.table.js';

/** Stores an event and a delivery for every active subscriber of its type; the subscribers' ids. */
/**
 * The event and one delivery per active subscription to its type, in one statement (one round
 * trip, atomic by itself): every call makes several events, and BEGIN, two INSERTs and COMMIT
 * were a visible share of the service's CPU and Postgres time under load.
 */
export async function insertEventWithDeliveries(db: Db, type: OutboundEventType, payload: Record<string, unknown>): Promise<{ eventId: string; subscriptionIds: string[] }> {
  const r = await sql<{ event_id: string; subscription_ids: string[] }>`
    WITH ev AS (
      INSERT INTO outbound_events (type, payload) VALUES (${type}, ${JSON.stringify(payload)}::jsonb) RETURNING id
    ), d AS (
      INSERT INTO outbound_deliveries (subscription_id, event_id)
      SELECT s.id, ev.id FROM outbound_subscriptions s, ev WHERE s.active AND ${type} = any(s.events)
      RETURNING subscription_id
    )
    SELECT (SELECT id FROM ev)::text AS event_id, coalesce((SELECT array_agg(subscription_id::text) FROM d), '{}') AS subscription_ids`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('outbound event not stored');
  return { eventId: row.event_id, subscriptionIds: row.subscription_ids };
}

export async function insertSubscription(db: Db, s: { connector: string; url: string; events: string[]; description: string | null }): Promise<OutboundSubscriptionRow> {
  return db.insertInto('outbound_subscriptions').values(s).returningAll().executeTakeFirstOrThrow();
}

export async function findSubscription(db: Db, id: string): Promise<OutboundSubscriptionRow | undefined> {
  return db.selectFrom('outbound_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSubscriptions(db: Db): Promise<OutboundSubscriptionRow[]> {
  return db.selectFrom('outbound_subscriptions').selectAll().orderBy('id').execute();
}

export async function deactivateSubscription(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('outbound_subscriptions').set({ active: false }).where('id', '=', id).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Subscriptions with deliveries due now (the sweeper's list). */
export async function subscriptionsWithDueDeliveries(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('outbound_deliveries').select('subscription_id').distinct().where('status', '=', 'pending').where('next_attempt_at', '<=', new Date()).execute();
  return rows.map((r) => r.subscription_id);
}

/**
 * Takes the subscription's delivery lock for the rest of the transaction: one sender per
 * subscriber across all service instances, which is what keeps its events in order.
 */
export async function tryLockSubscription(db: Db, subscriptionId: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext('outbound-subscription'), ${Number(subscriptionId)}::int) as ok`.execute(db);
  return r.rows[0]?.ok === true;
}

/** The oldest pending delivery of a subscription, with its event; the head that blocks the rest. */
export async function headDelivery(db: Db, subscriptionId: string): Promise<(OutboundDeliveryRow & { type: string; payload: Record<string, unknown>; occurred_at: Date }) | undefined> {
  return db
    .selectFrom('outbound_deliveries as d')
    .innerJoin('outbound_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select(['e.type', 'e.payload', 'e.occurred_at'])
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.status', '=', 'pending')
    .orderBy('d.id')
    .limit(1)
    .executeTakeFirst();
}

export async function markDelivery(
  db: Db,
  id: string,
  patch: { status: DeliveryStatus; attempts: number; next_attempt_at?: Date; last_error: string | null; last_status: number | null; delivered_at?: Date | null },
): Promise<void> {
  await db.updateTable('outbound_deliveries').set(patch).where('id', '=', id).execute();
}

export async function listDeliveries(db: Db, f: { subscriptionId?: string; status?: DeliveryStatus; limit: number }) {
  let q = db
    .selectFrom('outbound_deliveries as d')
    .innerJoin('outbound_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.subscription_id', 'd.event_id', 'd.status', 'd.attempts', 'd.next_attempt_at', 'd.last_error', 'd.last_status', 'd.delivered_at', 'd.created_at', 'e.type'])
    .orderBy('d.id')
    .limit(f.limit);
  if (f.subscriptionId) q = q.where('d.subscription_id', '=', f.subscriptionId);
  if (f.status) q = q.where('d.status', '=', f.status);
  return q.execute();
}

/** A dead letter back in line (after the receiver was fixed): it goes out before anything newer. */
export async function redriveDelivery(db: Db, id: string): Promise<OutboundDeliveryRow | undefined> {
  return db
    .updateTable('outbound_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .returningAll()
    .executeTakeFirst();
}

export async function countDeliveries(db: Db): Promise<{ status: DeliveryStatus; n: number }[]> {
  const rows = await db.selectFrom('outbound_deliveries').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}

export type { OutboundEventRow };
