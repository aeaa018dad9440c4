import type { ColumnType, Generated, Selectable } from 'kysely';

export const OUTBOUND_EVENT_TYPES = [
  'call.started',
  'call.answered',
  'call.ended',
  'call.transferred',
  'recording.archived',
  'ticket.created',
  'ticket.updated',
  'verification.succeeded',
  'callback.scheduled',
  'callback.completed',
  'sla.breached',
  'alert.raised',
  'alert.cleared',
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

export interface OutboundEventTable {
  id: Generated<string>;
  type: OutboundEventType;
  payload: ColumnType<Record<string, unknown>, string, never>;
  occurred_at: ColumnType<Date, Date | undefined, never>;
}

export interface OutboundSubscriptionTable {
  id: Generated<string>;
  connector: string;
  url: string;
  events: ColumnType<string[], string[], string[]>;
  description: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface OutboundDeliveryTable {
  id: Generated<string>;
  subscription_id: string;
  event_id: string;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: string | null;
  last_status: number | null;
  delivered_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type OutboundEventRow = Selectable<OutboundEventTable>;
export type OutboundSubscriptionRow = Selectable<OutboundSubscriptionTable>;
export type OutboundDeliveryRow = Selectable<OutboundDeliveryTable>;

export type SyncState = 'pending' | 'synced' | 'failed';

export interface TicketLinkTable {
  ticket_id: string;
  subscription_id: string;
  connector: string;
  remote_id: string | null;
  remote_url: string | null;
  sync_state: ColumnType<SyncState, SyncState | undefined, SyncState>;
  last_error: string | null;
  remote_status: string | null;
  remote_subject: string | null;
  synced_at: Date | null;
}
export type TicketLinkRow = Selectable<TicketLinkTable>;
