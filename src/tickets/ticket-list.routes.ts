import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import type { TicketService } from './ticket.service.js';
import type { TicketListService } from './ticket-list.service.js';
import { TICKET_VIEWS } from './ticket-list-rules.js';
import { TicketListItem, toTicketListItem } from './ticket-list.dto.js';
import { TICKET_PRIORITIES } from './ticket.table.js';

const View = Type.Union(TICKET_VIEWS.map((v) => Type.Literal(v)));

/** The operator panel's ticket lists: GET /api/tickets/views/mine|unassigned|sla|waiting. */
export const ticketListRoutes =
  (tickets: TicketService, lists: TicketListService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/tickets/views/:view',
      {
        // Not "own": a list is filtered to the caller's line, never refused (like GET /api/tickets).
        preHandler: requireRole('admin', 'supervisor', 'operator'),
        schema: {
          summary: "A ticket list of the caller's line: mine, unassigned, SLA nearing or breached (with time left), waiting for the customer",
          description:
            'Open tickets only (new, open, waiting for the customer). `mine`: assigned to the signed-in operator, latest change first; `unassigned`: nobody\'s yet, oldest first; `sla`: a target not met yet with 80% of its time gone or past due, most urgent first; `waiting`: waiting for the customer, longest first. An operator gets their line\'s tickets (the second line also those escalated to it), a supervisor\'s panel their own line\'s, an API token of no operator every line\'s. Filtered and counted before paging. Search: `GET /api/tickets`.',
          params: Type.Object({ view: View }),
          querystring: Type.Object(
            {
              priority: Type.Optional(Type.Union(TICKET_PRIORITIES.map((p) => Type.Literal(p)))),
              category: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
              offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ view: View, total: Type.Integer(), at: Type.String(), tickets: Type.Array(TicketListItem) }), 400: ErrorBody, 403: ErrorBody },
        },
      },
      async (req) => {
        const { limit, offset, ...filters } = req.query;
        const r = await lists.view(await tickets.actorOf(principalOf(req)), req.params.view, { ...filters, limit: limit ?? 50, offset: offset ?? 0 });
        return { view: req.params.view, total: r.total, at: r.at.toISOString(), tickets: r.rows.map((t) => toTicketListItem(t, r.at)) };
      },
    );
  };
