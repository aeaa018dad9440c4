import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export const LINES = ['first', 'second'] as const;
export type Line = (typeof LINES)[number];
export const OPERATOR_STATES = ['available', 'paused', 'offline'] as const;
export type OperatorState = (typeof OPERATOR_STATES)[number];

export interface OperatorTable {
  id: Generated<string>;
  login: string;
  name: string;
  line: Line;
  sip_username: string;
  sip_md5_cred: string;
  state: ColumnType<OperatorState, OperatorState | undefined, OperatorState>;
  state_reason: string | null;
  state_changed_at: ColumnType<Date, Date | undefined, Date>;
  last_call_ended_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type OperatorRow = Selectable<OperatorTable>;
export type NewOperatorRow = Insertable<OperatorTable>;
export type OperatorUpdate = Updateable<OperatorTable>;
