import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Line } from '../vocabulary.js';

export const CALLBACK_STATUSES = ['scheduled', 'waiting', 'dialling', 'completed', 'failed', 'cancelled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];
export const OPEN_CALLBACK_STATUSES: readonly CallbackStatus[] = ['scheduled', 'waiting', 'dialling'];

export const CALLBACK_OUTCOMES = ['answered', 'no-answer', 'busy', 'failed', 'interrupted', 'machine'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export interface CallbackTable {
  id: Generated<string>;
  kind: 'queued' | 'scheduled';
  number: string;
  line: Line;
  ticket_id: string | null;
  account_id: string | null;
  call_id: string | null;
  status: CallbackStatus;
  rank: Date;
  not_before: Date | null;
  not_after: Date | null;
  next_attempt_at: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  requested_by: string;
  closed_reason: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CallbackAttemptTable {
  id: Generated<string>;
  callback_id: string;
  attempt_no: number;
  call_id: string | null;
  operator_id: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  ended_at: Date | null;
  outcome: CallbackOutcome | null;
}

export type CallbackRow = Selectable<CallbackTable>;
export type NewCallbackRow = Insertable<CallbackTable>;
export type CallbackAttemptRow = Selectable<CallbackAttemptTable>;
