import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type RecordingStatus = 'recording' | 'spooled' | 'archived' | 'incomplete' | 'failed';

export interface RecordingTable {
  id: Generated<string>;
  call_id: string;
  name: string;
  status: RecordingStatus;
  format: ColumnType<string, string | undefined, string>;
  spool_path: string | null;
  archive_path: string | null;
  duration_ms: number | null;
  size_bytes: ColumnType<string | null, number | null | undefined, number | null>;
  sha256: string | null;
  error: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  ended_at: Date | null;
  archived_at: Date | null;
}

export type RecordingRow = Selectable<RecordingTable>;
export type NewRecordingRow = Insertable<RecordingTable>;
export type RecordingUpdate = Updateable<RecordingTable>;
