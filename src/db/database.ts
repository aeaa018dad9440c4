import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { PanelSessionTable, PanelSignInTable } from '../auth/session.table.js';
import pg from 'pg';
import type { ApiTokenTable } from '../auth/token.table.js';
import type { CallEventTable, CallTable } from '../calls/call.table.js';
import type { CannedPhraseTable, MonitorSessionTable, OperatorStateHistoryTable, OperatorTable } from '../operators/operator.table.js';
import type { RecordingAuditTable, RecordingChainTable, RecordingTable } from '../recordings/recording.table.js';
import type { OutboundDeliveryTable, OutboundEventTable, OutboundSubscriptionTable, TicketLinkTable } from '../outbound/outbound.table.js';
import type { TicketEventTable, TicketNoteTable, TicketTable } from '../tickets/ticket.table.js';
import type { GuardCounterTable, VerificationAccountTable, VerificationAttemptTable, VerificationCodeTable, VerificationScopeTable } from '../verification/verification.table.js';
import type { CallbackAttemptTable, CallbackTable } from '../callbacks/callback.table.js';

export interface Database {
  api_tokens: ApiTokenTable;
  operators: OperatorTable;
  operator_state_history: OperatorStateHistoryTable;
  tickets: TicketTable;
  calls: CallTable;
  call_events: CallEventTable;
  recordings: RecordingTable;
  recording_chain: RecordingChainTable;
  recording_audit: RecordingAuditTable;
  ticket_notes: TicketNoteTable;
  ticket_events: TicketEventTable;
  outbound_events: OutboundEventTable;
  outbound_subscriptions: OutboundSubscriptionTable;
  outbound_deliveries: OutboundDeliveryTable;
  ticket_links: TicketLinkTable;
  panel_sessions: PanelSessionTable;
  canned_phrases: CannedPhraseTable;
  monitor_sessions: MonitorSessionTable;
  panel_sign_ins: PanelSignInTable;
  verification_codes: VerificationCodeTable;
  verification_accounts: VerificationAccountTable;
  verification_attempts: VerificationAttemptTable;
  guard_counters: GuardCounterTable;
  verification_scopes: VerificationScopeTable;
  callbacks: CallbackTable;
  callback_attempts: CallbackAttemptTable;
}

/** What every repository takes as its first argument: the pool or a transaction. */
export type Db = Kysely<Database> | Transaction<Database>;

export function createDb(databaseUrl: string, max = 10): Kysely<Database> {
  // No connect timeout: pg-pool applies it to the wait for a pooled client too, and with 5 s the
  // soak's overload phase (2026-12-07) failed archive jobs that would have waited their turn. So a
  // Postgres that neither answers nor refuses (stopped, or a dropped route) still holds requests;
  // one that refuses them is a 503 at once (error-handler.ts).
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client that errors (Postgres restarted) must not crash the process.
  pool.on('error', () => undefined);
  // Nor one that is checked out between two queries (a transaction in progress): pg then emits
  // 'error' on the client itself, which crashed the service when Postgres was stopped under
  // load (the soak's fault run). The query in flight is rejected and handled where it ran.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
