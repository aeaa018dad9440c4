// Server-Sent Events for the panels and the supervisor pages: one shape of stream, used by
// every route that pushes (the panel's screen pops, the wallboard).
import type { FastifyReply, FastifyRequest } from 'fastify';

/** One open stream, as the notifiers see it. */
export interface EventStream {
  send(event: string, data: unknown): void;
  /** Ends the stream (shutdown: an open event stream would hold the HTTP server open). */
  end(): void;
}

/** The documented 200 of a streaming route. */
export const EventStreamResponse = { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } };

/**
 * Takes the response over as an event stream and hands it to `attach`, whose returned detach
 * runs when the client goes away.
 */
export function openEventStream(req: FastifyRequest, reply: FastifyReply, attach: (stream: EventStream) => () => void): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const detach = attach({ send: (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`), end: () => res.end() });
  // A comment now and then keeps proxies from closing an idle stream.
  const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.raw.on('close', () => {
    clearInterval(beat);
    detach();
  });
}
