-- Missed calls followed up (issue 19, src/missed/): callers who hung up in the queue or left a
-- voicemail form a worklist per line. Derived from what the call ledger has written (call_events
-- and calls), never on the caller's path: a follower reads the transitions since a watermark.

-- One open entry per line and number (E.164 where the number parses, else its digits): a
-- number that misses again counts up its entry. 'booked': a callback is booked from it (the
-- claim is one row update, open -> booked, so two clicks never book twice); 'cleared': the
-- number got through to the line or was called back.
CREATE TABLE missed_calls (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  line             text NOT NULL CHECK (line IN ('first', 'second')),
  number           text NOT NULL,
  reason           text NOT NULL CHECK (reason IN ('abandoned', 'voicemail')),
  calls            integer NOT NULL DEFAULT 1,
  first_at         timestamptz NOT NULL,
  last_at          timestamptz NOT NULL,
  last_call_id     uuid NOT NULL,
  ticket_id        bigint,
  longest_wait_sec integer NOT NULL DEFAULT 0,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'booked', 'cleared')),
  callback_id      uuid REFERENCES callbacks (id) ON DELETE SET NULL,
  -- Why the last callback booked from it did not reach the customer (it is open again), or
  -- why an automatic booking was refused (the number rules).
  callback_outcome text,
  booked_by        text,
  booked_at        timestamptz,
  cleared_at       timestamptz,
  cleared_reason   text CHECK (cleared_reason IN ('answered', 'called-back')),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX missed_calls_open_idx ON missed_calls (line, number) WHERE status <> 'cleared';
CREATE INDEX missed_calls_list_idx ON missed_calls (line, last_at DESC);
-- The follower pushes what changed since its last look to the panels (every instance its own).
CREATE INDEX missed_calls_updated_idx ON missed_calls (updated_at);
CREATE INDEX missed_calls_booked_idx ON missed_calls (callback_id) WHERE status = 'booked';

-- Each missed call counted once: the follower re-reads a window of transitions (late commits)
-- and several instances may read the same ones; the count moves only for a call not here yet.
CREATE TABLE missed_call_sources (
  call_id uuid PRIMARY KEY,
  line    text NOT NULL,
  number  text NOT NULL,
  at      timestamptz NOT NULL
);

-- The follower's watermark: call_events ids up to here are followed (one row). It starts at the
-- newest transition: calls before the feature existed are history, not a worklist.
CREATE TABLE missed_call_cursor (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  event_id bigint NOT NULL
);
INSERT INTO missed_call_cursor (event_id) SELECT coalesce(max(id), 0) FROM call_events;
