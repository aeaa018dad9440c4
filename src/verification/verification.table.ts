import type { ColumnType, Generated, Selectable } from 'kysely';

export const VERIFY_METHODS = ['ivr', 'operator'] as const;
export type VerifyMethod = (typeof VERIFY_METHODS)[number];

/** What one keyed code came to. Everything but 'verified' counts as a failure. */
export const VERIFY_OUTCOMES = ['verified', 'wrong', 'expired', 'reused', 'superseded', 'locked', 'throttled', 'none'] as const;
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];

export type CallVerificationStatus = 'none' | 'verified' | 'failed';

export interface VerificationCodeTable {
  id: Generated<string>;
  account_id: string;
  account_name: string | null;
  caller_number_hint: string | null;
  code_hash: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
  used_at: Date | null;
  used_by_call_id: string | null;
  superseded_at: Date | null;
}

export interface VerificationAccountTable {
  account_id: string;
  consecutive_failures: number;
  locked_until: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface VerificationAttemptTable {
  id: Generated<string>;
  call_id: string | null;
  account_id: string | null;
  caller_number: string | null;
  method: VerifyMethod;
  outcome: VerifyOutcome;
  flagged: ColumnType<boolean, boolean | undefined, boolean>;
  operator_id: string | null;
  at: ColumnType<Date, Date | undefined, never>;
}

/** Fixed-window counters of the verification guards (migrations/0016). */
export interface GuardCounterTable {
  bucket: string;
  window_start: Date;
  n: number;
}

/** The account a caller claims, named in the panel for a call in progress (migrations/0016). */
export interface VerificationScopeTable {
  call_id: string;
  account_id: string;
  set_by: string;
  set_at: ColumnType<Date, Date | undefined, Date>;
}

export type VerificationCodeRow = Selectable<VerificationCodeTable>;
export type VerificationAccountRow = Selectable<VerificationAccountTable>;
export type VerificationAttemptRow = Selectable<VerificationAttemptTable>;
