// A connector turns pbxdesk's outbound events into what one external system takes (signed
// JSON webhooks, Zammad's generic CTI, ...) and sends them. Delivery order, retries, backoff
// and dead letters are the outbound module's job, the same for every connector. A connector
// is one file here, `<name>.connector.ts`, exporting `connector`: loadConnectors finds it, so
// adding osTicket or Znuny changes nothing else.
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundEventType } from '../outbound/outbound.table.js';
import { requestError, type OutboundHttp } from './outbound-http.js';

export interface OutboundEvent {
  id: string;
  type: OutboundEventType;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export interface ConnectorTarget {
  subscriptionId: string;
  deliveryId: string;
  url: string;
  /** The subscription's signing secret (derived, never stored). */
  secret: string;
  timeoutMs: number;
}

/** skipped: the event means nothing to this system (counted as delivered). */
export type SendResult = { ok: true; status: number | null; skipped?: boolean } | { ok: false; status: number | null; error: string };

/** A pbxdesk ticket's counterpart in the helpdesk, as the connector last saw it. */
export interface RemoteLink {
  ticketId: string;
  remoteId: string | null;
  remoteStatus: string | null;
  remoteSubject: string | null;
}

/** What connectors that mirror tickets may use: the link table, and settings from the environment. */
export interface ConnectorContext {
  links: {
    find(ticketId: string): Promise<RemoteLink | undefined>;
    save(ticketId: string, remote: { id: string; url: string | null; status?: string | null; subject?: string | null }): Promise<void>;
  };
  /** Secrets and options from the environment (config.ts), e.g. RT_AUTH, RT_QUEUE. */
  settings: ConnectorSettings;
  /** The only way out: refuses loopback, private and link-local targets (outbound-http.ts). */
  http: OutboundHttp;
}

export interface ConnectorSettings {
  /** How people outside reach pbxdesk's API (recording links in helpdesk comments). */
  publicBaseUrl: string;
  rt: { auth: string | undefined; queue: string };
}

/** A change made in the helpdesk, to flow back into the pbxdesk ticket. */
export interface RemoteChange {
  ticketId: string;
  status?: string;
  subject?: string;
}

export interface Connector {
  readonly name: string;
  /** The event types a subscription of this connector may ask for. */
  readonly events: readonly OutboundEventType[];
  /** Mirrors pbxdesk tickets (keeps links and a sync state on the ticket). */
  readonly linksTickets?: boolean;
  send(ev: OutboundEvent, target: ConnectorTarget, ctx: ConnectorContext): Promise<SendResult>;
  /** Looks for changes made in the helpdesk to linked tickets (status, subject). */
  poll?(target: Omit<ConnectorTarget, 'deliveryId'>, links: readonly RemoteLink[], ctx: ConnectorContext): Promise<RemoteChange[]>;
}

/** POST with a timeout; any 2xx is delivered, anything else (or no answer, or a refused target) is a failure. */
export async function post(ctx: Pick<ConnectorContext, 'http'>, target: Pick<ConnectorTarget, 'url' | 'timeoutMs'>, headers: Record<string, string>, body: string): Promise<SendResult> {
  try {
    const r = await ctx.http.request(target.url, { method: 'POST', headers, body, timeoutMs: target.timeoutMs });
    return r.status >= 200 && r.status < 300 ? { ok: true, status: r.status } : { ok: false, status: r.status, error: `HTTP ${r.status}` };
  } catch (err) {
    return { ok: false, status: null, error: requestError(err) };
  }
}

/** Every `*.connector.{js,ts}` next to this file, by name. */
export async function loadConnectors(): Promise<Map<string, Connector>> {
  const here = dirname(fileURLToPath(import.meta.url));
  const out = new Map<string, Connector>();
  for (const f of (await readdir(here)).sort()) {
    if (!/\.connector\.(js|ts)$/.test(f) || f.endsWith('.d.ts')) continue;
    const mod = (await import(`./${f}`)) as { connector?: Connector };
    if (mod.connector && !out.has(mod.connector.name)) out.set(mod.connector.name, mod.connector);
  }
  return out;
}
