// Keeps one ARI connection up forever. ari-client retries its websocket only 10 times
// (about 43 s, then WebSocketMaxRetries) and fetches the API spec only at connect(), so
// after it gives up, or when the first connect fails, we start over with a new client.
import { EventEmitter } from 'node:events';
import ari, { type AriClient } from 'ari-client';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';

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
  private client: AriClient | undefined;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  reconnects = 0;

  constructor(private readonly s: AriSettings, private readonly log: Logger) {
    super();
  }

  isConnected(): boolean {
    return this.connected;
  }

  current(): AriClient | undefined {
    return this.connected ? this.client : undefined;
  }

  start(): void {
    void this.connectLoop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client?.stop();
    this.client?.removeAllListeners();
    this.connected = false;
  }

  private async connectLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const client = await ari.connect(this.s.url, this.s.user, this.s.password);
        if (this.stopped) return;
        this.wire(client);
        await client.start(this.s.app);
        return;
      } catch (err) {
        const delay = backoffDelay(this.attempt++, this.s.reconnectMaxDelayMs);
        this.log.warn({ err: (err as Error).message, delayMs: delay }, 'ARI connect failed, retrying');
        await new Promise((r) => (this.timer = setTimeout(r, delay)));
      }
    }
  }

  private wire(client: AriClient): void {
    this.client?.removeAllListeners();
    this.client = client;
    // ari-client emits each event by its type name; we forward them all through one channel.
    client.on('*', (event: { type: string }) => this.emit('event', event));
    client.on('WebSocketConnected', () => {
      this.connected = true;
      this.attempt = 0;
      const reconnect = this.everConnected;
      if (reconnect) this.reconnects++;
      this.everConnected = true;
      this.log.info({ reconnect }, 'ARI connected');
      this.emit('connected', reconnect);
    });
    client.on('WebSocketReconnecting', () => {
      if (this.connected) this.emit('disconnected');
      this.connected = false;
      this.log.warn('ARI websocket lost, ari-client retrying');
    });
    client.on('WebSocketMaxRetries', () => {
      if (this.connected) this.emit('disconnected');
      this.connected = false;
      this.log.warn('ari-client gave up; reconnecting with a new client');
      client.removeAllListeners();
      if (!this.stopped) void this.connectLoop();
    });
  }
}
