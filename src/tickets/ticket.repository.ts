import type { Db } from '../db/database.js';
import type { NewTicketRow, TicketRow } from './ticket.table.js';

export async function insertTicket(db: Db, t: NewTicketRow): Promise<TicketRow> {
  return db.insertInto('tickets').values(t).returningAll().executeTakeFirstOrThrow();
}

export async function findTicketById(db: Db, id: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setTicketLine(db: Db, id: string, line: TicketRow['line']): Promise<void> {
  await db.updateTable('tickets').set({ line, updated_at: new Date() }).where('id', '=', id).execute();
}

/** A ticket a caller may attach a call to: one not resolved or closed. */
export async function findOpenTicketByNumber(db: Db, number: string): Promise<TicketRow | undefined> {
  if (!/^\d{1,18}$/.test(number)) return undefined;
  return db
    .selectFrom('tickets')
    .selectAll()
    .where('number', '=', number)
    .where('status', 'in', ['new', 'open', 'pending_customer'])
    .executeTakeFirst();
}

export async function insertTicketNote(db: Db, ticketId: string, author: string, body: string): Promise<void> {
  await db.insertInto('ticket_notes').values({ ticket_id: ticketId, author, body }).execute();
}

export async function listTicketNotes(db: Db, ticketId: string) {
  return db.selectFrom('ticket_notes').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

/** The ticket keeps the latest satisfaction score its calls were given. */
export async function setTicketSurvey(db: Db, id: string, score: number): Promise<void> {
  await db.updateTable('tickets').set({ survey_score: score, updated_at: new Date() }).where('id', '=', id).execute();
}
