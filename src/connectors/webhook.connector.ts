// pbxdesk's own webhooks: the event as JSON, signed (outbound/webhook-signing.ts), with the
// event and delivery ids so a receiver can drop a repeat (a delivery retried after a timeout).
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../outbound/webhook-signing.js';
import { OUTBOUND_EVENT_TYPES } from '../outbound/outbound.table.js';
import { post, type Connector } from './connector.js';

export const connector: Connector = {
  name: 'webhook',
  events: OUTBOUND_EVENT_TYPES,
  async send(ev, target, ctx) {
    const body = JSON.stringify({ id: ev.id, type: ev.type, occurredAt: ev.occurredAt.toISOString(), data: ev.payload });
    const ts = Math.floor(Date.now() / 1000);
    return post(
      ctx,
      target,
      {
        'content-type': 'application/json',
        'user-agent': 'pbxdesk-webhooks/1',
        'pbxdesk-event': ev.type,
        'pbxdesk-event-id': ev.id,
        'pbxdesk-delivery': target.deliveryId,
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signBody(target.secret, ts, body),
      },
      body,
    );
  },
};
