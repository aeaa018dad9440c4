import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import { ForbiddenError } from '../errors.js';
import type { PanelNotifier } from './panel.notifier.js';

/** The operator panel's live feed (Server-Sent Events): screen pops and call changes for this operator. */
export const panelRoutes =
  (panels: PanelNotifier): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/panel/events',
      {
        preHandler: requireRole('operator'),
        schema: {
          summary: 'Live events for the signed-in operator: ringing (with the screen pop), answered, missed, ended',
          response: { 200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 403: ErrorBody },
        },
      },
      async (req, reply) => {
        const operatorId = principalOf(req).operatorId;
        if (!operatorId) throw new ForbiddenError('operator', ['an operator (token or panel session bound to one)']);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        send('hello', { operatorId });
        const detach = panels.attach(operatorId, { send, end: () => res.end() });
        // A comment now and then keeps proxies from closing an idle stream.
        const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        req.raw.on('close', () => {
          clearInterval(beat);
          detach();
        });
      },
    );
  };
