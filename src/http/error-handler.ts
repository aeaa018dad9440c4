// The one place errors become HTTP responses: {error: {code, message, details?}}.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, RouteNotFoundError } from '../errors.js';

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_json_body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req) => {
    throw new RouteNotFoundError(req.method, req.url.split('?')[0] ?? req.url);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, err.message);
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (err.validation) {
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: `${err.validationContext ?? 'request'} is invalid: ${err.message}`,
          details: { in: err.validationContext, errors: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
        },
      });
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return reply.status(known.status).send({ error: { code: known.code, message: err.message } });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'bad_request', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
}
