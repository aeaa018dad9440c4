// One TicketNotifier that tells several (outbound events, the operator panels): TicketService
// takes one. A notifier that throws does not keep the others from hearing of the change.
import type { TicketNotifier } from './ticket.service.js';

export function allNotifiers(...ns: TicketNotifier[]): TicketNotifier {
  const each = (fn: (n: TicketNotifier) => void) => {
    for (const n of ns) {
      try {
        fn(n);
      } catch {
        // a notifier's own failure is its own to log; the ticket change stands
      }
    }
  };
  return {
    ticketCreated: (t) => each((n) => n.ticketCreated(t)),
    ticketUpdated: (t, changes) => each((n) => n.ticketUpdated(t, changes)),
    slaChanged: (t, state, target) => each((n) => n.slaChanged(t, state, target)),
  };
}
