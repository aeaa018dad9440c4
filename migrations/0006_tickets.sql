-- Tickets that carry the whole story: priority, category, assignee, SLA due times, a timeline
-- of events, full-text search in Russian and English, and merges.

-- Trigram matching backs the stemmers: Russian Snowball stems "звонок" and "звонка" apart (the
-- fleeting vowel), so word similarity catches the forms the stemmer misses. pg_trgm is a
-- trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE tickets
  ADD COLUMN description       text NOT NULL DEFAULT '',
  ADD COLUMN priority          text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'critical')),
  ADD COLUMN category          text CHECK (category IS NULL OR length(category) BETWEEN 1 AND 64),
  ADD COLUMN assignee_id       bigint REFERENCES operators (id),
  ADD COLUMN customer_name     text,
  -- Lines the ticket was escalated to: second-line engineers see the first-line tickets sent to them.
  ADD COLUMN escalated         boolean NOT NULL DEFAULT false,
  ADD COLUMN first_response_at timestamptz,
  ADD COLUMN resolved_at       timestamptz,
  ADD COLUMN sla_first_due     timestamptz,
  ADD COLUMN sla_resolve_due   timestamptz,
  ADD COLUMN sla_state         text NOT NULL DEFAULT 'ok' CHECK (sla_state IN ('ok', 'nearing', 'breached')),
  ADD COLUMN merged_into       bigint REFERENCES tickets (id),
  ADD COLUMN split_from        bigint REFERENCES tickets (id),
  ADD COLUMN search            tsvector GENERATED ALWAYS AS (
    to_tsvector('russian', subject || ' ' || description) || to_tsvector('english', subject || ' ' || description)
  ) STORED;
CREATE INDEX tickets_search_idx ON tickets USING gin (search);
CREATE INDEX tickets_text_trgm_idx ON tickets USING gin ((subject || ' ' || description) gin_trgm_ops);
CREATE INDEX tickets_caller_idx ON tickets (caller_number);
CREATE INDEX tickets_account_idx ON tickets (account_id);
CREATE INDEX tickets_created_idx ON tickets (created_at);

ALTER TABLE ticket_notes
  ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('russian', body) || to_tsvector('english', body)) STORED;
CREATE INDEX ticket_notes_search_idx ON ticket_notes USING gin (search);
CREATE INDEX ticket_notes_trgm_idx ON ticket_notes USING gin (body gin_trgm_ops);

-- The timeline: every change to a ticket, with who and when. Calls, recordings, callbacks and
-- verification attempts keep their own tables and join the timeline when it is read.
CREATE TABLE ticket_events (
  id        bigserial PRIMARY KEY,
  ticket_id bigint NOT NULL REFERENCES tickets (id),
  kind      text NOT NULL,
  actor     text NOT NULL,
  data      jsonb NOT NULL DEFAULT '{}',
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);
