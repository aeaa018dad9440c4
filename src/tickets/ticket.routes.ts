import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam, Line, Nullable } from '../http/schemas.js';
import { CallDto, toCallDto } from '../calls/call.dto.js';
import type { TicketService } from './ticket.service.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './ticket.table.js';
import { summaryFields, TicketSummary, toTicketSummary } from './ticket.dto.js';
import { canMove } from './ticket-rules.js';

const Status = Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s)));
const Priority = Type.Union(TICKET_PRIORITIES.map((p) => Type.Literal(p)));
const Id = Type.String({ pattern: '^[0-9]{1,18}$' });
const Category = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });

const TicketDto = Type.Object({
  ...summaryFields,
  calls: Type.Array(CallDto),
  /** Every number the customer called from on this ticket. */
  phones: Type.Array(Type.String()),
  notes: Type.Array(Type.Object({ author: Type.String(), body: Type.String(), at: Type.String() })),
  /** Everything that happened to the ticket, oldest first: calls, voicemails, callbacks, verification, notes, changes. */
  timeline: Type.Array(Type.Object({ at: Type.String(), kind: Type.String(), actor: Type.String(), data: Type.Record(Type.String(), Type.Unknown()) })),
  /** The ticket in external helpdesks (RT): its id there and whether the last sync worked. */
  /** The statuses the ticket may be moved to now (none once merged away): the panel offers only these. */
  nextStatuses: Type.Array(Type.String()),
  sync: Type.Array(
    Type.Object({ connector: Type.String(), remoteId: Nullable(Type.String()), remoteUrl: Nullable(Type.String()), state: Type.String(), lastError: Nullable(Type.String()), syncedAt: Nullable(Type.String()) }),
  ),
});

const NewTicket = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    priority: Type.Optional(Priority),
    category: Type.Optional(Nullable(Category)),
    line: Type.Optional(Nullable(Line)),
    callerNumber: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9]{3,20}$' }))),
    accountId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    customerName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    assigneeId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);
const TicketPatch = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    category: Type.Optional(Nullable(Category)),
    line: Type.Optional(Line),
    assigneeId: Type.Optional(Nullable(Id)),
    customerName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Search = Type.Object(
  {
    number: Type.Optional(Id),
    customer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 32 })),
    operator: Type.Optional(Id),
    line: Type.Optional(Line),
    status: Type.Optional(Status),
    priority: Type.Optional(Priority),
    category: Type.Optional(Category),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Full text over subject, description and notes; Russian and English word forms. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);

const staff = requireRole('admin', 'supervisor', 'operator');
// An operator reaches only their line's tickets (the service answers 403 ticket_forbidden).
const ownLine = { access: { line: 'own' as const } };

export const ticketRoutes =
  (tickets: TicketService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const actor = (req: FastifyRequest) => tickets.actorOf(principalOf(req));
    const full = async (req: FastifyRequest, id: string) => {
      const { ticket, calls, notes, timeline, sync } = await tickets.get(await actor(req), id);
      return {
        ...toTicketSummary(ticket),
        calls: calls.map(toCallDto),
        phones: [...new Set([ticket.caller_number, ...calls.map((c) => c.caller_number)].filter((n): n is string => !!n))],
        notes: notes.map((n) => ({ author: n.author, body: n.body, at: n.created_at.toISOString() })),
        timeline: timeline.map((e) => ({ at: e.at.toISOString(), kind: e.kind, actor: e.actor, data: e.data })),
        nextStatuses: ticket.merged_into ? [] : TICKET_STATUSES.filter((s) => canMove(ticket.status, s)),
        sync: sync.map((l) => ({ connector: l.connector, remoteId: l.remote_id, remoteUrl: l.remote_url, state: l.sync_state, lastError: l.last_error, syncedAt: l.synced_at ? l.synced_at.toISOString() : null })),
      };
    };

    app.get(
      '/tickets',
      { preHandler: staff, schema: { querystring: Search, response: { 200: Type.Object({ total: Type.Integer(), tickets: Type.Array(TicketSummary) }), 403: ErrorBody } } },
      async (req) => {
        const { from, to, limit, offset, ...rest } = req.query;
        const r = await tickets.search(await actor(req), {
          ...rest,
          ...(from ? { from: new Date(from) } : {}),
          ...(to ? { to: new Date(to) } : {}),
          limit: limit ?? 50,
          offset: offset ?? 0,
        });
        return { total: r.total, tickets: r.rows.map(toTicketSummary) };
      },
    );

    app.post(
      '/tickets',
      { preHandler: staff, schema: { body: NewTicket, response: { 201: TicketSummary, 400: ErrorBody } } },
      async (req, reply) => {
        const t = await tickets.create(await actor(req), req.body);
        return reply.code(201).send(toTicketSummary(t));
      },
    );

    app.get(
      '/tickets/:id',
      { preHandler: staff, config: ownLine, schema: { params: IdParam, response: { 200: TicketDto, 403: ErrorBody, 404: ErrorBody } } },
      async (req) => full(req, req.params.id),
    );

    app.patch(
      '/tickets/:id',
      { preHandler: staff, config: ownLine, schema: { params: IdParam, body: TicketPatch, response: { 200: TicketSummary, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
      async (req) => toTicketSummary(await tickets.update(await actor(req), req.params.id, req.body)),
    );

    app.post(
      '/tickets/:id/notes',
      {
        preHandler: staff,
        config: ownLine,
        schema: {
          params: IdParam,
          body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }),
          response: { 201: Type.Object({ notes: Type.Array(Type.Object({ author: Type.String(), body: Type.String(), at: Type.String() })) }), 404: ErrorBody },
        },
      },
      async (req, reply) => {
        const notes = await tickets.addNote(await actor(req), req.params.id, req.body.body);
        return reply.code(201).send({ notes: notes.map((n) => ({ author: n.author, body: n.body, at: n.created_at.toISOString() })) });
      },
    );

    app.post(
      '/tickets/:id/merge',
      {
        preHandler: staff,
        config: ownLine,
        schema: {
          params: IdParam,
          body: Type.Object({ into: Id }, { additionalProperties: false }),
          response: { 200: TicketSummary, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => toTicketSummary(await tickets.merge(await actor(req), req.params.id, req.body.into)),
    );

    app.post(
      '/tickets/:id/split',
      {
        preHandler: staff,
        config: ownLine,
        schema: {
          params: IdParam,
          body: Type.Object(
            { subject: Type.String({ minLength: 1, maxLength: 500 }), callIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100 }) },
            { additionalProperties: false },
          ),
          response: { 201: TicketSummary, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => reply.code(201).send(toTicketSummary(await tickets.split(await actor(req), req.params.id, req.body))),
    );
  };
