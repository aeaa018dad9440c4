-- One attach per call (POST /api/panel/calls/:id/ticket-attach), decided by Postgres: two
-- requests racing on two instances (the operator's and a supervisor's) both passed the old
-- in-memory check and the ticket_events lookup before either wrote. The primary key makes the
-- claim atomic: the first INSERT wins, the second finds the row. No foreign key to calls: a live
-- call's row may still be on its way (the call ledger writes behind).
CREATE TABLE call_attachments (
  call_id        uuid PRIMARY KEY,
  ticket_id      bigint NOT NULL REFERENCES tickets (id),
  from_ticket_id bigint NOT NULL REFERENCES tickets (id),
  attached_by    text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now()
);

-- Attaches made before this table: they count too.
INSERT INTO call_attachments (call_id, ticket_id, from_ticket_id, attached_by, at)
SELECT DISTINCT ON ((data->>'callId')) (data->>'callId')::uuid, ticket_id, (data->>'fromTicketId')::bigint, actor, at
  FROM ticket_events
 WHERE kind = 'call-attached' AND data->>'callId' ~ '^[0-9a-f-]{36}$' AND data->>'fromTicketId' ~ '^[0-9]{1,18}$'
 ORDER BY (data->>'callId'), id
ON CONFLICT DO NOTHING;
