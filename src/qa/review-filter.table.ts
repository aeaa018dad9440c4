// The review filters' table (migration 0021), reached through db.withTables<ReviewFilterTables>()
// so that the shared Database interface needs no edit for it.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Line } from '../vocabulary.js';
import type { ReviewFilterKind } from './review-filter.js';

export interface ReviewFilterTable {
  id: Generated<string>;
  name: string;
  line: Line;
  kind: ReviewFilterKind;
  params: ColumnType<Record<string, unknown>, string, never>;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

// A type, not an interface: withTables<T> needs T's implicit index signature.
export type ReviewFilterTables = { review_filters: ReviewFilterTable };

export type ReviewFilterRow = Selectable<ReviewFilterTable>;
