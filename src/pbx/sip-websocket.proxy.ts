// The panel's softphone speaks SIP over a WebSocket to Asterisk. The browser does not reach
// Asterisk's HTTP server itself: it opens /panel/sip on the service (same origin, same session
// cookie), and this proxy splices the upgraded connection onto Asterisk's /ws. So only signed-in
// panels get to send SIP at all (the SIP digest still applies), Asterisk's HTTP server (which
// also carries ARI) stays on loopback, and one TLS terminator in front of the service covers it.
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

export const SIP_WS_PATH = '/panel/sip';

export interface SipWebSocketProxyOptions {
  /** Asterisk's SIP WebSocket, e.g. ws://127.0.0.1:8088/ws. */
  upstream: string;
  /** Whether the upgrade request belongs to a signed-in panel (its cookie). */
  authorize(req: IncomingMessage): Promise<boolean>;
  /** Origins a browser may open the relay from besides the request's own Host (HTTP_PUBLIC_ORIGINS). */
  allowedOrigins?: readonly string[];
  /**
   * How often an open relay asks `authorize` again: a session that ended (sign-out, a password
   * reset, idle or absolute timeout) loses its SIP connection, and with it its registration
   * (Asterisk removes a contact whose connection-oriented transport goes down).
   */
  recheckMs?: number;
  log: Logger;
}

/**
 * Cross-site WebSocket hijacking: a page elsewhere could open the relay with the operator's
 * cookie. Browsers always send Origin on a WebSocket upgrade, so a browser's upgrade must come
 * from the service's own origin; a client without Origin is no browser and has no cookie to abuse.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[] = []): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin.replace(/\/+$/, ''))) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function attachSipWebSocketProxy(server: Server, o: SipWebSocketProxyOptions): void {
  const up = new URL(o.upstream);
  const port = Number(up.port || (up.protocol === 'wss:' ? 443 : 80));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== SIP_WS_PATH) return; // not ours: others may listen
    socket.on('error', () => undefined);
    if (!originAllowed(req.headers.origin, req.headers.host, o.allowedOrigins)) {
      o.log.warn({ origin: req.headers.origin }, 'SIP WebSocket refused: foreign Origin');
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    o.authorize(req).then(
      (ok) => {
        if (!ok) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
          return;
        }
        const close = splice(req, socket, head, up, port, o.log);
        const timer = setInterval(() => {
          o.authorize(req).then(
            (still) => {
              if (still) return;
              o.log.info('SIP WebSocket closed: its panel session has ended');
              close();
            },
            () => undefined, // cannot tell now (the database away): asked again next time
          );
        }, o.recheckMs ?? 60_000);
        timer.unref();
        socket.on('close', () => clearInterval(timer));
      },
      () => socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'),
    );
  });
}

/** Joins the browser's socket to Asterisk's; returns what closes both. */
function splice(req: IncomingMessage, client: Duplex, head: Buffer, up: URL, port: number, log: Logger): () => void {
  // wss:// when Asterisk's HTTP server is on another host behind TLS; ws:// on loopback.
  const tlsUp = up.protocol === 'wss:';
  const upstream = tlsUp ? tls.connect({ host: up.hostname, port, servername: up.hostname }) : net.connect(port, up.hostname);
  upstream.on(tlsUp ? 'secureConnect' : 'connect', () => {
    // Only what the WebSocket handshake needs; the cookie stays with us.
    const keep = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'user-agent'];
    const lines = [`GET ${up.pathname || '/ws'} HTTP/1.1`, `host: ${up.host}`];
    for (const h of keep) {
      const v = req.headers[h];
      if (v !== undefined) lines.push(`${h}: ${Array.isArray(v) ? v.join(', ') : v}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', (err) => {
    log.warn({ err: err.message }, 'SIP WebSocket upstream failed');
    close();
  });
  upstream.on('close', close);
  client.on('close', close);
  return close;
}
