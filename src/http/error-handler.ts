// The one place errors become HTTP responses: {error: {code, message, details?}}.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, BadUrlError, InvalidValueError, RouteNotFoundError, DependencyUnavailableError, UnknownReferenceError } from '../errors.js';
import { isUnavailable } from '../db/pg-errors.js';

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_json_body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url' },
};

/**
 * A Postgres error the schemas should have caught, as the client's mistake it is: an unknown
 * referenced id (23503) is a 422, a value out of range or malformed (class 22) a 400. Anything
 * else from Postgres stays a 500.
 */
function fromPostgres(err: { code?: unknown; constraint?: unknown; table?: unknown; severity?: unknown; message: string }): AppError | undefined {
  if (typeof err.code !== 'string' || typeof err.severity !== 'string' || !/^[0-9A-Z]{5}$/.test(err.code)) return undefined;
  if (err.code === '23503') {
    // <table>_<column>_fkey: the column names what was referenced (tickets_assignee_id_fkey: assignee).
    const c = typeof err.constraint === 'string' && typeof err.table === 'string' ? err.constraint.replace(`${err.table}_`, '') : '';
    return new UnknownReferenceError(/^(.+?)(?:_id)?_fkey$/.exec(c)?.[1] ?? 'row');
  }
  if (err.code.startsWith('22')) return new InvalidValueError(err.message);
  return undefined;
}

/** The response for one AppError. */
export function errorBody(err: AppError) {
  return { error: { code: err.code, message: err.message, details: err.details } };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req) => {
    throw new RouteNotFoundError(req.method, req.url.split('?')[0] ?? req.url);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const pg = fromPostgres(err);
    if (pg) {
      req.log.warn({ code: err.code, constraint: (err as { constraint?: unknown }).constraint, message: err.message }, 'a database error answered as a client error');
      return reply.status(pg.status).send(errorBody(pg));
    }
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, err.message);
      return reply.status(err.status).send(errorBody(err));
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
    if (err.code === 'FST_ERR_BAD_URL') return reply.status(400).send(errorBody(new BadUrlError(req.url)));
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return reply.status(known.status).send({ error: { code: known.code, message: err.message } });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'bad_request', message: err.message } });
    }
    if (isUnavailable(err)) {
      req.log.warn({ err: err.message }, 'a store was unreachable: answered 503');
      const e = new DependencyUnavailableError();
      return reply.status(e.status).header('retry-after', '5').send(errorBody(e));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
}
