import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import { requireRole } from '../http/auth.hook.js';
import { CallFilters, ErrorBody, UuidParam } from '../http/schemas.js';
import { findCallById, listCallEvents, listCalls } from './call.repository.js';
import { CallDto, toCallDto } from './call.dto.js';

export const callRoutes =
  (db: Kysely<Database>): FastifyPluginAsyncTypebox =>
  async (app) => {
    const read = requireRole('admin', 'supervisor', 'operator');

    app.get(
      '/calls',
      {
        preHandler: read,
        schema: {
          querystring: Type.Object(
            {
              ...CallFilters,
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
              offset: Type.Integer({ minimum: 0, default: 0 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ calls: Type.Array(CallDto) }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => {
        const q = req.query;
        const rows = await listCalls(db, {
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          caller: q.caller,
          line: q.line,
          operatorId: q.operator,
          ticketId: q.ticket,
          limit: q.limit,
          offset: q.offset,
        });
        return { calls: rows.map(toCallDto) };
      },
    );

    app.get(
      '/calls/:id',
      {
        preHandler: read,
        schema: {
          params: UuidParam,
          response: {
            200: Type.Intersect([
              CallDto,
              Type.Object({
                transitions: Type.Array(
                  Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String(), at: Type.String() }),
                ),
              }),
            ]),
            404: ErrorBody,
          },
        },
      },
      async (req) => {
        const call = await findCallById(db, req.params.id);
        if (!call) throw new NotFoundError('call', req.params.id);
        const events = await listCallEvents(db, call.id);
        return {
          ...toCallDto(call),
          transitions: events.map((e) => ({ from: e.from_status, to: e.to_status, at: e.at.toISOString() })),
        };
      },
    );
  };
