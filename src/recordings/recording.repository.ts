import type { Db } from '../db/database.js';
import type { NewRecordingRow, RecordingRow, RecordingUpdate } from './recording.table.js';

export async function insertRecording(db: Db, r: NewRecordingRow): Promise<RecordingRow> {
  return db.insertInto('recordings').values(r).returningAll().executeTakeFirstOrThrow();
}

export async function findRecordingById(db: Db, id: string): Promise<RecordingRow | undefined> {
  return db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRecordingByName(db: Db, name: string): Promise<RecordingRow | undefined> {
  return db.selectFrom('recordings').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function updateRecording(db: Db, id: string, patch: RecordingUpdate): Promise<RecordingRow | undefined> {
  return db.updateTable('recordings').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Recordings that were still running when their process went away. */
export async function listUnfinishedRecordings(db: Db): Promise<RecordingRow[]> {
  return db.selectFrom('recordings').selectAll().where('status', 'in', ['recording', 'spooled']).execute();
}
