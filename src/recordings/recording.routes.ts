import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { CallFilters, ErrorBody, IdParam, Nullable, UuidParam } from '../http/schemas.js';
import type { CustodyService } from './custody.service.js';
import type { AccessContext, RecordingAccessService } from './recording-access.service.js';


const RecordingDto = Type.Object({
  id: Type.String(),
  callId: Nullable(Type.String()),
  status: Type.String(),
  format: Type.String(),
  codec: Nullable(Type.String()),
  durationMs: Nullable(Type.Integer()),
  sourceDurationMs: Nullable(Type.Integer()),
  sizeBytes: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  path: Nullable(Type.String()),
  error: Nullable(Type.String()),
  legalHold: Type.Boolean(),
  startedAt: Type.String(),
  endedAt: Nullable(Type.String()),
  peaks: Nullable(Type.Array(Type.Number())),
  kind: Type.Union([Type.Literal('call'), Type.Literal('voicemail'), Type.Literal('caller-leg'), Type.Literal('operator-leg')]),
  /** Stretches deliberately not recorded (the caller keying a verification code). */
  pauses: Type.Array(Type.Object({ reason: Type.String(), at: Type.String(), resumedAt: Nullable(Type.String()) })),
});

const HoldBody = Type.Object({ hold: Type.Boolean(), reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false });

const ctxOf = (req: FastifyRequest): AccessContext => ({ principal: principalOf(req), ip: req.ip });

export const recordingRoutes =
  (access: RecordingAccessService, custody: CustodyService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const staff = requireRole('admin', 'supervisor');
    const listeners = requireRole('admin', 'supervisor', 'operator');

    app.get(
      '/recordings',
      {
        preHandler: listeners,
        schema: {
          querystring: Type.Object(
            {
              ...CallFilters,
              minDuration: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'seconds' })),
              verified: Type.Optional(Type.Boolean({ description: 'only calls whose caller was verified (true) or was not (false)' })),
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
              offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              recordings: Type.Array(
                Type.Object({
                  id: Type.String(), callId: Nullable(Type.String()), status: Type.String(), durationMs: Nullable(Type.Integer()),
                  startedAt: Type.String(), callerNumber: Nullable(Type.String()), line: Nullable(Type.String()),
                  operatorId: Nullable(Type.String()), ticketId: Nullable(Type.String()), legalHold: Type.Boolean(),
                }),
              ),
            }),
            400: ErrorBody,
          },
        },
      },
      async (req) => {
        const q = req.query;
        const rows = await access.search(ctxOf(req), {
          from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, operatorId: q.operator, caller: q.caller,
          ticketId: q.ticket, line: q.line, minDurationMs: q.minDuration === undefined ? undefined : q.minDuration * 1000, verified: q.verified,
          limit: q.limit, offset: q.offset,
        });
        return {
          recordings: rows.map((r) => ({
            id: r.id, callId: r.call_id, status: r.status, durationMs: r.duration_ms, startedAt: r.started_at.toISOString(),
            callerNumber: r.caller_number, line: r.line, operatorId: r.operator_id, ticketId: r.ticket_id, legalHold: r.legal_hold,
          })),
        };
      },
    );

    app.get(
      '/recordings/verify',
      {
        preHandler: staff,
        schema: {
          response: {
            200: Type.Object({
              ok: Type.Boolean(), entries: Type.Integer(), filesChecked: Type.Integer(),
              problems: Type.Array(Type.Object({ recordingId: Type.String(), entryId: Type.String(), problem: Type.String(), detail: Type.Optional(Type.String()) })),
            }),
          },
        },
      },
      async () => custody.verifyChain(),
    );

    app.get(
      '/recordings/:id',
      { preHandler: listeners, schema: { params: UuidParam, response: { 200: RecordingDto, 404: ErrorBody } } },
      async (req) => {
        const r = await access.authorize(ctxOf(req), req.params.id);
        return {
          id: r.id, callId: r.call_id, status: r.status, format: r.format, codec: r.codec, durationMs: r.duration_ms,
          sourceDurationMs: r.source_duration_ms, sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes), sha256: r.sha256,
          path: r.archive_path, error: r.error, legalHold: r.legal_hold, startedAt: r.started_at.toISOString(),
          endedAt: r.ended_at?.toISOString() ?? null, peaks: r.peaks, pauses: r.pauses, kind: r.kind,
        };
      },
    );

    app.get(
      '/recordings/:id/audio',
      {
        preHandler: listeners,
        schema: {
          params: UuidParam,
          querystring: Type.Object(
            { download: Type.Boolean({ default: false }), reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
          response: {
            200: { description: 'the whole recording (audio/ogg for Opus)', content: { 'audio/ogg': { schema: { type: 'string', format: 'binary' } } } },
            206: { description: 'the requested byte range', content: { 'audio/ogg': { schema: { type: 'string', format: 'binary' } } } },
            400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 416: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const a = await access.audio(ctxOf(req), req.params.id, { range: req.headers.range, download: req.query.download, reason: req.query.reason });
        reply.status(a.status).type(a.mime).header('accept-ranges', 'bytes').header('content-length', String(a.end - a.start + 1));
        if (a.status === 206) reply.header('content-range', `bytes ${a.start}-${a.end}/${a.size}`);
        if (a.download) reply.header('content-disposition', `attachment; filename="${a.fileName}"`);
        // A stream is never serialised, so the binary schemas above only document it.
        return reply.send(a.stream as unknown as string);
      },
    );

    app.get(
      '/recordings/:id/audit',
      {
        preHandler: staff,
        schema: {
          params: UuidParam,
          response: {
            200: Type.Object({
              entries: Type.Array(Type.Object({
                action: Type.String(), role: Nullable(Type.String()), tokenId: Nullable(Type.String()), operatorId: Nullable(Type.String()),
                ip: Nullable(Type.String()), reason: Nullable(Type.String()), ranges: Nullable(Type.String()), at: Type.String(),
              })),
            }),
            404: ErrorBody,
          },
        },
      },
      async (req) => ({
        entries: (await access.auditTrail(req.params.id)).map((e) => ({
          action: e.action, role: e.role, tokenId: e.token_id ?? (e.session_id ? `session:${e.session_id}` : null), operatorId: e.operator_id, ip: e.ip, reason: e.reason, ranges: e.ranges, at: e.at.toISOString(),
        })),
      }),
    );

    const hold = (target: 'recordings' | 'calls' | 'tickets', params: typeof UuidParam | typeof IdParam) =>
      app.put(
        `/${target}/:id/legal-hold`,
        { preHandler: staff, schema: { params, body: HoldBody, response: { 200: Type.Object({ id: Type.String(), legalHold: Type.Boolean() }), 404: ErrorBody } } },
        async (req) => {
          const { id } = req.params as { id: string };
          await access.legalHold(ctxOf(req), target, id, req.body.hold, req.body.reason);
          return { id, legalHold: req.body.hold };
        },
      );
    hold('recordings', UuidParam);
    hold('calls', UuidParam);
    hold('tickets', IdParam);

    app.post(
      '/accounts/:accountId/erase-recordings',
      {
        preHandler: requireRole('admin'),
        schema: {
          summary: "GDPR erasure of one customer's recordings",
          description:
            'Deletes every recording of calls bound to the verified account (or on tickets bound to it), each deletion audited (`erase`) with who and the required reason. Recordings under a legal hold are kept and listed in `heldBack`.',
          params: Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 128 }) }),
          body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false, examples: [{ reason: 'GDPR request #4711' }] }),
          response: { 200: Type.Object({ accountId: Type.String(), erased: Type.Array(Type.String()), heldBack: Type.Array(Type.String()) }), 400: ErrorBody, 403: ErrorBody },
        },
      },
      async (req) => {
        const p = principalOf(req);
        return custody.eraseAccount(req.params.accountId, { tokenId: p.tokenId, role: p.role, operatorId: p.operatorId, ip: req.ip }, req.body.reason);
      },
    );
  };
