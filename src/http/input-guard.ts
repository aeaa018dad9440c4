// Input that must never reach a service: text Postgres cannot store (NUL, lone UTF-16
// surrogates, which JSON can carry), bodies that are not UTF-8, numbers beyond what a column
// holds, and dates JavaScript cannot represent (a leap second passes RFC 3339's grammar).
// All of it is refused here with a 400 in the one error shape, for every route at once.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { InvalidTextError } from '../errors.js';

const NUL = /\u0000/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no u flag).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where a string breaks the rule, as "path: why", or undefined when the value is clean. */
export function badText(value: unknown, path = ''): { path: string; why: string } | undefined {
  if (typeof value === 'string') {
    if (NUL.test(value)) return { path, why: 'contains a NUL character' };
    if (LONE_SURROGATE.test(value)) return { path, why: 'contains a lone UTF-16 surrogate' };
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = badText(value[i], `${path}/${i}`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = badText(k, `${path}/${k}`) ?? badText(v, `${path}/${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** preValidation: params, querystring and body of every route hold only storable text. */
export async function rejectBadText(req: FastifyRequest): Promise<void> {
  for (const [part, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
    const bad = badText(value);
    if (bad) throw new InvalidTextError(part, bad.path, bad.why);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON bodies must be UTF-8: a body that is not is refused instead of decoded with U+FFFD in it. */
export function strictJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new InvalidTextError('body', '', 'is not valid UTF-8'), undefined);
      return;
    }
    parse(req, text, done);
  });
}

// int4 columns (durations, counts) are the narrowest the routes' numbers land in.
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/**
 * A copy of a request schema in which every integer or number without bounds gets int4's:
 * a route that needs wider numbers says so with its own minimum/maximum.
 */
export function boundNumbers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(boundNumbers) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'examples' || k === 'default' || k === 'const' || k === 'enum' ? v : boundNumbers(v);
  const types = [out.type].flat();
  if (types.includes('integer') || types.includes('number')) {
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = INT_MIN;
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT_MAX;
  }
  return out as T;
}

const RFC3339 = fullFormats['date-time'] as { validate: (s: string) => boolean } | ((s: string) => boolean);
const rfc3339 = typeof RFC3339 === 'function' ? RFC3339 : RFC3339.validate;
const RFC_DATE = fullFormats.date as { validate: (s: string) => boolean } | ((s: string) => boolean);
const rfcDate = typeof RFC_DATE === 'function' ? RFC_DATE : RFC_DATE.validate;

/** An instant JavaScript and Postgres both read as written (no leap second 23:59:60, years 1000–9999). */
export function isUsableDateTime(s: string): boolean {
  if (!rfc3339(s)) return false;
  const t = Date.parse(s);
  return Number.isFinite(t) && /^[1-9]\d{3}-/.test(s);
}

/**
 * The request validators: bodies are JSON and keep their types (a boolean is not the string
 * "true", null is not false), querystrings and path params are text and are coerced.
 */
export function requestValidators(base: Options): Record<'body' | 'querystring' | 'params' | 'headers', Ajv> {
  const make = (coerceTypes: Options['coerceTypes']) => {
    const ajv = new Ajv({ ...base, coerceTypes, strict: false });
    addFormats.default(ajv);
    ajv.addFormat('date-time', { type: 'string', validate: isUsableDateTime });
    ajv.addFormat('date', { type: 'string', validate: (s: string) => rfcDate(s) && /^[1-9]\d{3}-/.test(s) && Number.isFinite(Date.parse(s)) });
    return ajv;
  };
  const coercing = make('array');
  return { body: make(false), querystring: coercing, params: coercing, headers: coercing };
}
