import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type RecordingStatus = 'recording' | 'spooled' | 'archived' | 'incomplete' | 'failed' | 'purged';

export interface RecordingPause {
  reason: string;
  at: string;
  resumedAt: string | null;
}

/** The mixed conversation, a voicemail, or one party's side alone (RECORD_LEGS). */
export type RecordingKind = 'call' | 'voicemail' | 'caller-leg' | 'operator-leg';

export interface RecordingTable {
  id: Generated<string>;
  call_id: string | null;
  name: string;
  /** 'call': a bridged conversation; 'voicemail': a message left in the IVR. */
  kind: ColumnType<RecordingKind, RecordingKind | undefined, never>;
  status: RecordingStatus;
  format: ColumnType<string, string | undefined, string>;
  spool_path: string | null;
  /** The node whose spool holds the file: only its instance archives it. */
  pbx_node: ColumnType<string, string, never>;
  archive_path: string | null;
  duration_ms: number | null;
  size_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  sha256: string | null;
  error: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  ended_at: Date | null;
  archived_at: Date | null;
  codec: string | null;
  bitrate: number | null;
  source_duration_ms: number | null;
  peaks: ColumnType<number[] | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  legal_hold: ColumnType<boolean, boolean | undefined, boolean>;
  purged_at: Date | null;
  /** Stretches not recorded (a verification step), in ms from the start of the recording. */
  pauses: ColumnType<RecordingPause[], string | undefined, string>;
}

export interface RecordingChainTable {
  id: Generated<string>;
  recording_id: string;
  file_sha256: string;
  prev_hash: string;
  entry_hash: string;
  at: ColumnType<Date, Date | undefined, never>;
}

export const AUDIT_ACTIONS = ['play', 'download', 'denied', 'legal_hold', 'purge', 'rearchive', 'verify', 'erase'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface RecordingAuditTable {
  id: Generated<string>;
  recording_id: string | null;
  action: AuditAction;
  token_id: string | null;
  session_id: ColumnType<string | null, string | null | undefined, never>;
  role: string | null;
  operator_id: string | null;
  ip: string | null;
  reason: string | null;
  ranges: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
  at: ColumnType<Date, Date | undefined, never>;
}

export type RecordingAuditRow = Selectable<RecordingAuditTable>;
export type RecordingChainRow = Selectable<RecordingChainTable>;

export type RecordingRow = Selectable<RecordingTable>;
export type NewRecordingRow = Insertable<RecordingTable>;
export type RecordingUpdate = Updateable<RecordingTable>;
