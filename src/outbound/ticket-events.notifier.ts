// Ticket changes as outbound events (webhooks, connectors). The wallboard's live feed (the
// panel issue) will be another TicketNotifier next to this one.
import type { TicketNotifier } from '../tickets/ticket.service.js';
import { toTicketSummary } from '../tickets/ticket.dto.js';
import type { EventPublisher } from './outbound.service.js';

export function ticketEventsNotifier(out: EventPublisher): TicketNotifier {
  return {
    ticketCreated: (t) => void out.publish('ticket.created', { ticket: toTicketSummary(t) }),
    ticketUpdated: (t, changes) => {
      // A call's new ticket getting its first line as the caller queues is the panels' news (their
      // lists), not the helpdesks': an event per call for it would be a write per call for nothing.
      // A move between lines (an escalation, a transfer) is sent like any change.
      const keys = Object.keys(changes);
      if (keys.length === 1 && changes.line && changes.line.from === null) return;
      void out.publish('ticket.updated', { ticket: toTicketSummary(t), changes });
    },
    slaChanged: (t, state, target) => {
      if (state === 'breached') void out.publish('sla.breached', { ticket: toTicketSummary(t), target });
      else void out.publish('ticket.updated', { ticket: toTicketSummary(t), changes: { sla: { from: 'ok', to: 'nearing' }, target } });
    },
  };
}
