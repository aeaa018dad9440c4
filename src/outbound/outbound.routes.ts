import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam, Nullable } from '../http/schemas.js';
import type { OutboundService } from './outbound.service.js';
import type { OutboundSubscriptionRow } from './outbound.table.js';

const Subscription = Type.Object({
  id: Type.String(),
  connector: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String(),
});
const toDto = (s: OutboundSubscriptionRow) => ({ id: s.id, connector: s.connector, url: s.url, events: s.events, description: s.description, active: s.active, createdAt: s.created_at.toISOString() });

const Delivery = Type.Object({
  id: Type.String(),
  subscriptionId: Type.String(),
  eventId: Type.String(),
  type: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String(),
  lastError: Nullable(Type.String()),
  lastStatus: Nullable(Type.Integer()),
  deliveredAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

const admin = requireRole('admin');

/** Webhook subscriptions and helpdesk connectors (admins only): subscribe, list, dead letters, redrive. */
export const outboundRoutes =
  (outbound: OutboundService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/webhooks',
      {
        preHandler: admin,
        schema: {
          body: Type.Object(
            {
              connector: Type.String({ pattern: '^[a-z0-9-]{1,32}$', default: 'webhook' }),
              url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 }),
              events: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32, uniqueItems: true })),
              description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ ...Subscription.properties, secret: Type.String() }), 422: ErrorBody },
        },
      },
      async (req, reply) => {
        const { sub, secret } = await outbound.subscribe(req.body);
        // The secret is shown once, here: it signs every request this subscriber gets.
        return reply.code(201).send({ ...toDto(sub), secret });
      },
    );

    app.get('/webhooks', { preHandler: admin, schema: { response: { 200: Type.Object({ subscriptions: Type.Array(Subscription), connectors: Type.Array(Type.String()) }) } } }, async () => ({
      subscriptions: (await outbound.list()).map(toDto),
      connectors: outbound.connectorNames(),
    }));

    app.delete('/webhooks/:id', { preHandler: admin, schema: { params: IdParam, response: { 204: Type.Null(), 404: ErrorBody } } }, async (req, reply) => {
      await outbound.unsubscribe(req.params.id);
      return reply.code(204).send(null);
    });

    app.get(
      '/webhooks/deliveries',
      {
        preHandler: admin,
        schema: {
          querystring: Type.Object(
            {
              subscription: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
              /** dead: the dead-letter list. */
              status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ deliveries: Type.Array(Delivery) }) },
        },
      },
      async (req) => {
        const rows = await outbound.deliveries({ ...(req.query.subscription ? { subscriptionId: req.query.subscription } : {}), ...(req.query.status ? { status: req.query.status } : {}), limit: req.query.limit ?? 100 });
        return {
          deliveries: rows.map((d) => ({
            id: d.id,
            subscriptionId: d.subscription_id,
            eventId: d.event_id,
            type: d.type,
            status: d.status,
            attempts: d.attempts,
            nextAttemptAt: d.next_attempt_at.toISOString(),
            lastError: d.last_error,
            lastStatus: d.last_status,
            deliveredAt: d.delivered_at ? d.delivered_at.toISOString() : null,
            createdAt: d.created_at.toISOString(),
          })),
        };
      },
    );

    app.post('/webhooks/deliveries/:id/redrive', { preHandler: admin, schema: { params: IdParam, body: Type.Object({}, { additionalProperties: false, examples: [{}] }), response: { 202: Type.Null(), 404: ErrorBody } } }, async (req, reply) => {
      await outbound.redrive(req.params.id);
      return reply.code(202).send(null);
    });
  };
