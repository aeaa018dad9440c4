// The QA tables (migration 0018). The repository reaches them through db.withTables<QaTables>(),
// so the shared Database interface needs no edit for them.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Line } from '../vocabulary.js';
import type { QaFormDefinition } from './qa-form.js';
import type { ScoredAnswer } from './qa-score.js';

export const QA_EVENT_KINDS = ['acknowledged', 'disputed', 'upheld', 'corrected'] as const;
export type QaEventKind = (typeof QA_EVENT_KINDS)[number];
/** What the evaluated operator says about an evaluation (once). */
export type QaAnswerKind = Extract<QaEventKind, 'acknowledged' | 'disputed'>;

export interface QaRemark {
  atMs: number;
  text: string;
}

export interface QaFormTable {
  id: Generated<string>;
  name: string;
  current_version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface QaFormVersionTable {
  form_id: string;
  version: number;
  definition: ColumnType<QaFormDefinition, string, never>;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface QaEvaluationTable {
  id: Generated<string>;
  call_id: string;
  recording_id: string | null;
  operator_id: string;
  line: Line | null;
  call_at: Date;
  form_id: string;
  form_version: number;
  evaluator: string;
  evaluator_operator_id: string | null;
  /** numeric(5,2): pg returns it as text. */
  score: ColumnType<string, number, never>;
  raw_score: ColumnType<string, number, never>;
  critical_failed: boolean;
  answers: ColumnType<ScoredAnswer[], string, never>;
  sections: ColumnType<{ sectionId: string; score: number | null }[], string, never>;
  comment: string | null;
  remarks: ColumnType<QaRemark[], string, never>;
  supersedes_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface QaEvaluationEventTable {
  id: Generated<string>;
  evaluation_id: string;
  kind: QaEventKind;
  actor: string;
  actor_operator_id: string | null;
  comment: string | null;
  correction_id: string | null;
  at: ColumnType<Date, Date | undefined, never>;
}

// A type, not an interface: withTables<T> needs T's implicit index signature.
export type QaTables = {
  qa_forms: QaFormTable;
  qa_form_versions: QaFormVersionTable;
  qa_evaluations: QaEvaluationTable;
  qa_evaluation_events: QaEvaluationEventTable;
};

export type QaFormRow = Selectable<QaFormTable>;
export type QaFormVersionRow = Selectable<QaFormVersionTable>;
export type QaEvaluationRow = Selectable<QaEvaluationTable>;
export type QaEvaluationEventRow = Selectable<QaEvaluationEventTable>;
