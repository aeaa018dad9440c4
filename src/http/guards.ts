// The ecosystem's guards, registered once for the whole server: security headers (helmet), the
// cookie parser (@fastify/cookie), and rate limiting (@fastify/rate-limit, counters in Redis so
// a limit holds across instances). Rate limiting is opt-in per route:
//   app.post('/x', { config: { rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: (req) => ... } } }, ...)
// A refused request is a 429 rate_limited in the one error shape, with Retry-After.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../errors.js';

export async function registerGuards(app: FastifyInstance, limits?: { redis: Redis; prefix: string }): Promise<void> {
  await app.register(cookie);
  await app.register(helmet, {
    // JSON answers and anything without its own policy: same-origin only, never framed. The panel
    // pages set their own (stricter) policy, the API reference its own (swagger-ui's hashes).
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
      },
    },
    // Plain http on loopback and behind a TLS terminator both exist: HSTS is the terminator's call.
    strictTransportSecurity: false,
  });
  await app.register(rateLimit, {
    global: false,
    ...(limits ? { redis: limits.redis, nameSpace: `${limits.prefix}:rate-limit:` } : {}),
    // Redis down: let requests through (the domain's own limits in Postgres still hold).
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.max, ctx.after),
  });
}

/** A request Node's HTTP parser refused (e.g. a URL or headers over 16 KiB): the one error shape, then close. */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? 'request_too_large' : status === 408 ? 'request_timeout' : 'bad_request';
  const body = JSON.stringify({ error: { code, message: status === 431 ? 'the URL or headers are too large' : 'the request could not be read' } });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
