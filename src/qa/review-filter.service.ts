// Calls that need a look: review filters saved by name per line, run over a date range. Who sees
// what: a supervisor who is an operator (a panel session, or a token bound to their operator)
// keeps and runs the filters of their own line; admins, and a supervisor token bound to nobody,
// those of every line (as the ticket lists treat an API token of no operator). Another line's
// filter is a 404 to a supervisor, as if it did not exist; creating one there is a 403.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/token.service.js';
import type { Database } from '../db/database.js';
import { InvalidValueError, NotFoundError, ReviewFilterLineError, ReviewFilterNameTakenError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import { parseReviewFilter, type KnownLines, type ReviewFilterSpec } from './review-filter.js';
import {
  deleteReviewFilter,
  findReviewFilter,
  insertReviewFilter,
  listReviewFilters,
  operatorLine,
  reviewCalls,
  reviewTotals,
} from './review-filter.repository.js';
import type { ReviewFilterRow } from './review-filter.table.js';
import { actorOf } from './qa.service.js';

/** The longest range a filter runs over (a year and a day: a leap year's whole weeks fit). */
export const MAX_REVIEW_RANGE_DAYS = 370;

export interface Range {
  from: Date;
  to: Date;
}

export const specOf = (f: ReviewFilterRow): ReviewFilterSpec => ({ kind: f.kind, params: f.params }) as ReviewFilterSpec;

export function checkRange(r: Range): Range {
  if (!(r.from < r.to)) throw new InvalidValueError('"from" must be before "to"');
  if (r.to.getTime() - r.from.getTime() > MAX_REVIEW_RANGE_DAYS * 86_400_000) throw new InvalidValueError(`a range of ${MAX_REVIEW_RANGE_DAYS} days at most`);
  return r;
}

export class ReviewFilterService {
  constructor(private readonly db: Kysely<Database>, private readonly lines: KnownLines) {}

  /** The line a principal is kept to, or undefined: every line. */
  private async lineOf(by: Principal): Promise<Line | undefined> {
    if (by.role !== 'supervisor' || !by.operatorId) return undefined;
    // A supervisor whose operator is gone sees nothing rather than everything.
    return (await operatorLine(this.db, by.operatorId)) ?? ('-' as Line);
  }

  async create(by: Principal, doc: unknown): Promise<ReviewFilterRow> {
    const def = parseReviewFilter(doc, () => randomBytes(12).toString('hex'), this.lines);
    const own = await this.lineOf(by);
    if (own && own !== def.line) throw new ReviewFilterLineError(def.line, own);
    try {
      return await insertReviewFilter(this.db, { name: def.name, line: def.line, spec: def.spec, createdBy: actorOf(by) });
    } catch (err) {
      if ((err as { code?: unknown }).code === '23505') throw new ReviewFilterNameTakenError(def.line, def.name);
      throw err;
    }
  }

  /** The filters the principal sees, each with what it finds in the range when one is given. */
  async list(by: Principal, range?: Range): Promise<(ReviewFilterRow & { totals?: { calls: number; evaluated: number } })[]> {
    const own = await this.lineOf(by);
    const filters = await listReviewFilters(this.db, own ? [own] : undefined);
    if (!range) return filters;
    checkRange(range);
    // One count per filter: a line keeps a handful of them.
    return Promise.all(filters.map(async (f) => ({ ...f, totals: await reviewTotals(this.db, { spec: specOf(f), line: f.line, ...range }) })));
  }

  async get(by: Principal, id: string): Promise<ReviewFilterRow> {
    const f = await findReviewFilter(this.db, id);
    const own = await this.lineOf(by);
    if (!f || (own && f.line !== own)) throw new NotFoundError('review filter', id);
    return f;
  }

  async remove(by: Principal, id: string): Promise<void> {
    await this.get(by, id);
    if (!(await deleteReviewFilter(this.db, id))) throw new NotFoundError('review filter', id);
  }

  /** A page of the filter's calls in the range, with the totals over all of them. */
  async run(by: Principal, id: string, range: Range, page: { limit: number; offset: number }) {
    const f = await this.get(by, id);
    checkRange(range);
    const run = { spec: specOf(f), line: f.line, ...range };
    const [calls, totals] = await Promise.all([reviewCalls(this.db, run, page), reviewTotals(this.db, run)]);
    return { filter: f, calls, totals };
  }
}
