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
