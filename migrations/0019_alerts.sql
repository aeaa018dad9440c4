-- Alerts that reach the supervisor (src/alerts/): the thresholds per line, and every alert
-- raised with when it cleared. Several instances evaluate the same conditions (docs/scaling.md):
-- the partial unique index lets exactly one open alert exist per (kind, line, subject), so a
-- raise is INSERT ... ON CONFLICT DO NOTHING and a clear UPDATE ... WHERE cleared_at IS NULL,
-- each atomic by itself, and only the instance whose statement changed a row tells anyone.

CREATE TABLE alert_thresholds (
  line                 text PRIMARY KEY CHECK (line IN ('first', 'second')),
  -- null: that kind is not watched on the line.
  longest_wait_sec     integer CHECK (longest_wait_sec > 0),
  service_level_min    double precision CHECK (service_level_min >= 0 AND service_level_min <= 1),
  sla_overdue_sec      integer CHECK (sla_overdue_sec >= 0),
  -- pause reason -> seconds allowed; a reason not in it is not watched.
  pause_max_sec        jsonb NOT NULL DEFAULT '{}',
  abandon_rate_max     double precision CHECK (abandon_rate_max >= 0 AND abandon_rate_max <= 1),
  abandon_window_min   integer NOT NULL CHECK (abandon_window_min BETWEEN 1 AND 1440),
  -- Rates over fewer calls than this are not judged (one abandoned call is not 100 %).
  min_calls            integer NOT NULL CHECK (min_calls >= 1),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  updated_by           text NOT NULL
);

CREATE TABLE alerts (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('longest_wait', 'service_level', 'sla_breach', 'pause_too_long', 'abandon_rate')),
  line        text NOT NULL CHECK (line IN ('first', 'second')),
  -- What on the line: the node whose callers wait, the operator, the ticket; '' for the line itself.
  subject     text NOT NULL DEFAULT '',
  value       double precision NOT NULL,
  threshold   double precision NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  raised_at   timestamptz NOT NULL DEFAULT now(),
  cleared_at  timestamptz CHECK (cleared_at >= raised_at)
);
CREATE UNIQUE INDEX alerts_open_idx ON alerts (kind, line, subject) WHERE cleared_at IS NULL;
CREATE INDEX alerts_raised_idx ON alerts (raised_at);

-- The evaluator's look for overdue tickets (a few seconds apart) must not scan every ticket.
CREATE INDEX tickets_first_due_open_idx ON tickets (sla_first_due)
  WHERE first_response_at IS NULL AND status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_resolve_due_open_idx ON tickets (sla_resolve_due)
  WHERE resolved_at IS NULL AND status NOT IN ('resolved', 'closed');
