-- Guards of one-time codes and keyed tickets (issue 18).
--
-- Fixed-window counters, one row per (bucket, window): every guard bumps its row with a single
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so concurrent requests each see their own
-- count and none slips past a limit (no read-then-write). Buckets: 'verify-fail:global',
-- 'verify-fail:caller:<number>' (withheld and anonymous numbers share 'verify-fail:caller:anonymous'),
-- 'verify-wrong:call:<id>', 'verify-issue:token:<id>', 'verify-issue:account:<id>'.
CREATE TABLE guard_counters (
  bucket       text NOT NULL,
  window_start timestamptz NOT NULL,
  n            integer NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX guard_counters_window_idx ON guard_counters (window_start);
