// An IVR flow is data: named nodes, each a list of verbs run in order. It is validated
// as a whole before use, and every error names its exact path in the document.
import { readFile } from 'node:fs/promises';
import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import { InvalidIvrFlowError } from '../errors.js';
import type { Verb } from './ivr-context.js';
import { MenuVerb } from './verbs/menu.verb.js';
import { PlayVerb } from './verbs/play.verb.js';
import { RouteVerb } from './verbs/route.verb.js';
import { TicketVerb } from './verbs/ticket.verb.js';
import { HangupVerb } from './verbs/hangup.verb.js';
import { LanguageVerb } from './verbs/language.verb.js';
import { VerifyVerb } from './verbs/verify.verb.js';
import { HoursVerb } from './verbs/hours.verb.js';
import { VoicemailVerb } from './verbs/voicemail.verb.js';
import { CallbackVerb } from './verbs/callback.verb.js';
import { LINE_ID_PATTERN, type Language, type Line } from '../vocabulary.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { LanguageSchema } from '../http/schemas.js';

const VERBS = {
  play: PlayVerb,
  menu: MenuVerb,
  route: RouteVerb,
  ticket: TicketVerb,
  hangup: HangupVerb,
  language: LanguageVerb,
  verify: VerifyVerb,
  hours: HoursVerb,
  voicemail: VoicemailVerb,
  callback: CallbackVerb,
} as const;

export const VERB_NAMES = Object.keys(VERBS);

const Overflow = Type.Object(
  {
    /** The caller has waited this long in the line's queue. */
    maxWaitSec: Type.Optional(Type.Integer({ minimum: 5, maximum: 7200 })),
    /** Nobody of the line is logged in (every operator offline) when the caller joins the queue. */
    whenNobodyLoggedIn: Type.Optional(Type.Boolean()),
    /** `route` to the other line (keeping the caller's place in time), or `goto` a node (a voicemail). */
    action: Type.Union([
      Type.Object({ route: Type.String({ pattern: LINE_ID_PATTERN }) }, { additionalProperties: false }),
      Type.Object({ goto: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ]),
  },
  { additionalProperties: false },
);
export type OverflowRule = Static<typeof Overflow>;

const FlowShape = Type.Object(
  {
    start: Type.String({ minLength: 1 }),
    /** The language per dialled number (a DID for English speakers), before any menu choice. */
    languages: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9+]{3,20}$' }), LanguageSchema)),
    overflow: Type.Optional(Type.Record(Type.String({ pattern: LINE_ID_PATTERN }), Overflow)),
    nodes: Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), Type.Array(Type.Object({ verb: Type.String() }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

export interface IvrFlow {
  start: string;
  overflow: Readonly<Record<Line, OverflowRule | undefined>>;
  languages: Readonly<Record<string, Language>>;
  nodes: ReadonlyMap<string, readonly Verb[]>;
  /** Where a caller goes when the flow has nowhere else (LineCatalog.front, read at the time). */
  frontLine: () => Line;
  /**
   * The line a route really queues for: its own when callers can be routed there now, else the
   * front line. The flow's own routes are checked when it is accepted; this catches a line known
   * only at run time (the line of the ticket a caller keyed) that is gone or escalation-only.
   */
  routeTo: (line: Line) => Line;
  /** The document as validated, for the admin API to show back. */
  source: unknown;
}

type FlowError = { path: string; message: string };

function shapeErrors(schema: TSchema, value: unknown, prefix: string): FlowError[] {
  return [...Value.Errors(schema, value)]
    .filter((e) => e.keyword !== 'boolean') // typebox repeats additionalProperties as a 'schema is false' entry
    .map((e) => ({ path: `${prefix}${e.instancePath}`, message: e.message }));
}

/** Validates a whole flow, its lines against `lines` (the configured ones). */
export function parseFlow(doc: unknown, lines: LineCatalog): IvrFlow {
  const errors = shapeErrors(FlowShape, doc, '');
  if (errors.length) throw new InvalidIvrFlowError(errors);
  const d = doc as { start: string; overflow?: IvrFlow['overflow']; languages?: IvrFlow['languages']; nodes: Record<string, { verb: string }[]> };
  const nodes = new Map<string, Verb[]>();
  // The running catalog, not a copy: a lines change moves the menus' 0 with it.
  const frontLine = () => lines.front();
  const routeTo = (line: Line) => (lines.get(line)?.escalationOnly === false ? line : lines.front());
  for (const [name, verbs] of Object.entries(d.nodes)) {
    const built: Verb[] = [];
    verbs.forEach((v, i) => {
      const path = `/nodes/${name}/${i}`;
      const Cls = VERBS[v.verb as keyof typeof VERBS];
      if (!Cls) {
        errors.push({ path: `${path}/verb`, message: `unknown verb "${v.verb}" (known: ${Object.keys(VERBS).join(', ')})` });
        return;
      }
      const verbErrors = shapeErrors(Cls.schema, v, path);
      if (verbErrors.length) return void errors.push(...verbErrors);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked against Cls.schema just above
      built.push(Cls === MenuVerb ? new MenuVerb(v as any, frontLine) : new Cls(v as any));
    });
    nodes.set(name, built);
  }
  if (!nodes.has(d.start)) errors.push({ path: '/start', message: `node "${d.start}" does not exist` });
  for (const [line, rule] of Object.entries(d.overflow ?? {})) {
    if (rule && 'goto' in rule.action && !nodes.has(rule.action.goto)) {
      errors.push({ path: `/overflow/${line}/action/goto`, message: `node "${rule.action.goto}" does not exist` });
    }
  }
  for (const [name, verbs] of Object.entries(d.nodes)) {
    verbs.forEach((v, i) => {
      const targets = collectGotos(v);
      for (const [where, target] of targets) {
        if (!nodes.has(target)) errors.push({ path: `/nodes/${name}/${i}${where}`, message: `node "${target}" does not exist` });
      }
    });
  }
  errors.push(...lineErrors(d, lines));
  if (errors.length) throw new InvalidIvrFlowError(errors);
  return { start: d.start, overflow: d.overflow ?? {}, languages: d.languages ?? {}, nodes, frontLine, routeTo, source: doc };
}

/**
 * Every line the flow names must be configured, and a line it routes callers to must not be
 * escalation-only (a helpdesk reached only through escalation). `hours` and the overflow's keys
 * only ask about a line; a `route` (a verb, a menu or verify action, an overflow action) and
 * `callback` send the caller there.
 */
export function lineErrors(doc: unknown, lines: LineCatalog): FlowError[] {
  const errors: FlowError[] = [];
  const check = (line: string, path: string, routes: boolean) => {
    const def = lines.get(line);
    if (!def) errors.push({ path, message: `line "${line}" is not configured (${lines.ids().join(', ')})` });
    else if (routes && def.escalationOnly) errors.push({ path, message: `line "${line}" is reached only by escalation: callers cannot be routed to it` });
  };
  const d = doc as { overflow?: Record<string, { action?: { route?: unknown } } | undefined>; nodes?: Record<string, unknown[]> };
  for (const [line, rule] of Object.entries(d.overflow ?? {})) {
    check(line, `/overflow/${line}`, false);
    if (typeof rule?.action?.route === 'string') check(rule.action.route, `/overflow/${line}/action/route`, true);
  }
  for (const [name, verbs] of Object.entries(d.nodes ?? {})) {
    verbs.forEach((v, i) => {
      for (const [where, line, routes] of lineRefs(v)) check(line, `/nodes/${name}/${i}${where}`, routes);
    });
  }
  return errors;
}

/** A verb's lines: its own `line` (routing unless it is `hours`) and every action's `route`, at any depth. */
function lineRefs(v: unknown, where = ''): [string, string, boolean][] {
  if (v === null || typeof v !== 'object') return [];
  const out: [string, string, boolean][] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' && k === 'route') out.push([`${where}/${k}`, x, true]);
    else if (typeof x === 'string' && k === 'line' && where === '') out.push([`/${k}`, x, (v as { verb?: unknown }).verb !== 'hours']);
    else out.push(...lineRefs(x, `${where}/${k}`));
  }
  return out;
}

function collectGotos(v: unknown): [string, string][] {
  const out: [string, string][] = [];
  const m = v as { options?: Record<string, { goto?: string }>; onFail?: { goto?: string }; onVerified?: { goto?: string }; closed?: { goto?: string } };
  for (const [key, a] of Object.entries(m.options ?? {})) if (a.goto) out.push([`/options/${key}/goto`, a.goto]);
  if (m.onFail?.goto) out.push(['/onFail/goto', m.onFail.goto]);
  if (m.onVerified?.goto) out.push(['/onVerified/goto', m.onVerified.goto]);
  if (m.closed?.goto) out.push(['/closed/goto', m.closed.goto]);
  return out;
}

export async function loadFlowFile(file: string, lines: LineCatalog): Promise<IvrFlow> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidIvrFlowError([{ path: '', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  return parseFlow(doc, lines);
}
