-- Guards of one-time codes and keyed tickets (issue 18).
--
-- Fixed-window counters, one row per (bucket, window): every guard bumps its row with a single
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so concurrent requests each see their own
-- count and none slips past a limit (no read-then-write). Buckets: 'verify-fail:global',
-- 'verify-fail:caller:<number>' (withheld and anonymous numbers share 'verify-fail:caller:anonymous'),
-- 'verify-wrong:call:<id>', 'verify-issue:account:<id>'. (Issuing per API token is the route's
-- @fastify/rate-limit, in Redis.)
CREATE TABLE guard_counters (
  bucket       text NOT NULL,
  window_start timestamptz NOT NULL,
  n            integer NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX guard_counters_window_idx ON guard_counters (window_start);

-- The account a caller says they are, as the operator on the call (or a supervisor) named it in
-- the panel: the call's codes are checked against that account only. No foreign key to calls:
-- a live call's row is written behind (the call ledger) and may not be in Postgres yet.
CREATE TABLE verification_scopes (
  call_id    uuid PRIMARY KEY,
  account_id text NOT NULL,
  set_by     text NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now()
);
