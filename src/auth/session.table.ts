import type { ColumnType, Generated, Selectable } from 'kysely';

export type SessionEndReason = 'signed_out' | 'idle' | 'expired' | 'password_reset';

export interface PanelSessionTable {
  id: Generated<string>;
  token_hash: string;
  operator_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  ended_at: Date | null;
  ended_reason: SessionEndReason | null;
  ip: string | null;
  user_agent: string | null;
}
export type PanelSessionRow = Selectable<PanelSessionTable>;

export interface PanelSignInTable {
  id: Generated<string>;
  login: string;
  operator_id: string | null;
  ok: boolean;
  reason: string | null;
  ip: string | null;
  at: ColumnType<Date, Date | undefined, never>;
}
