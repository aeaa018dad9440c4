-- Outbound events and their delivery to subscribers (signed webhooks, helpdesk connectors).
-- An event is stored once; each subscriber that wants it gets a delivery row. Deliveries of one
-- subscriber go out strictly in id order: a failing head blocks the ones behind it until it
-- succeeds or is given up (dead letter), so a receiver that was down sees events in order.

CREATE TABLE outbound_events (
  id          bigserial PRIMARY KEY,
  type        text NOT NULL,
  payload     jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbound_subscriptions (
  id          bigserial PRIMARY KEY,
  -- Which connector renders and sends the events: signed JSON webhooks, Zammad's generic CTI, ...
  connector   text NOT NULL CHECK (connector ~ '^[a-z0-9-]{1,32}$'),
  url         text NOT NULL CHECK (url ~ '^https?://'),
  events      text[] NOT NULL,
  description text,
  active      boolean NOT NULL DEFAULT true,
  -- The signing secret is not stored: it is derived from PBXDESK_SECRET_KEY and the id.
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbound_deliveries (
  id              bigserial PRIMARY KEY,
  subscription_id bigint NOT NULL REFERENCES outbound_subscriptions (id),
  event_id        bigint NOT NULL REFERENCES outbound_events (id),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  last_status     integer,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX outbound_deliveries_pending_idx ON outbound_deliveries (subscription_id, id) WHERE status = 'pending';
CREATE INDEX outbound_deliveries_dead_idx ON outbound_deliveries (subscription_id, id) WHERE status = 'dead';
