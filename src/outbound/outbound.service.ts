// Outbound events: stored once, delivered to each subscriber through its connector, in order,
// with retries and backoff, and given up only into a dead-letter list an admin can see and
// redrive. Publishing never blocks or fails a call: it is fire-and-forget for the caller, and
// a failed store is logged loudly.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connector, ConnectorContext, ConnectorSettings, RemoteChange } from '../connectors/connector.js';
import { guardedHttp, type OutboundHttp } from '../connectors/outbound-http.js';
import { findLink, listLinks, upsertLink } from './ticket-link.repository.js';
import type { Db } from '../db/database.js';
import { NotFoundError, InvalidSubscriptionError } from '../errors.js';
import {
  deactivateSubscription,
  findSubscription,
  headDelivery,
  insertEventWithDeliveries,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  markDelivery,
  redriveDelivery,
  subscriptionsWithDueDeliveries,
  tryLockSubscription,
} from './outbound.repository.js';
import type { OutboundKicker } from './outbound.queue.js';
import type { DeliveryStatus, OutboundEventType, OutboundSubscriptionRow } from './outbound.table.js';

export interface OutboundSettings {
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  /** Loopback/private addresses and ranges deliveries may reach anyway (OUTBOUND_PRIVATE_ALLOWLIST). */
  privateAllowList?: readonly string[];
}

/** What the domain services see: publish an event (resolves once stored; never rejects). */
export interface EventPublisher {
  publish(type: OutboundEventType, payload: Record<string, unknown>): Promise<void>;
}

export const silentPublisher: EventPublisher = { publish: async () => undefined };

/** Delivery outcomes for monitoring (the Prometheus side implements it). */
export interface DeliveryObserver {
  delivery(connector: string, result: 'delivered' | 'failed' | 'dead'): void;
}

/** Backoff before attempt n+1 after n failures: base, 2×base, 4×base... capped. */
export function retryDelayMs(failures: number, s: Pick<OutboundSettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

type Step = { kind: 'sent' } | { kind: 'dead' } | { kind: 'wait'; ms: number } | { kind: 'idle' } | { kind: 'busy' };

export class OutboundService implements EventPublisher {
  private kicker: OutboundKicker | undefined;
  private observer: DeliveryObserver = { delivery: () => undefined };
  private remoteChanged: (connector: string, change: RemoteChange) => Promise<void> = async () => undefined;
  private readonly http: OutboundHttp;

  constructor(
    private readonly db: Db,
    private readonly secretKey: string,
    private readonly connectors: ReadonlyMap<string, Connector>,
    private readonly s: OutboundSettings,
    private readonly log: Logger,
    private readonly connectorSettings: ConnectorSettings = { publicBaseUrl: 'http://127.0.0.1:15080', rt: { auth: undefined, queue: 'General' } },
  ) {
    this.http = guardedHttp(s.privateAllowList ?? []);
  }

  /** Where changes made in a helpdesk go (the ticket service). */
  onRemoteChange(fn: (connector: string, change: RemoteChange) => Promise<void>): void {
    this.remoteChanged = fn;
  }

  private contextFor(db: Db, sub: OutboundSubscriptionRow): ConnectorContext {
    return {
      settings: this.connectorSettings,
      http: this.http,
      links: {
        find: async (ticketId) => {
          const l = await findLink(db, sub.id, ticketId);
          return l ? { ticketId, remoteId: l.remote_id, remoteStatus: l.remote_status, remoteSubject: l.remote_subject } : undefined;
        },
        save: (ticketId, r) =>
          upsertLink(db, {
            ticketId,
            subscriptionId: sub.id,
            connector: sub.connector,
            state: 'synced',
            remoteId: r.id,
            ...(r.url ? { remoteUrl: r.url } : {}),
            ...(r.status !== undefined ? { remoteStatus: r.status } : {}),
            ...(r.subject !== undefined ? { remoteSubject: r.subject } : {}),
          }),
      },
    };
  }

  /** Asks each helpdesk connector that can for changes made there, and hands them on. */
  async poll(): Promise<void> {
    for (const sub of await listSubscriptions(this.db)) {
      const c = this.connectors.get(sub.connector);
      if (!sub.active || !c?.poll) continue;
      const links = (await listLinks(this.db, sub.id, 500)).map((l) => ({ ticketId: l.ticket_id, remoteId: l.remote_id, remoteStatus: l.remote_status, remoteSubject: l.remote_subject }));
      const changes = await c.poll({ subscriptionId: sub.id, url: sub.url, secret: this.secretOf(sub.id), timeoutMs: this.s.timeoutMs }, links, this.contextFor(this.db, sub));
      for (const ch of changes) {
        await this.remoteChanged(sub.connector, ch).catch((err: Error) => this.log.warn({ connector: sub.connector, ticketId: ch.ticketId, err: err.message }, 'a helpdesk change could not be applied'));
      }
    }
  }

  useQueue(kicker: OutboundKicker): void {
    this.kicker = kicker;
  }

  observe(observer: DeliveryObserver): void {
    this.observer = observer;
  }

  async publish(type: OutboundEventType, payload: Record<string, unknown>): Promise<void> {
    await this.publishNow(type, payload).catch((err: Error) => this.log.error({ type, err: err.message }, 'outbound event NOT stored'));
  }

  async publishNow(type: OutboundEventType, payload: Record<string, unknown>): Promise<string> {
    const { eventId, subscriptionIds } = await insertEventWithDeliveries(this.db, type, payload);
    for (const id of subscriptionIds) await this.kicker?.kick(id);
    return eventId;
  }

  /** The subscription's signing secret: derived from the service key, so never stored. */
  secretOf(subscriptionId: string): string {
    return `whsec_${createHmac('sha256', this.secretKey).update(`outbound-subscription:${subscriptionId}`).digest('base64url')}`;
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()];
  }

  async subscribe(req: { connector: string; url: string; events?: string[]; description?: string | null }): Promise<{ sub: OutboundSubscriptionRow; secret: string }> {
    const c = this.connectors.get(req.connector);
    if (!c) throw new InvalidSubscriptionError(req.connector, this.connectorNames());
    const events = req.events?.length ? req.events : [...c.events];
    const unknown = events.filter((e) => !(c.events as readonly string[]).includes(e));
    if (unknown.length) throw new InvalidSubscriptionError(req.connector, this.connectorNames(), unknown);
    // Checked again at every delivery (the name may resolve elsewhere by then).
    await this.http.checkTarget(req.url);
    const sub = await insertSubscription(this.db, { connector: c.name, url: req.url, events, description: req.description ?? null });
    return { sub, secret: this.secretOf(sub.id) };
  }

  list(): Promise<OutboundSubscriptionRow[]> {
    return listSubscriptions(this.db);
  }

  async unsubscribe(id: string): Promise<void> {
    if (!(await deactivateSubscription(this.db, id))) throw new NotFoundError('subscription', id);
  }

  deliveries(f: { subscriptionId?: string; status?: DeliveryStatus; limit: number }) {
    return listDeliveries(this.db, f);
  }

  async redrive(deliveryId: string): Promise<void> {
    const d = await redriveDelivery(this.db, deliveryId);
    if (!d) throw new NotFoundError('dead letter', deliveryId);
    await this.kicker?.kick(d.subscription_id);
  }

  /** Sends a subscription's due deliveries in order until none is due or the head must wait. */
  async drain(subscriptionId: string): Promise<{ sent: number; dead: number }> {
    let sent = 0;
    let dead = 0;
    for (let i = 0; i < 1000; i++) {
      const step = await this.step(subscriptionId);
      if (step.kind === 'sent') sent++;
      else if (step.kind === 'dead') dead++;
      else {
        if (step.kind === 'wait') await this.kicker?.kick(subscriptionId, step.ms);
        break;
      }
    }
    return { sent, dead };
  }

  async sweep(): Promise<void> {
    for (const id of await subscriptionsWithDueDeliveries(this.db)) await this.kicker?.kick(id);
  }

  /** One delivery, under the subscription's lock (one sender per subscriber, across instances). */
  private async step(subscriptionId: string): Promise<Step> {
    return this.db.transaction().execute(async (trx): Promise<Step> => {
      if (!(await tryLockSubscription(trx, subscriptionId))) return { kind: 'busy' };
      const sub = await findSubscription(trx, subscriptionId);
      if (!sub?.active) return { kind: 'idle' };
      const d = await headDelivery(trx, subscriptionId);
      if (!d) return { kind: 'idle' };
      const wait = d.next_attempt_at.getTime() - Date.now();
      if (wait > 0) return { kind: 'wait', ms: wait };
      const connector = this.connectors.get(sub.connector);
      const r = connector
        ? await connector.send(
            { id: d.event_id, type: d.type as OutboundEventType, occurredAt: d.occurred_at, payload: d.payload },
            { subscriptionId, deliveryId: d.id, url: sub.url, secret: this.secretOf(subscriptionId), timeoutMs: this.s.timeoutMs },
            this.contextFor(trx, sub),
          )
        : { ok: false as const, status: null, error: `no connector ${sub.connector}` };
      const attempts = d.attempts + 1;
      // A helpdesk mirror: the ticket shows that its sync is failing (and why) while it retries.
      const ticketId = typeof d.payload.ticketId === 'string' ? d.payload.ticketId : null;
      if (!r.ok && connector?.linksTickets && ticketId) {
        await upsertLink(trx, { ticketId, subscriptionId, connector: sub.connector, state: 'failed', error: `${r.error} (attempt ${attempts})` });
      }
      if (r.ok) {
        await markDelivery(trx, d.id, { status: 'delivered', attempts, last_error: null, last_status: r.status, delivered_at: new Date() });
        this.observer.delivery(sub.connector, 'delivered');
        return { kind: 'sent' };
      }
      if (attempts >= this.s.maxAttempts) {
        await markDelivery(trx, d.id, { status: 'dead', attempts, last_error: r.error, last_status: r.status });
        this.observer.delivery(sub.connector, 'dead');
        this.log.warn({ subscriptionId, deliveryId: d.id, type: d.type, err: r.error }, 'outbound delivery given up: dead letter');
        return { kind: 'dead' };
      }
      this.observer.delivery(sub.connector, 'failed');
      const ms = retryDelayMs(attempts, this.s);
      await markDelivery(trx, d.id, { status: 'pending', attempts, next_attempt_at: new Date(Date.now() + ms), last_error: r.error, last_status: r.status });
      this.log.info({ subscriptionId, deliveryId: d.id, attempts, retryInMs: ms, err: r.error }, 'outbound delivery failed; retrying');
      return { kind: 'wait', ms };
    });
  }
}
