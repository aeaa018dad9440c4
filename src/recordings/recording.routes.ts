import { createReadStream } from 'node:fs';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConflictError } from '../errors.js';
import { requireRole } from '../http/auth.hook.js';
import { ErrorBody, UuidParam } from '../http/schemas.js';
import type { RecordingService } from './recording.service.js';

const RecordingDto = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  status: Type.String(),
  format: Type.String(),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Type.String(), Type.Null()]),
  path: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
});

export const recordingRoutes =
  (recordings: RecordingService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const auth = requireRole('admin', 'supervisor');
    app.get(
      '/recordings/:id',
      { preHandler: auth, schema: { params: UuidParam, response: { 200: RecordingDto, 404: ErrorBody } } },
      async (req) => {
        const r = await recordings.get(req.params.id);
        return {
          id: r.id,
          callId: r.call_id,
          status: r.status,
          format: r.format,
          durationMs: r.duration_ms,
          sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
          sha256: r.sha256,
          path: r.archive_path,
          error: r.error,
          startedAt: r.started_at.toISOString(),
          endedAt: r.ended_at?.toISOString() ?? null,
        };
      },
    );

    app.get(
      '/recordings/:id/audio',
      {
        preHandler: auth,
        schema: {
          params: UuidParam,
          response: {
            200: { description: 'the archived audio', content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } },
            404: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const r = await recordings.get(req.params.id);
        if (!r.archive_path) throw new ConflictError(`recording ${r.id} is ${r.status}, not archived yet`, { status: r.status });
        // A stream is never serialised, so the binary 200 schema above only documents it.
        return reply.type('audio/wav').send(createReadStream(r.archive_path) as unknown as string);
      },
    );
  };
