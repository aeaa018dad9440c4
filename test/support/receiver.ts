// A small HTTP receiver for webhook and connector tests: it records every request (headers and
// raw body), and can be told to fail (HTTP 503) for a while, like a helpdesk that is down.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered with 2xx, in arrival order. */
  accepted(): Received[];
  /** Answer the next n requests with 503. */
  failNext(n: number): void;
  /** Answer every request with 503 until up() (a receiver that stays down). */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let failures = 0;
  let isDown = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = isDown || failures > 0;
      if (failures > 0) failures--;
      const status = fail ? 503 : 200;
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((r) => r.status < 300),
    failNext: (n) => void (failures = n),
    down: () => void (isDown = true),
    up: () => void (isDown = false),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
