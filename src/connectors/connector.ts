// A connector turns pbxdesk's outbound events into what one external system takes (signed
// JSON webhooks, Zammad's generic CTI, ...) and sends them. Delivery order, retries, backoff
// and dead letters are the outbound module's job, the same for every connector. A connector
// is one file here, `<name>.connector.ts`, exporting `connector`: loadConnectors finds it, so
// adding osTicket or Znuny changes nothing else.
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundEventType } from '../outbound/outbound.table.js';

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

/** POST with a timeout; any 2xx is delivered, anything else (or no answer) is a failure. */
export async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
  try {
    const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await r.arrayBuffer().catch(() => undefined);
    return r.ok ? { ok: true, status: r.status } : { ok: false, status: r.status, error: `HTTP ${r.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, status: null, error: e.cause?.code ?? e.name ?? e.message };
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
