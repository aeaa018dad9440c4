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

export interface Connector {
  readonly name: string;
  /** The event types a subscription of this connector may ask for. */
  readonly events: readonly OutboundEventType[];
  send(ev: OutboundEvent, target: ConnectorTarget): Promise<SendResult>;
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
