// Ticket changes as outbound events (webhooks, connectors). The wallboard's live feed (the
// panel issue) will be another TicketNotifier next to this one.
import type { TicketNotifier } from '../tickets/ticket.service.js';
import { toTicketSummary } from '../tickets/ticket.dto.js';
import type { EventPublisher } from './outbound.service.js';

export function ticketEventsNotifier(out: EventPublisher): TicketNotifier {
  return {
    ticketCreated: (t) => void out.publish('ticket.created', { ticket: toTicketSummary(t) }),
    ticketUpdated: (t, changes) => void out.publish('ticket.updated', { ticket: toTicketSummary(t), changes }),
    slaChanged: (t, state, target) => {
      if (state === 'breached') void out.publish('sla.breached', { ticket: toTicketSummary(t), target });
      else void out.publish('ticket.updated', { ticket: toTicketSummary(t), changes: { sla: { from: 'ok', to: 'nearing' }, target } });
    },
  };
}
