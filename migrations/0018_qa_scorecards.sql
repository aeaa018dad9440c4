-- QA scorecards (issue 20): forms as versioned data, evaluations of calls that are never changed
-- once submitted (a correction is a new evaluation superseding the old one), and the operator's
-- acknowledgements and disputes and the supervisors' resolutions as rows of their own.

CREATE TABLE qa_forms (
  id              bigserial PRIMARY KEY,
  name            text NOT NULL,
  current_version integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Every version of a form as validated. Never changed in place: an edit is a new version, and
-- an evaluation names the version it was scored on.
CREATE TABLE qa_form_versions (
  form_id     bigint NOT NULL REFERENCES qa_forms (id),
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (form_id, version)
);

CREATE TABLE qa_evaluations (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_id               uuid NOT NULL REFERENCES calls (id),
  recording_id          uuid REFERENCES recordings (id),
  -- The evaluated operator (who answered the call) and the call's line and time, for reports.
  operator_id           bigint NOT NULL REFERENCES operators (id),
  line                  text CHECK (line IN ('first', 'second')),
  call_at               timestamptz NOT NULL,
  form_id               bigint NOT NULL,
  form_version          integer NOT NULL,
  -- 'operator:<id>' or 'token:<id>': who scored (a dispute goes to someone else).
  evaluator             text NOT NULL,
  evaluator_operator_id bigint REFERENCES operators (id),
  score                 numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
  raw_score             numeric(5, 2) NOT NULL CHECK (raw_score BETWEEN 0 AND 100),
  critical_failed       boolean NOT NULL,
  -- Each answer with a snapshot of its criterion (title, weight, critical) and what it scored.
  answers               jsonb NOT NULL,
  sections              jsonb NOT NULL,
  comment               text,
  -- [{atMs, text}]: moments of the recording the evaluator pinned a remark to.
  remarks               jsonb NOT NULL DEFAULT '[]',
  -- A correction names what it corrects; only one correction per evaluation (the race's loser gets 409).
  supersedes_id         uuid UNIQUE REFERENCES qa_evaluations (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (form_id, form_version) REFERENCES qa_form_versions (form_id, version)
);
CREATE INDEX qa_evaluations_operator_idx ON qa_evaluations (operator_id, call_at);
CREATE INDEX qa_evaluations_call_at_idx ON qa_evaluations (call_at);
CREATE INDEX qa_evaluations_call_idx ON qa_evaluations (call_id);

-- Acknowledged or disputed by the operator (once per evaluation); a dispute upheld or corrected
-- by a supervisor (once per evaluation).
CREATE TABLE qa_evaluation_events (
  id                bigserial PRIMARY KEY,
  evaluation_id     uuid NOT NULL REFERENCES qa_evaluations (id),
  kind              text NOT NULL CHECK (kind IN ('acknowledged', 'disputed', 'upheld', 'corrected')),
  actor             text NOT NULL,
  actor_operator_id bigint REFERENCES operators (id),
  comment           text,
  -- The superseding evaluation of a 'corrected' resolution.
  correction_id     uuid REFERENCES qa_evaluations (id),
  at                timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'corrected') = (correction_id IS NOT NULL))
);
CREATE UNIQUE INDEX qa_evaluation_events_answer_idx ON qa_evaluation_events (evaluation_id) WHERE kind IN ('acknowledged', 'disputed');
CREATE UNIQUE INDEX qa_evaluation_events_resolution_idx ON qa_evaluation_events (evaluation_id) WHERE kind IN ('upheld', 'corrected');
CREATE INDEX qa_evaluation_events_disputes_idx ON qa_evaluation_events (at) WHERE kind = 'disputed';

-- The rules the service checks, held by the database too: a resolution needs a dispute, and is
-- never the evaluator's own.
CREATE FUNCTION qa_resolution_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind IN ('upheld', 'corrected') THEN
    IF NOT EXISTS (SELECT 1 FROM qa_evaluation_events WHERE evaluation_id = NEW.evaluation_id AND kind = 'disputed') THEN
      RAISE EXCEPTION 'evaluation % has no dispute to resolve', NEW.evaluation_id USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM qa_evaluations WHERE id = NEW.evaluation_id AND evaluator = NEW.actor) THEN
      RAISE EXCEPTION 'the evaluator of % may not resolve its dispute', NEW.evaluation_id USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER qa_evaluation_events_resolution_guard BEFORE INSERT ON qa_evaluation_events
  FOR EACH ROW EXECUTE FUNCTION qa_resolution_guard();

-- Submitted is final (pbxdesk_append_only from 0002, as for the recording audit).
CREATE TRIGGER qa_form_versions_append_only BEFORE UPDATE OR DELETE ON qa_form_versions
  FOR EACH ROW EXECUTE FUNCTION pbxdesk_append_only();
CREATE TRIGGER qa_evaluations_append_only BEFORE UPDATE OR DELETE ON qa_evaluations
  FOR EACH ROW EXECUTE FUNCTION pbxdesk_append_only();
CREATE TRIGGER qa_evaluation_events_append_only BEFORE UPDATE OR DELETE ON qa_evaluation_events
  FOR EACH ROW EXECUTE FUNCTION pbxdesk_append_only();
