// The operator's tickets between calls, wired in one place: the list views' service and route,
// and the feed of ticket changes to the panels (next to the notifier TicketService had).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { TicketNotifier, TicketService } from '../tickets/ticket.service.js';
import { TicketListService } from '../tickets/ticket-list.service.js';
import { ticketListRoutes } from '../tickets/ticket-list.routes.js';
import { allNotifiers } from '../tickets/ticket-notifiers.js';
import type { PanelNotifier } from './panel.notifier.js';
import { PanelTicketsNotifier } from './panel-tickets.notifier.js';

export function panelTicketsModule(d: {
  db: Db;
  tickets: TicketService;
  panels: PanelNotifier;
  /** The lines an operator serves (operators.lines: the home line and any others). */
  lineOf: (operatorId: string) => Promise<readonly Line[]>;
  log: Logger;
}): {
  routes: FastifyPluginAsyncTypebox;
  notifier: (...others: TicketNotifier[]) => TicketNotifier;
  /** An operator's row changed (their served lines may have): pushes follow at once. */
  operatorChanged: (op: { id: string; lines: readonly Line[] }) => void;
} {
  const feed = new PanelTicketsNotifier(d.panels, d.lineOf, d.log);
  return {
    routes: ticketListRoutes(d.tickets, new TicketListService(d.db)),
    notifier: (...others) => allNotifiers(...others, feed),
    operatorChanged: (op) => feed.operatorChanged(op),
  };
}
