// "Calls that need a look": a saved review filter is data (a kind and its parameters) validated
// as a whole like a QA form, every error naming its path. The random sample's arithmetic lives
// here too, so that a unit test can check the SQL's choice is reproducible: within an operator's
// ISO week (UTC, weeks start on Monday) calls are ranked by SHA-256 of "<seed>:<call id>" and the
// K lowest are taken. The same seed and week give the same calls, whatever range is asked for.
import { createHash } from 'node:crypto';
import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import { InvalidReviewFilterError } from '../errors.js';
import type { Line } from '../vocabulary.js';

/** The configured lines as a filter checks them (a LineCatalog). */
export interface KnownLines {
  has(id: string): boolean;
  ids(): readonly Line[];
}

const Int = (minimum: number, maximum: number, description: string) => Type.Integer({ minimum, maximum, description });
const Params = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

/** Each kind's parameters. */
export const REVIEW_FILTER_PARAMS = {
  'long-hold': Params({ minHoldSec: Int(1, 86_400, 'a hold longer than this many seconds') }),
  transfers: Params({ minTransfers: Type.Optional(Int(2, 20, 'at least this many transfers (blind or completed warm ones); default 2')) }),
  'low-survey': Params({ maxScore: Int(1, 5, 'a survey score of at most this (1-5)') }),
  'failed-verification': Params({}),
  'failed-callback': Params({}),
  'first-calls': Params({ count: Int(1, 1000, "the operator's first N answered calls ever") }),
  'long-call': Params({ minMinutes: Int(1, 1440, 'talked (answer to hang-up) longer than this many minutes') }),
  sample: Params({
    perWeek: Int(1, 100, 'K calls per operator per ISO week'),
    seed: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'the sampling key; chosen at random when left out, and stored with the filter' })),
  }),
} satisfies Record<string, TSchema>;

export type ReviewFilterKind = keyof typeof REVIEW_FILTER_PARAMS;
export const REVIEW_FILTER_KINDS = Object.keys(REVIEW_FILTER_PARAMS) as ReviewFilterKind[];

export type ReviewFilterParams = { [K in ReviewFilterKind]: Static<(typeof REVIEW_FILTER_PARAMS)[K]> };
/** A filter's kind with its parameters, as stored (a sample's seed always set). */
export type ReviewFilterSpec = { [K in ReviewFilterKind]: { kind: K; params: ReviewFilterParams[K] } }[ReviewFilterKind];

export interface ReviewFilterDefinition {
  name: string;
  line: Line;
  spec: ReviewFilterSpec;
}

type FilterError = { path: string; message: string };

/** typebox's errors, a missing or an unknown parameter named by its own path. */
function shapeErrors(schema: TSchema, value: unknown, prefix: string): FilterError[] {
  return [...Value.Errors(schema, value)].flatMap((e): FilterError[] => {
    const at = `${prefix}${e.instancePath}`;
    const p = e.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    if (e.keyword === 'boolean') return []; // the additionalProperties entry again
    if (e.keyword === 'required' && p.requiredProperties) return p.requiredProperties.map((k) => ({ path: `${at}/${k}`, message: 'is required' }));
    if (e.keyword === 'additionalProperties' && p.additionalProperties) return p.additionalProperties.map((k) => ({ path: `${at}/${k}`, message: 'is not a parameter of this kind' }));
    return [{ path: at, message: e.message }];
  });
}

const isKind = (k: unknown): k is ReviewFilterKind => typeof k === 'string' && Object.hasOwn(REVIEW_FILTER_PARAMS, k);

/**
 * A filter document {name, line, kind, params} as validated, or InvalidReviewFilterError with
 * every error's path. `newSeed` gives a sample its seed when none is given; `lines` are the
 * configured lines, the only ones a new filter may watch.
 */
export function parseReviewFilter(doc: unknown, newSeed: () => string, lines: KnownLines): ReviewFilterDefinition {
  const errors: FilterError[] = [];
  const d = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  if (d !== doc) errors.push({ path: '', message: 'must be an object {name, line, kind, params}' });
  const name = typeof d.name === 'string' ? d.name.trim() : '';
  if (!name || name.length > 100) errors.push({ path: '/name', message: 'a name of 1 to 100 characters' });
  if (typeof d.line !== 'string' || !lines.has(d.line)) errors.push({ path: '/line', message: `one of the configured lines: ${lines.ids().join(', ')}` });
  for (const k of Object.keys(d)) if (!['name', 'line', 'kind', 'params'].includes(k)) errors.push({ path: `/${k}`, message: 'is not a field of a review filter' });
  if (!isKind(d.kind)) {
    errors.push({ path: '/kind', message: `one of ${REVIEW_FILTER_KINDS.join(', ')}` });
    throw new InvalidReviewFilterError(errors);
  }
  const params = d.params ?? {};
  errors.push(...shapeErrors(REVIEW_FILTER_PARAMS[d.kind], params, '/params'));
  if (errors.length) throw new InvalidReviewFilterError(errors);
  const spec = { kind: d.kind, params: structuredClone(params) } as ReviewFilterSpec;
  if (spec.kind === 'sample') spec.params.seed ??= newSeed();
  if (spec.kind === 'transfers') spec.params.minTransfers ??= 2;
  return { name, line: d.line as Line, spec };
}

// ---- the random sample ------------------------------------------------------------------------

const WEEK_MS = 7 * 86_400_000;

/** Monday 00:00 UTC of the ISO week `at` is in (what Postgres' date_trunc('week', … UTC) gives). */
export function isoWeekStart(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86_400_000);
}

/** The whole ISO weeks a range [from, to) touches: a week is always sampled whole. */
export function wholeWeeks(from: Date, to: Date): { from: Date; to: Date } {
  return { from: isoWeekStart(from), to: new Date(isoWeekStart(new Date(to.getTime() - 1)).getTime() + WEEK_MS) };
}

/** A call's rank key in the sample: SHA-256 (hex) of "<seed>:<call id>" (the SQL computes the same). */
export function sampleKey(seed: string, callId: string): string {
  return createHash('sha256').update(`${seed}:${callId}`).digest('hex');
}

export interface SampleCandidate {
  id: string;
  operatorId: string;
  /** The call's time (entered_at): it places the call in its ISO week. */
  at: Date;
}

/** The K calls per operator per ISO week the sample takes (ids), as the repository's SQL takes them. */
export function pickSample(calls: readonly SampleCandidate[], perWeek: number, seed: string): Set<string> {
  const groups = new Map<string, { id: string; key: string }[]>();
  for (const c of calls) {
    const g = `${c.operatorId}/${isoWeekStart(c.at).toISOString()}`;
    const list = groups.get(g) ?? [];
    list.push({ id: c.id, key: sampleKey(seed, c.id) });
    groups.set(g, list);
  }
  const chosen = new Set<string>();
  for (const list of groups.values()) {
    // Ties (never in practice) fall to the call id, as in the SQL.
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1));
    for (const c of list.slice(0, perWeek)) chosen.add(c.id);
  }
  return chosen;
}
