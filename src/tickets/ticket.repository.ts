import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import { ConflictError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import type { NewTicketRow, TicketNote, TicketPriority, TicketRow, TicketStatus, TicketUpdate } from './ticket.table.js';

export async function insertTicket(db: Db, t: NewTicketRow): Promise<TicketRow> {
  return db.insertInto('tickets').values(t).returningAll().executeTakeFirstOrThrow();
}

export async function findTicketById(db: Db, id: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The line and escalation of some tickets, for the visibility rules of what hangs off them (calls). */
export async function findTicketLines(db: Db, ids: readonly string[]): Promise<Pick<TicketRow, 'id' | 'line' | 'escalated' | 'escalated_lines'>[]> {
  if (!ids.length) return [];
  return db.selectFrom('tickets').select(['id', 'line', 'escalated', 'escalated_lines']).where('id', 'in', [...ids]).execute();
}

/** The row locked for a change (status, merge): concurrent changes to one ticket queue up. */
export async function lockTicket(db: Db, id: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateTicket(db: Db, id: string, patch: TicketUpdate): Promise<TicketRow> {
  return db.updateTable('tickets').set({ ...patch, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * The line a call took the ticket to (queued, transferred, overflowed). A move up the escalation
 * order (`escalates`, the service's rule) is an escalation: that line's engineers see the ticket
 * from then on (escalated_lines).
 */
export async function setTicketLine(
  db: Db,
  id: string,
  line: NonNullable<TicketRow['line']>,
  actor = 'system',
  escalates: (from: Line | null) => boolean = () => false,
): Promise<{ ticket: TicketRow; from: TicketRow['line'] } | undefined> {
  // Whether the move is an escalation depends on the line it leaves: the update holds only if the
  // line is still the one read (two moves at once, e.g. a transfer and a supervisor's edit), else
  // it is decided again from the line the other move left.
  for (let attempt = 0; attempt < 5; attempt++) {
    const t = await db.selectFrom('tickets').select('line').where('id', '=', id).executeTakeFirst();
    if (!t || t.line === line) return undefined;
    const up = escalates(t.line);
    const ticket = await db
      .updateTable('tickets')
      .set((eb) => ({
        line,
        updated_at: new Date(),
        escalated: up ? true : eb.ref('escalated'),
        escalated_lines: up ? sql<Line[]>`CASE WHEN ${line} = ANY (escalated_lines) THEN escalated_lines ELSE array_append(escalated_lines, ${line}) END` : eb.ref('escalated_lines'),
      }))
      .where('id', '=', id)
      .where((eb) => (t.line === null ? eb('line', 'is', null) : eb('line', '=', t.line)))
      .returningAll()
      .executeTakeFirst();
    if (!ticket) continue;
    if (t.line) await insertTicketEvent(db, id, 'line', actor, { from: t.line, to: line });
    return { ticket, from: t.line };
  }
  throw new ConflictError(`ticket ${id}: its line kept changing while being moved to ${line}; try again`);
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

/**
 * Is this number the ticket's own, or that of one of its calls (the ticket's phones)? In either
 * spelling: caller IDs come as digits, callback numbers as E.164 with "+".
 */
export async function ticketHasPhone(db: Db, ticketId: string, number: string): Promise<boolean> {
  const digits = number.replace(/^\+/, '');
  const spellings = [digits, `+${digits}`];
  const r = await db
    .selectFrom('tickets as t')
    .select('t.id')
    .where('t.id', '=', ticketId)
    .where((eb) =>
      eb.or([
        eb('t.caller_number', 'in', spellings),
        eb.exists(eb.selectFrom('calls as c').select('c.id').whereRef('c.ticket_id', '=', 't.id').where('c.caller_number', 'in', spellings)),
      ]),
    )
    .executeTakeFirst();
  return r !== undefined;
}

export async function insertTicketNote(db: Db, ticketId: string, author: string, body: string): Promise<void> {
  await db.insertInto('ticket_notes').values({ ticket_id: ticketId, author, body }).execute();
}

export async function listTicketNotes(db: Db, ticketId: string): Promise<TicketNote[]> {
  return db.selectFrom('ticket_notes').select(['id', 'ticket_id', 'author', 'body', 'created_at']).where('ticket_id', '=', ticketId).orderBy('id').execute();
}

/** The ticket keeps the latest satisfaction score its calls were given. */
export async function setTicketSurvey(db: Db, id: string, score: number): Promise<void> {
  await db.updateTable('tickets').set({ survey_score: score, updated_at: new Date() }).where('id', '=', id).execute();
}

/** The first response: the first time staff answered a call on the ticket or wrote to it. */
export async function markFirstResponse(db: Db, id: string, at: Date): Promise<boolean> {
  const r = await db.updateTable('tickets').set({ first_response_at: at }).where('id', '=', id).where('first_response_at', 'is', null).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function insertTicketEvent(db: Db, ticketId: string, kind: string, actor: string, data: Record<string, unknown> = {}): Promise<void> {
  await db.insertInto('ticket_events').values({ ticket_id: ticketId, kind, actor, data: JSON.stringify(data) }).execute();
}

/** Is there an event of this kind whose data contains `data` (jsonb containment)? */
export async function hasTicketEvent(db: Db, ticketId: string, kind: string, data: Record<string, unknown>): Promise<boolean> {
  const r = await db
    .selectFrom('ticket_events')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where('kind', '=', kind)
    .where(sql<SqlBool>`data @> ${JSON.stringify(data)}::jsonb`)
    .executeTakeFirst();
  return r !== undefined;
}

/** Moves the notes, events, calls and callbacks of `from` onto `into` (a merge). */
export async function moveTicketChildren(db: Db, from: string, into: string): Promise<void> {
  await db.updateTable('calls').set({ ticket_id: into }).where('ticket_id', '=', from).execute();
  await db.updateTable('ticket_notes').set({ ticket_id: into }).where('ticket_id', '=', from).execute();
  await db.updateTable('callbacks').set({ ticket_id: into }).where('ticket_id', '=', from).execute();
}

export async function moveCallsToTicket(db: Db, callIds: readonly string[], into: string): Promise<number> {
  if (!callIds.length) return 0;
  const r = await db.updateTable('calls').set({ ticket_id: into }).where('id', 'in', callIds).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface TicketSearch {
  number?: string;
  customer?: string;
  phone?: string;
  operator?: string;
  line?: Line;
  status?: TicketStatus;
  priority?: TicketPriority;
  category?: string;
  from?: Date;
  to?: Date;
  /** Full text over subject, description and notes, Russian and English. */
  q?: string;
  /** Operators: only what these lines (the ones they serve) see: their tickets and those escalated to them. */
  visibleTo?: readonly Line[];
  limit: number;
  offset: number;
}

/**
 * Full text in both languages, and word similarity for the forms the stemmers miss (Russian
 * Snowball stems "звонок" and "звонка" apart, the fleeting vowel). 0.5 takes "звонка" for
 * "звонок" (4 of 7 trigrams) and keeps unrelated short words out.
 */
function textMatch(q: string): Expression<SqlBool> {
  const fts = (col: string) =>
    sql<SqlBool>`(${sql.ref(col)} @@ websearch_to_tsquery('russian', ${q}) OR ${sql.ref(col)} @@ websearch_to_tsquery('english', ${q}))`;
  const words = q.split(/\s+/).filter((w) => w.length >= 3);
  const similar = (text: Expression<string>) =>
    words.length ? sql<SqlBool>`(${sql.join(words.map((w) => sql`word_similarity(${w}, ${text}) >= 0.5`), sql` AND `)})` : sql<SqlBool>`false`;
  const notes = sql`select 1 from ticket_notes n where n.ticket_id = t.id and (${fts('n.search')} OR ${similar(sql.ref('n.body'))})`;
  return sql<SqlBool>`(${fts('t.search')} OR ${similar(sql<string>`t.subject || ' ' || t.description`)} OR exists (${notes}))`;
}

/**
 * The SQL of ticket-rules.ts lineSeesTicket: the ticket is on one of `lines`, or was escalated
 * to one of them. No lines: nothing.
 */
export function seenByLines(alias: string, lines: readonly Line[]): Expression<SqlBool> {
  const served = sql`${sql.val([...lines])}::text[]`;
  return sql<SqlBool>`(${sql.ref(`${alias}.line`)} = ANY (${served}) OR ${sql.ref(`${alias}.escalated_lines`)} && ${served})`;
}

export async function searchTickets(db: Db, f: TicketSearch): Promise<{ rows: TicketRow[]; total: number }> {
  let q = db.selectFrom('tickets as t');
  if (f.number) q = q.where('t.number', '=', f.number);
  if (f.customer) {
    const c = f.customer;
    q = q.where((eb) => eb.or([eb('t.account_id', '=', c), eb('t.customer_name', 'ilike', `%${c.replace(/[%_\\]/g, '\\$&')}%`)]));
  }
  if (f.phone) {
    // Caller IDs come as digits, callback numbers as E.164 with "+": either spelling matches.
    const digits = f.phone.replace(/\D/g, '');
    const spellings = [digits, `+${digits}`];
    q = q.where((eb) =>
      eb.or([
        eb('t.caller_number', 'in', spellings),
        eb.exists(eb.selectFrom('calls as c').select('c.id').whereRef('c.ticket_id', '=', 't.id').where('c.caller_number', 'in', spellings)),
      ]),
    );
  }
  if (f.operator) {
    const op = f.operator;
    q = q.where((eb) =>
      eb.or([
        eb('t.assignee_id', '=', op),
        eb.exists(eb.selectFrom('calls as c').select('c.id').whereRef('c.ticket_id', '=', 't.id').where('c.operator_id', '=', op)),
      ]),
    );
  }
  if (f.line) q = q.where('t.line', '=', f.line);
  if (f.status) q = q.where('t.status', '=', f.status);
  if (f.priority) q = q.where('t.priority', '=', f.priority);
  if (f.category) q = q.where('t.category', '=', f.category);
  if (f.from) q = q.where('t.created_at', '>=', f.from);
  if (f.to) q = q.where('t.created_at', '<', f.to);
  if (f.q) q = q.where(textMatch(f.q));
  if (f.visibleTo) q = q.where(seenByLines('t', f.visibleTo));
  const [rows, count] = await Promise.all([
    q.selectAll('t').orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
