// Keeps one ARI connection up forever: the Stasis app's event websocket (Node's own WebSocket)
// and the REST requests (ari-rest.ts). A websocket that drops or cannot be opened is opened
// again with a capped backoff, for as long as the service runs. Not ari-client: its swagger
// layer cost about a third of the service's CPU per call (ari-rest.ts), and it gave up its
// websocket after 10 retries.
import { EventEmitter } from 'node:events';
import { WebSocket } from 'node:http';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import { AriRest } from './ari-rest.js';

export interface AriSettings {
  url: string;
  user: string;
  password: string;
  app: string;
  reconnectMaxDelayMs: number;
}

/**
 * True only when Asterisk answers and refuses the credentials (401). An Asterisk that is
 * down is not a reason to stop: the connection keeps retrying for that.
 */
export async function ariCredentialsRefused(s: Pick<AriSettings, 'url' | 'user' | 'password'>): Promise<boolean> {
  const res = await fetch(`${s.url}/ari/asterisk/ping`, {
    headers: { authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(3000),
  }).catch(() => undefined);
  return res?.status === 401;
}

export class AriConnection extends EventEmitter {
  private readonly rest: AriRest;
  private ws: InstanceType<typeof WebSocket> | undefined;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private eventTypes: readonly string[] | undefined;
  reconnects = 0;

  constructor(private readonly s: AriSettings, private readonly log: Logger) {
    super();
    this.rest = new AriRest(s);
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** The REST side, while the app's websocket is up (Asterisk knows the app only then). */
  current(): AriRest | undefined {
    return this.connected ? this.rest : undefined;
  }

  start(): void {
    this.open();
  }

  /**
   * Asks Asterisk to send the app only these event types, at every connect (an app made again
   * after a reconnect or an Asterisk restart starts unfiltered). A call raises several times
   * more events than the service acts on (variables set, state changes, bridge entries, talk
   * detection...): each one costs Asterisk a JSON message and us a frame and a parse.
   */
  onlyEvents(types: readonly string[]): void {
    this.eventTypes = types;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
    this.connected = false;
  }

  private open(): void {
    if (this.stopped || this.ws) return;
    const u = new URL(this.s.url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    // api_key in the query, as ari-client sent it: Asterisk takes it instead of a Basic header.
    const ws = new WebSocket(`${base}/ari/events?app=${encodeURIComponent(this.s.app)}&api_key=${encodeURIComponent(this.s.user)}:${encodeURIComponent(this.s.password)}`);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.connected = true;
      this.attempt = 0;
      const reconnect = this.everConnected;
      if (reconnect) this.reconnects++;
      this.everConnected = true;
      this.filterEvents();
      this.log.info({ reconnect }, 'ARI connected');
      this.emit('connected', reconnect);
    };
    ws.onmessage = (m) => {
      if (this.ws !== ws || typeof m.data !== 'string') return;
      let event: { type: string };
      try {
        event = JSON.parse(m.data) as { type: string };
      } catch {
        this.log.warn('ARI event that is not JSON ignored');
        return;
      }
      try {
        this.emit('event', event);
      } catch (err) {
        this.log.error({ err: (err as Error).message, stack: (err as Error).stack, type: event.type }, 'ARI event handler failed');
      }
    };
    // Either event ends this socket: Node's WebSocket gives only 'error', no 'close', when the
    // connection cannot be made at all; an open one that drops gives 'close'.
    ws.onerror = (e) => this.down(ws, (e as { message?: string }).message ?? 'websocket error');
    ws.onclose = () => this.down(ws, 'closed');
  }

  private filterEvents(): void {
    if (!this.eventTypes) return;
    // Not awaited: until it applies, the events it leaves out still come and are ignored as before.
    this.rest
      .put(`/applications/${encodeURIComponent(this.s.app)}/eventFilter`, undefined, { allowed: this.eventTypes.map((type) => ({ type })) })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'ARI event filter not set: every event of the app comes'));
  }

  private down(ws: InstanceType<typeof WebSocket>, why: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    try {
      ws.close();
    } catch {
      // already closed
    }
    const wasConnected = this.connected;
    this.connected = false;
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.s.reconnectMaxDelayMs);
    if (wasConnected) {
      this.log.warn({ why, delayMs: delay }, 'ARI websocket lost, reconnecting');
      this.emit('disconnected');
    } else {
      this.log.warn({ err: why, delayMs: delay }, 'ARI connect failed, retrying');
    }
    this.timer = setTimeout(() => this.open(), delay);
  }
}
