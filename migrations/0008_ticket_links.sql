-- A pbxdesk ticket's counterpart in an external helpdesk (an RT ticket), per subscription, and
-- how its sync stands: the ticket shows it, so a failing helpdesk is visible, never silent.
CREATE TABLE ticket_links (
  ticket_id       bigint NOT NULL REFERENCES tickets (id),
  subscription_id bigint NOT NULL REFERENCES outbound_subscriptions (id),
  connector       text NOT NULL,
  remote_id       text,
  remote_url      text,
  sync_state      text NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced', 'failed')),
  last_error      text,
  -- What the helpdesk showed last time we looked: a change from these flows back.
  remote_status   text,
  remote_subject  text,
  synced_at       timestamptz,
  PRIMARY KEY (ticket_id, subscription_id)
);
CREATE INDEX ticket_links_remote_idx ON ticket_links (subscription_id, remote_id);
