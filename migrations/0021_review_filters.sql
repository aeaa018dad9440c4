-- Calls that need a look (issue 20): review filters saved by name, per line, on the supervisor's
-- recordings page. A filter is a kind and its parameters (validated by src/qa/review-filter.ts);
-- a random sample keeps its seed in params, so that it draws the same calls every time it runs.
CREATE TABLE review_filters (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  line        text NOT NULL CHECK (line IN ('first', 'second')),
  kind        text NOT NULL CHECK (kind IN ('long-hold', 'transfers', 'low-survey', 'failed-verification', 'failed-callback', 'first-calls', 'long-call', 'sample')),
  params      jsonb NOT NULL DEFAULT '{}',
  -- 'operator:<id>' or 'token:<id>', as QA evaluations name their evaluator.
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (line, name)
);

