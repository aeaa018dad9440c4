// The lines configuration (pbx-config/lines.json, LINES_FILE) as data: its schema and its
// validation. A document is checked whole before use, and every problem is reported at once
// with its JSON path, so an administrator fixes a file in one go (start-up and the admin API
// alike). The result feeds LineCatalog; nothing here is read on a caller's path.
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { InvalidLinesError } from '../errors.js';
import { LINE_ID_PATTERN, type Line } from '../vocabulary.js';
import type { LineDefinition } from './line-catalog.js';
import { parseLineSla, WRAP_UP_RULES } from './line-settings.js';

/** A queues.conf queue name: it ends up in dialplan arguments, so nothing that could split them. */
export const QUEUE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';

const LineName = Type.String({ minLength: 1, maxLength: 80 });

export const LineDoc = Type.Object(
  {
    id: Type.String({ pattern: LINE_ID_PATTERN, description: 'The line id used everywhere (API, IVR flow, operators).' }),
    name: Type.Object({ ru: LineName, en: LineName }, { additionalProperties: false, description: 'Shown to staff, in both languages.' }),
    escalatesTo: Type.Optional(Type.Union([Type.String({ pattern: LINE_ID_PATTERN }), Type.Null()], { description: 'The next line up; null or absent: the top.' })),
    escalationOnly: Type.Optional(Type.Boolean({ description: 'Reached only by escalation: the IVR may not route callers here (default false).' })),
    fallbackQueue: Type.String({ pattern: QUEUE_NAME_PATTERN, description: "queues.conf queue taking the line's callers when the service is down or shedding." }),
    widenAfterSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, description: 'Skills routing: seconds before any operator of the line may take a caller who needs skills (default 30).' })),
    stickyRingSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, description: "Sticky routing: seconds a ticket's assignee is rung first; 0: off (the default)." })),
    serviceLevel: Type.Optional(
      Type.Object(
        {
          withinSec: Type.Integer({ minimum: 1, maximum: 600, description: 'Answered within this many seconds of queueing counts (SERVICE_LEVEL_SEC for this line).' }),
          percent: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'The share of calls to answer so, in percent (STAFFING_SERVICE_LEVEL for this line).' }),
        },
        { additionalProperties: false, description: "The line's service-level target: the wallboard and line report measure it, the staffing plan aims at it (absent: the settings)." },
      ),
    ),
    sla: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "SLA targets of the line's tickets in SLA_TARGETS' format, e.g. critical=30m/4h,high=2h/1d; priorities left out keep SLA_TARGETS." })),
    wrapUp: Type.Optional(
      Type.Object(
        {
          sec: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, description: 'Wrap-up seconds after a call on the line (WRAPUP_SEC for this line).' })),
          rule: Type.Optional(Type.Union(WRAP_UP_RULES.map((r) => Type.Literal(r)), { description: 'Whose wrap-up needs a note or disposition (WRAPUP_REQUIRES_NOTE for this line).' })),
        },
        { additionalProperties: false, description: "Wrap-up after the line's calls; a field left out keeps the setting." },
      ),
    ),
  },
  { additionalProperties: false },
);

export const LinesDoc = Type.Object(
  { lines: Type.Array(LineDoc, { minItems: 1, maxItems: 64, description: 'The lines, in the order reports and the wallboard show them.' }) },
  { additionalProperties: false, description: 'The lines configuration (README "Lines").' },
);
export type LinesDocument = Static<typeof LinesDoc>;

export type LinesProblem = { path: string; message: string };

const DEFAULT_WIDEN_AFTER_SEC = 30;
// Off unless a line asks for it: an existing installation's routing does not change (issue 21).
const DEFAULT_STICKY_RING_SEC = 0;

/** Validates a whole lines document; throws InvalidLinesError listing every problem with its path. */
export function parseLines(doc: unknown): LineDefinition[] {
  const problems = shapeProblems(doc);
  if (problems.length) throw new InvalidLinesError(problems);
  const slas = (doc as LinesDocument).lines.map((l, i) => {
    if (l.sla === undefined) return undefined;
    try {
      return parseLineSla(l.sla);
    } catch (err) {
      problems.push({ path: `/lines/${i}/sla`, message: (err as Error).message });
      return undefined;
    }
  });
  const lines: LineDefinition[] = (doc as LinesDocument).lines.map((l, i) => ({
    id: l.id,
    name: { ru: l.name.ru, en: l.name.en },
    escalatesTo: l.escalatesTo ?? null,
    escalationOnly: l.escalationOnly ?? false,
    fallbackQueue: l.fallbackQueue,
    widenAfterSec: l.widenAfterSec ?? DEFAULT_WIDEN_AFTER_SEC,
    stickyRingSec: l.stickyRingSec ?? DEFAULT_STICKY_RING_SEC,
    // Absent stays absent: the global settings apply (LineCatalog's readers).
    ...(l.serviceLevel ? { serviceLevel: { withinSec: l.serviceLevel.withinSec, share: l.serviceLevel.percent / 100 } } : {}),
    ...(slas[i] ? { sla: slas[i] } : {}),
    ...(l.wrapUp ? { wrapUp: { ...(l.wrapUp.sec === undefined ? {} : { sec: l.wrapUp.sec }), ...(l.wrapUp.rule === undefined ? {} : { rule: l.wrapUp.rule }) } } : {}),
  }));
  problems.push(...relationProblems(lines));
  if (problems.length) throw new InvalidLinesError(problems);
  return lines;
}

/** Schema errors, a missing or unknown field at its own path (typebox gives the parent's). */
function shapeProblems(doc: unknown): LinesProblem[] {
  const errors = allErrors(doc);
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors.flatMap((e): LinesProblem[] => {
    const params = e.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    if (e.keyword === 'boolean') return []; // typebox repeats additionalProperties as a 'schema is false' entry
    if (e.keyword === 'const' && unions.has(e.instancePath)) return []; // a union's members each fail: its own error says it once
    if (e.keyword === 'anyOf' && e.instancePath.endsWith('/wrapUp/rule')) return [{ path: e.instancePath, message: `must be one of ${WRAP_UP_RULES.join(', ')}` }];
    if (e.keyword === 'required' && params.requiredProperties) return params.requiredProperties.map((p) => ({ path: `${e.instancePath}/${p}`, message: 'is required' }));
    if (e.keyword === 'additionalProperties' && params.additionalProperties) return params.additionalProperties.map((p) => ({ path: `${e.instancePath}/${p}`, message: 'is not a field of this document' }));
    return [{ path: e.instancePath, message: e.message }];
  });
}

/** Every schema error: typebox stops at 8 by default, and a wrong wrap-up rule alone costs 4. */
function allErrors(doc: unknown) {
  const limit = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: 1000 });
  try {
    return [...Value.Errors(LinesDoc, doc)];
  } finally {
    Settings.Set({ maxErrors: limit });
  }
}

/** What the schema cannot say: unique ids, escalation targets that exist, no cycle, a routable line. */
function relationProblems(lines: readonly LineDefinition[]): LinesProblem[] {
  const problems: LinesProblem[] = [];
  const index = new Map<Line, number>();
  lines.forEach((l, i) => {
    const first = index.get(l.id);
    if (first !== undefined) problems.push({ path: `/lines/${i}/id`, message: `"${l.id}" is already the id of /lines/${first}` });
    else index.set(l.id, i);
  });
  lines.forEach((l, i) => {
    if (l.escalatesTo === null) return;
    if (l.escalatesTo === l.id) problems.push({ path: `/lines/${i}/escalatesTo`, message: 'a line cannot escalate to itself' });
    else if (!index.has(l.escalatesTo)) problems.push({ path: `/lines/${i}/escalatesTo`, message: `"${l.escalatesTo}" is not a line of this document` });
  });
  problems.push(...cycleProblems(lines, index));
  lines.forEach((l, i) => {
    // A helpdesk queue no line escalates to could never receive a call.
    if (l.escalationOnly && !lines.some((o) => o.escalatesTo === l.id)) {
      problems.push({ path: `/lines/${i}/escalationOnly`, message: `no line escalates to "${l.id}", so no call could ever reach it` });
    }
  });
  if (lines.every((l) => l.escalationOnly)) {
    problems.push({ path: '/lines', message: 'every line is escalation-only: at least one line must take callers from the IVR' });
  }
  return problems;
}

/** Each escalation cycle once, at the first of its lines in document order. */
function cycleProblems(lines: readonly LineDefinition[], index: ReadonlyMap<Line, number>): LinesProblem[] {
  const problems: LinesProblem[] = [];
  const reported = new Set<Line>();
  for (const start of lines) {
    const seen: Line[] = [];
    let at: Line | null = start.id;
    while (at !== null && !seen.includes(at) && index.has(at)) {
      seen.push(at);
      at = lines[index.get(at) ?? -1]?.escalatesTo ?? null;
    }
    if (at === null || !seen.includes(at)) continue;
    const cycle = seen.slice(seen.indexOf(at));
    // A line escalating to itself is reported as such (relationProblems).
    if (cycle.length === 1 || cycle.some((id) => reported.has(id))) continue;
    cycle.forEach((id) => reported.add(id));
    const firstInDoc = Math.min(...cycle.map((id) => index.get(id) as number));
    const from = cycle.find((id) => index.get(id) === firstInDoc) ?? at;
    const order = [...cycle.slice(cycle.indexOf(from)), ...cycle.slice(0, cycle.indexOf(from)), from];
    problems.push({ path: `/lines/${firstInDoc}/escalatesTo`, message: `the escalation order goes round in a cycle: ${order.join(' → ')}` });
  }
  return problems;
}

export async function loadLinesFile(file: string): Promise<{ lines: LineDefinition[]; source: unknown }> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidLinesError([{ path: '', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  return { lines: parseLines(doc), source: doc };
}
