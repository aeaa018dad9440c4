-- Click-to-call (issue 19): an operator calls a customer from a ticket, a callback or the
-- missed-calls list. Such a call has a row of its own, marked outbound; every row before it, and
-- every call a customer makes (a callback's call too: the customer asked for it), is inbound.
-- A constant default: existing rows take it without being rewritten.
ALTER TABLE calls ADD COLUMN direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound'));

-- The per-number limit of the callback rules counts click-to-calls to the number within a day
-- (the customer's number is the row's caller_number, as on a callback's call).
CREATE INDEX calls_outbound_number_idx ON calls (caller_number, entered_at) WHERE direction = 'outbound';
