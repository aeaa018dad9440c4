// The caller's own copy: the customer control panel (role `panel`, a trusted backend acting for
// a signed-in customer) lists and plays a verified customer's recordings. Only calls bound to
// the account by a one-time code qualify; a phone number alone proves nothing. Every play and
// refusal is audited like any other.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, Nullable } from '../http/schemas.js';
import type { RecordingAccessService } from './recording-access.service.js';

const AccountParam = Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 128 }) });

export const accountRecordingRoutes =
  (access: RecordingAccessService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const panel = requireRole('panel', 'admin');

    app.get(
      '/accounts/:accountId/recordings',
      {
        preHandler: panel,
        schema: {
          params: AccountParam,
          querystring: Type.Object(
            { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              recordings: Type.Array(
                Type.Object({
                  id: Type.String(), callId: Nullable(Type.String()), kind: Type.String(), status: Type.String(), durationMs: Nullable(Type.Integer()),
                  startedAt: Type.String(), line: Nullable(Type.String()), verifiedAt: Nullable(Type.String()),
                }),
              ),
            }),
          },
        },
      },
      async (req) => ({
        recordings: (await access.ownRecordings(req.params.accountId, req.query.limit, req.query.offset)).map((r) => ({
          id: r.id, callId: r.call_id, kind: r.kind, status: r.status, durationMs: r.duration_ms, startedAt: r.started_at.toISOString(), line: r.line,
          verifiedAt: r.verified_at ? r.verified_at.toISOString() : null,
        })),
      }),
    );

    app.get(
      '/accounts/:accountId/recordings/:id/audio',
      {
        preHandler: panel,
        schema: {
          params: Type.Object({ ...AccountParam.properties, id: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object({ download: Type.Boolean({ default: false }), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
          response: {
            200: { description: 'the whole recording', content: { 'audio/ogg': { schema: { type: 'string', format: 'binary' } } } },
            206: { description: 'the requested byte range', content: { 'audio/ogg': { schema: { type: 'string', format: 'binary' } } } },
            403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 416: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const a = await access.ownAudio({ principal: principalOf(req), ip: req.ip }, req.params.accountId, req.params.id, { range: req.headers.range, download: req.query.download, reason: req.query.reason });
        reply.status(a.status).type(a.mime).header('accept-ranges', 'bytes').header('content-length', String(a.end - a.start + 1));
        if (a.status === 206) reply.header('content-range', `bytes ${a.start}-${a.end}/${a.size}`);
        if (a.download) reply.header('content-disposition', `attachment; filename="${a.fileName}"`);
        return reply.send(a.stream as unknown as string);
      },
    );
  };
