-- The ticket number a caller keyed in the IVR, kept whether or not it matched a ticket.
ALTER TABLE calls ADD COLUMN keyed_ticket_number text;
CREATE INDEX tickets_number_open_idx ON tickets (number) WHERE status IN ('new', 'open', 'pending_customer');
