import type { Db } from '../db/database.js';
import type { Language } from '../vocabulary.js';

export async function listPhrases(db: Db, language?: Language) {
  let q = db.selectFrom('canned_phrases').selectAll().orderBy('language').orderBy('position').orderBy('id');
  if (language) q = q.where('language', '=', language);
  return q.execute();
}

export async function updatePhrase(db: Db, id: string, body: string, by: string) {
  return db.updateTable('canned_phrases').set({ body, updated_by: by, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}
