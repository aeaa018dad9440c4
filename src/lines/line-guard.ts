// The one check of a line id against the configured lines. A line id in a request passes the
// schema when it merely looks like one (http/schemas.ts `Line`): which lines exist is known only
// at run time. Without this check an unknown line would be a silent empty search, or a row no
// operator ever sees, or a 500 from a constraint; with it, it is a 400 unknown_line naming it.
//
// Every /api route gets the check from its own schema (guardRouteLines, wired once in
// http/server.ts): each request field declared with the line-id pattern, in the body, the query
// or the path, is checked after the role rule and validation, before the handler. So a new route
// that takes a `Line` is guarded without anyone remembering to. Lines outside HTTP (the CLI,
// settings, the IVR flow) call checkLine themselves.
import type { FastifyRequest, RouteOptions } from 'fastify';
import { ConfigError } from '../config.js';
import { UnknownLineError } from '../errors.js';
import { LINE_ID_PATTERN, type Line } from '../vocabulary.js';
import type { LineCatalog } from './line-catalog.js';

/** `id` if it is a configured line; else UnknownLineError (400), `where` naming the field. */
export function checkLine(lines: LineCatalog, id: string, where?: string): Line {
  if (!lines.has(id)) throw new UnknownLineError(id, lines.ids(), where);
  return id;
}

type Schema = {
  type?: unknown;
  pattern?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema | Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

/** A field path inside a request part; '*' stands for every element of an array. */
type FieldPath = readonly string[];

/** Where a schema declares line ids (strings with the line-id pattern), as field paths. */
export function linePaths(schema: unknown, at: FieldPath = []): FieldPath[] {
  const s = schema as Schema | undefined;
  if (!s || typeof s !== 'object') return [];
  if (s.pattern === LINE_ID_PATTERN) return [at];
  const out: FieldPath[] = [];
  for (const [k, sub] of Object.entries(s.properties ?? {})) out.push(...linePaths(sub, [...at, k]));
  for (const sub of [s.items ?? []].flat()) out.push(...linePaths(sub, [...at, '*']));
  for (const sub of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) out.push(...linePaths(sub, at));
  // The same path reached through both arms of a union is checked once.
  return [...new Map(out.map((p) => [p.join('/'), p])).values()];
}

/** Every string at `path` in `value`, with its JSON pointer. */
function valuesAt(value: unknown, path: FieldPath, pointer: string): [string, string][] {
  if (path.length === 0) return typeof value === 'string' ? [[value, pointer]] : [];
  if (value === null || typeof value !== 'object') return [];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((v, i) => valuesAt(v, rest, `${pointer}/${i}`)) : [];
  return valuesAt((value as Record<string, unknown>)[head], rest, `${pointer}/${head}`);
}

const PARTS = [
  ['body', 'body'],
  ['querystring', 'query'],
  ['params', 'params'],
] as const;

/**
 * An onRoute hook: a route whose request schema declares line ids gets one more preHandler,
 * after its own (the role rule answers 403 first), that checks each of them against `lines`.
 */
export function guardRouteLines(lines: LineCatalog): (route: RouteOptions) => void {
  return (route) => {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const fields = PARTS.flatMap(([part, key]) => linePaths(schema[part]).map((path) => ({ key, path })));
    if (!fields.length) return;
    const check = async (req: FastifyRequest): Promise<void> => {
      for (const { key, path } of fields) {
        for (const [id, pointer] of valuesAt(req[key], path, `/${key}`)) checkLine(lines, id, pointer);
      }
    };
    route.preHandler = [...[route.preHandler ?? []].flat(), check];
  };
}

/** A setting's line ids (CLICK_TO_CALL_CALLER_ID per line, ...) checked at start: any id parses, only configured ones run. */
export function checkSettingLines(lines: LineCatalog, setting: string, ids: Iterable<string>): void {
  for (const id of ids) if (!lines.has(id)) throw new ConfigError(setting, `names "${id}", which is not a configured line (${lines.ids().join(', ')}; LINES_FILE)`);
}
