import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Line } from '../operators/operator.table.js';

export const TICKET_STATUSES = ['new', 'open', 'pending_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketTable {
  id: Generated<string>; // bigint: pg returns it as a string, which is what the API shows
  number: Generated<string>;
  subject: string;
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>;
  line: Line | null;
  caller_number: string | null;
  legal_hold: ColumnType<boolean, boolean | undefined, boolean>;
  /** The verified account, once a call on this ticket keyed a valid code. */
  account_id: string | null;
  verified_at: Date | null;
  verified_call_id: string | null;
  survey_score: number | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type TicketRow = Selectable<TicketTable>;
export type NewTicketRow = Insertable<TicketTable>;
export type TicketUpdate = Updateable<TicketTable>;

export interface TicketNoteTable {
  id: Generated<string>;
  ticket_id: string;
  author: string;
  body: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type TicketNoteRow = Selectable<TicketNoteTable>;
