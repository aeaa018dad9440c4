import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/database.js';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { EventStreamResponse, openEventStream } from '../http/event-stream.js';
import { ErrorBody, IdParam, Nullable, UuidParam } from '../http/schemas.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { OperatorService } from '../operators/operator.service.js';
import { PanelOperator, panelOperator } from './panel.dto.js';
import { listPhrases, updatePhrase } from './canned-phrase.repository.js';
import type { PanelNotifier } from './panel.notifier.js';
import { DISPOSITIONS, type WrapUpService } from './wrap-up.service.js';
import type { TicketClaimService } from './ticket-claim.service.js';
import { REPEAT_MATCHES } from './repeat-caller-rules.js';

const Phrase = Type.Object({ id: Type.String(), language: Type.String(), kind: Type.String(), body: Type.String(), updatedBy: Nullable(Type.String()) });

/** The operator panel's API: its live feed (Server-Sent Events), itself, colleagues, phrases, wrap-up. */
export const panelRoutes =
  (db: Db, panels: PanelNotifier, operators: OperatorService, wrapUps: WrapUpService, claims: TicketClaimService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const staff = requireRole('operator', 'supervisor');
    const me = (req: Parameters<typeof principalOf>[0]) => {
      const id = principalOf(req).operatorId;
      if (!id) throw new ForbiddenError(principalOf(req).role, ['an operator (token or panel session bound to one)']);
      return id;
    };

    app.get(
      '/panel/events',
      {
        preHandler: staff,
        schema: {
          summary: 'Live events for the signed-in operator: ringing (with the screen pop), answered, missed, ended, state',
          response: { 200: EventStreamResponse, 403: ErrorBody },
        },
      },
      async (req, reply) => {
        const operatorId = me(req);
        openEventStream(req, reply, (stream) => {
          stream.send('hello', { operatorId });
          return panels.attach(operatorId, stream);
        });
      },
    );

    app.get('/panel/me', { preHandler: staff, schema: { summary: 'The signed-in operator and their state', response: { 200: PanelOperator } } }, async (req) =>
      panelOperator(await operators.get(me(req))),
    );

    app.get(
      '/panel/colleagues',
      {
        preHandler: staff,
        schema: {
          summary: 'Operators and supervisors to transfer to or consult, with their state',
          response: { 200: Type.Object({ colleagues: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), line: Type.String(), state: Type.String(), supervisor: Type.Boolean() })) }) },
        },
      },
      async (req) => {
        const self = me(req);
        return { colleagues: (await operators.list()).filter((o) => o.id !== self).map((o) => ({ id: o.id, name: o.name, line: o.line, state: o.state, supervisor: o.supervisor })) };
      },
    );

    app.get(
      '/panel/phrases',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        schema: {
          summary: 'Canned phrases for the phone ({name}, {position}, {company}, {minutes} are filled in by the panel)',
          querystring: Type.Object({ language: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])) }, { additionalProperties: false }),
          response: { 200: Type.Object({ phrases: Type.Array(Phrase) }) },
        },
      },
      async (req) => ({
        phrases: (await listPhrases(db, req.query.language)).map((p) => ({ id: p.id, language: p.language, kind: p.kind, body: p.body, updatedBy: p.updated_by })),
      }),
    );

    app.put(
      '/panel/phrases/:id',
      {
        preHandler: requireRole('admin', 'supervisor'),
        schema: {
          summary: 'Edit a canned phrase',
          params: IdParam,
          body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false, examples: [{ body: 'Спасибо за ожидание!' }] }),
          response: { 200: Phrase, 404: ErrorBody },
        },
      },
      async (req) => {
        const p = await updatePhrase(db, req.params.id, req.body.body, principalOf(req).tokenId);
        if (!p) throw new NotFoundError('phrase', req.params.id);
        return { id: p.id, language: p.language, kind: p.kind, body: p.body, updatedBy: p.updated_by };
      },
    );

    app.post(
      '/panel/wrap-up',
      {
        preHandler: staff,
        schema: {
          summary: 'Wrap a call up: a disposition and/or a note for its ticket; the operator is then offered calls again',
          body: Type.Object(
            {
              callId: Type.String({ format: 'uuid' }),
              disposition: Type.Optional(Type.Union(DISPOSITIONS.map((d) => Type.Literal(d)))),
              note: Type.Optional(Type.String({ maxLength: 20_000 })),
            },
            { additionalProperties: false, examples: [{ callId: '00000000-0000-4000-8000-000000000000', disposition: 'resolved', note: 'Пароль сброшен' }] },
          ),
          response: { 200: PanelOperator, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => panelOperator(await wrapUps.wrapUp(principalOf(req), req.body.callId, req.body)),
    );
    app.post(
      '/panel/calls/:id/ticket-claim',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        config: { access: { line: 'own' } },
        schema: {
          summary: 'Confirm the ticket the caller keyed but did not prove ("keyed 100032 — not confirmed"), after checking them',
          description:
            'The call moves onto the keyed ticket (the ticket opened for the call alone is merged into it), and a verified caller\'s account is bound to it unless it has another (never overwritten: a flagged `account-conflict` event instead). Allowed to the operator on the call, supervisors and admins. 409 `no_ticket_claim` when the call has no unconfirmed keyed ticket.',
          params: UuidParam,
          body: Type.Object({}, { additionalProperties: false, examples: [{}] }),
          response: { 200: Type.Object({ callId: Type.String(), ticket: Type.Object({ id: Type.String(), number: Type.String() }) }), 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        const t = await claims.confirm(principalOf(req), req.params.id);
        return { callId: req.params.id, ticket: { id: t.id, number: t.number } };
      },
    );

    app.post(
      '/panel/calls/:id/ticket-attach',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        config: { access: { line: 'own' } },
        schema: {
          summary: "Attach a repeat caller's call to one of their other open tickets, as the screen pop offers them (`repeatTickets`)",
          description:
            'The call moves onto the ticket instead of the one opened for it. That ticket is dropped (merged into the chosen one) when it is empty: no notes and no other calls; otherwise it is kept and only the call moves. Only a ticket the pop offers for the call now (an open ticket of the verified account or the calling number, one the call\'s line sees) can be chosen: else 404. One attach per call: a second one, or one racing it, is a 409 `call_attach_conflict`. Allowed to the operator on the call, supervisors and admins. A number match is a hint, not proof of who calls: check the caller first.',
          params: UuidParam,
          body: Type.Object({ ticketId: Type.String({ pattern: '^[0-9]{1,18}$' }) }, { additionalProperties: false, examples: [{ ticketId: '42' }] }),
          response: {
            200: Type.Object({
              callId: Type.String(),
              ticket: Type.Object({ id: Type.String(), number: Type.String() }),
              match: Type.Union([Type.Literal(REPEAT_MATCHES[0]), Type.Literal(REPEAT_MATCHES[1])]),
              fromTicketId: Type.String(),
              dropped: Type.Boolean({ description: 'The ticket opened for the call was empty and merged into this one' }),
            }),
            400: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (req) => {
        const r = await claims.attach(principalOf(req), req.params.id, req.body.ticketId);
        return { callId: req.params.id, ticket: { id: r.ticket.id, number: r.ticket.number }, match: r.match, fromTicketId: r.from, dropped: r.dropped };
      },
    );

    app.put(
      '/panel/calls/:id/account-claim',
      {
        preHandler: requireRole('operator', 'supervisor', 'admin'),
        config: { access: { line: 'own' } },
        schema: {
          summary: 'Name the account the caller says they are: their one-time code is then checked against that account only',
          description:
            'For a call in progress, before asking for the code (`POST /api/calls/:id/verification`): a code of any other account is then wrong, and counts against the named account. Allowed to the operator on the call, supervisors and admins.',
          params: UuidParam,
          body: Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false, examples: [{ accountId: 'acc-1042' }] }),
          response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req, reply) => {
        await claims.nameAccount(principalOf(req), req.params.id, req.body.accountId);
        return reply.status(204).send(null);
      },
    );
  };
