import type { ColumnType, Generated, Selectable } from 'kysely';

export const ROLES = ['admin', 'supervisor', 'operator', 'panel'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiTokenTable {
  id: Generated<string>;
  name: string;
  role: Role;
  token_hash: string;
  operator_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  revoked_at: Date | null;
}

export type ApiTokenRow = Selectable<ApiTokenTable>;
