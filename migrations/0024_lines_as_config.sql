-- Lines are configuration (issue 21): which lines exist is known only at run time, from
-- pbx-config/lines.json (src/lines/line-catalog.ts), so no table may pin them to 'first' and
-- 'second' any more. Each such CHECK (Postgres named the inline ones <table>_line_check) becomes a
-- check of the id's shape, the same pattern as LINE_ID_PATTERN in src/vocabulary.ts. Whether an id
-- is a configured line is the service's check (the catalog changes without a migration), so rows
-- of a line later removed from the configuration stay readable history. Existing rows ('first',
-- 'second', NULL where the column allows it) all pass the new checks.
ALTER TABLE operators        DROP CONSTRAINT operators_line_check;
ALTER TABLE tickets          DROP CONSTRAINT tickets_line_check;
ALTER TABLE calls            DROP CONSTRAINT calls_line_check;
ALTER TABLE callbacks        DROP CONSTRAINT callbacks_line_check;
ALTER TABLE qa_evaluations   DROP CONSTRAINT qa_evaluations_line_check;
ALTER TABLE alert_thresholds DROP CONSTRAINT alert_thresholds_line_check;
ALTER TABLE alerts           DROP CONSTRAINT alerts_line_check;
ALTER TABLE missed_calls     DROP CONSTRAINT missed_calls_line_check;
ALTER TABLE review_filters   DROP CONSTRAINT review_filters_line_check;

ALTER TABLE operators        ADD CONSTRAINT operators_line_id        CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE tickets          ADD CONSTRAINT tickets_line_id          CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE calls            ADD CONSTRAINT calls_line_id            CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE callbacks        ADD CONSTRAINT callbacks_line_id        CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE qa_evaluations   ADD CONSTRAINT qa_evaluations_line_id   CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE alert_thresholds ADD CONSTRAINT alert_thresholds_line_id CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE alerts           ADD CONSTRAINT alerts_line_id           CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE missed_calls     ADD CONSTRAINT missed_calls_line_id     CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');
ALTER TABLE review_filters   ADD CONSTRAINT review_filters_line_id   CHECK (line ~ '^[a-z][a-z0-9-]{0,31}$');

-- A check on a line column still naming the two old lines would refuse a third line's rows
-- silently later on: fail the migration now instead (one added by a migration this list missed).
DO $$
DECLARE
  leftover text;
BEGIN
  SELECT string_agg(c.conrelid::regclass || '.' || c.conname, ', ') INTO leftover
    FROM pg_constraint c
   WHERE c.contype = 'c'
     AND c.connamespace = current_schema()::regnamespace
     AND pg_get_constraintdef(c.oid) ~ '''second''';
  IF leftover IS NOT NULL THEN
    RAISE EXCEPTION 'checks still pinning lines to first/second: %', leftover;
  END IF;
END $$;

-- Which lines an operator serves (the ACD offers them those lines' callers; they see those
-- lines' tickets). The home line (operators.line) stays: it is always served and decides what
-- an operator's panel shows by default. Existing operators serve their home line only, as today.
ALTER TABLE operators ADD COLUMN lines text[];
UPDATE operators SET lines = ARRAY[line];
ALTER TABLE operators ALTER COLUMN lines SET NOT NULL;
ALTER TABLE operators ADD CONSTRAINT operators_lines_serve_home
  CHECK (line = ANY (lines) AND cardinality(lines) <= 32);

-- A row written without lines (the seed command, tests, an older service during a rolling
-- update) serves its home line, and a new home line is always added to what is served: a
-- column default cannot name another column, so a trigger keeps the rule instead.
CREATE FUNCTION operators_serve_home_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lines IS NULL THEN
    NEW.lines := ARRAY[NEW.line];
  ELSIF NOT NEW.line = ANY (NEW.lines) THEN
    NEW.lines := array_prepend(NEW.line, NEW.lines);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER operators_serve_home_line BEFORE INSERT OR UPDATE OF line, lines ON operators
  FOR EACH ROW EXECUTE FUNCTION operators_serve_home_line();

-- The lines a ticket was escalated to (a move up the escalation order, LineCatalog.next): their
-- operators keep seeing it wherever it goes next, as the second line kept seeing the first-line
-- tickets escalated to it (the `escalated` flag, which stays: "ever escalated", for reports and
-- lists). With two lines every escalation went to the second: existing escalated tickets get it.
ALTER TABLE tickets ADD COLUMN escalated_lines text[] NOT NULL DEFAULT '{}';
UPDATE tickets SET escalated_lines = '{second}' WHERE escalated;
