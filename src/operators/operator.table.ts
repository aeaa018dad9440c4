import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

import type { Language, Line } from '../vocabulary.js';
import type { Skills } from '../queues/skills.js';

export const OPERATOR_STATES = ['available', 'on_call', 'wrap_up', 'paused', 'offline'] as const;
export type OperatorState = (typeof OPERATOR_STATES)[number];
/** What an operator or supervisor may set; on_call and wrap_up follow the calls. */
export const SETTABLE_STATES = ['available', 'paused', 'offline'] as const;
export const PAUSE_REASONS = ['break', 'training', 'missed', 'other'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export const SOFTPHONES = ['sip', 'webrtc'] as const;
export type Softphone = (typeof SOFTPHONES)[number];

export interface OperatorTable {
  id: Generated<string>;
  login: string;
  name: string;
  /** The home line: always served, and what the operator's panel shows by default. */
  line: Line;
  /** Every line the operator serves, the home line among them (migration 0024; the database keeps it so). */
  lines: ColumnType<Line[], Line[] | undefined, Line[]>;
  sip_username: string;
  sip_md5_cred: string;
  state: ColumnType<OperatorState, OperatorState | undefined, OperatorState>;
  state_reason: string | null;
  state_changed_at: ColumnType<Date, Date | undefined, Date>;
  last_call_ended_at: Date | null;
  /** scrypt hash of the panel password (auth/password.ts); null: cannot sign in. */
  panel_password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  wrapup_until: Date | null;
  /** 'webrtc': the panel is the phone (migration 0011). */
  softphone: ColumnType<Softphone, Softphone | undefined, Softphone>;
  supervisor: ColumnType<boolean, boolean | undefined, boolean>;
  /** The call still to be wrapped up (note or disposition) before the next is offered. */
  wrapup_call_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Asterisk node the operator's phone registers to (migration 0012). */
  pbx_node: ColumnType<string, string | undefined, string>;
  /** What was last pushed to Asterisk for the operator's endpoint (migration 0017); null: never. */
  endpoint_fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  /** The short number colleagues dial (migration 0023, operators/extension.ts); null: none. Defaults to the next free one. */
  extension: ColumnType<string | null, string | null | undefined, string | null>;
  /** Skill → level 1–5 (migration 0025, queues/skills.ts): the ACD offers callers who need skills to those who have them. */
  skills: ColumnType<Skills, Skills | undefined, Skills>;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type OperatorRow = Selectable<OperatorTable>;
export type NewOperatorRow = Insertable<OperatorTable>;
export type OperatorUpdate = Updateable<OperatorTable>;

export interface OperatorStateHistoryTable {
  id: Generated<string>;
  operator_id: string;
  from_state: OperatorState | null;
  to_state: OperatorState;
  reason: string | null;
  at: ColumnType<Date, Date | undefined, never>;
}

export interface CannedPhraseTable {
  id: Generated<string>;
  language: Language;
  kind: 'greeting' | 'ask_number' | 'hold' | 'thanks' | 'other';
  body: string;
  position: ColumnType<number, number | undefined, number>;
  updated_by: string | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface MonitorSessionTable {
  id: Generated<string>;
  call_id: string;
  supervisor_id: string;
  mode: 'listen' | 'whisper' | 'barge';
  snoop_channel: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  ended_at: Date | null;
}
