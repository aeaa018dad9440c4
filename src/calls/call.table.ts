import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Line } from '../vocabulary.js';
import type { Skills } from '../queues/skills.js';
import type { CallStatus } from './call-state-machine.js';

export type HangupBy = 'caller' | 'operator' | 'system';

/** Who started the call: a customer (inbound, a callback's call too) or an operator (click-to-call, migration 0022). */
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** PBX_NODE's default: the node of a single-node setup (migration 0012's column default). */
export const DEFAULT_PBX_NODE = 'pbx1';

export interface CallTable {
  id: Generated<string>;
  ticket_id: string | null;
  caller_number: string | null;
  dialled_number: string | null;
  language: ColumnType<string, string | undefined, string>;
  line: Line | null;
  ivr_path: ColumnType<string[], string[] | undefined, string[]>;
  operator_id: string | null;
  status: CallStatus;
  caller_channel_id: string;
  /** The Asterisk node the call lives on (PBX_NODE); given at insert, never changed. */
  pbx_node: ColumnType<string, string, never>;
  operator_channel_id: string | null;
  bridge_id: string | null;
  entered_at: ColumnType<Date, Date | undefined, never>;
  queued_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  hangup_cause: string | null;
  hangup_cause_code: number | null;
  hangup_by: HangupBy | null;
  recording_id: string | null;
  legal_hold: ColumnType<boolean, boolean | undefined, boolean>;
  keyed_ticket_number: string | null;
  verification_status: ColumnType<'none' | 'verified' | 'failed', undefined, 'none' | 'verified' | 'failed'>;
  verified_account_id: string | null;
  verification_method: 'ivr' | 'operator' | null;
  verified_at: Date | null;
  verification_flagged: ColumnType<boolean, undefined, boolean>;
  /** Set on the call that a callback made (the customer dialled back). */
  callback_id: string | null;
  /** 1-5 from the survey after the operator hung up, or null. */
  survey_score: number | null;
  on_hold: ColumnType<boolean, undefined, boolean>;
  /** How the operator closed the call in wrap-up (resolved, follow_up, …), migration 0011. */
  disposition: ColumnType<string | null, undefined, string | null>;
  wrapped_up_at: ColumnType<Date | null, undefined, Date | null>;
  /** The call ledger's sequence number of the last change written (migration 0013): an older one never overwrites it. */
  ledger_seq: ColumnType<number, number | undefined, number>;
  /** What the caller needs of an operator (skills routing: the IVR's route sets it; migration 0028): a reclaimed caller still needs it. */
  required_skills: ColumnType<Skills, Skills | undefined, Skills>;
  /** Given at insert, never changed; the column's default is 'inbound'. */
  direction: ColumnType<CallDirection, CallDirection | undefined, never>;
}

export interface CallEventTable {
  id: Generated<string>;
  call_id: string;
  from_status: CallStatus | null;
  to_status: CallStatus;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
  /** The call ledger's sequence number (migration 0013); null on events written before it. */
  seq: ColumnType<number | null, number | undefined, never>;
  at: ColumnType<Date, Date | undefined, never>;
}

/**
 * A call's row. `direction` may be absent on a row made in memory (the call ledger's
 * newCallRow): such a row is inserted without it, so Postgres gives it its default, inbound.
 */
export type CallRow = Omit<Selectable<CallTable>, 'direction'> & { direction?: CallDirection };
export type NewCallRow = Insertable<CallTable>;
export type CallUpdate = Updateable<CallTable>;
export type CallEventRow = Selectable<CallEventTable>;
