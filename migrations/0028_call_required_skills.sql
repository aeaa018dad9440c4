-- Skills routing (issue 21): what a caller needs of an operator (skill name -> least level, e.g.
-- {"en": 1}), set by the IVR's route, is kept on the call's row, so a caller reclaimed after a
-- restart (call-reclaim.ts) still needs it. Written behind like the rest of the live row (the call
-- ledger): pbx_apply_call_ops's static update sets it too (kept in step with call-ledger.ts
-- LEDGER_COLUMNS). Existing calls need none. The service validates names and levels
-- (src/queues/skills.ts); the check keeps the shape.
ALTER TABLE calls ADD COLUMN required_skills jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE calls ADD CONSTRAINT calls_required_skills_object CHECK (jsonb_typeof(required_skills) = 'object');

-- As in 0013, with required_skills among the columns an update sets.
CREATE OR REPLACE FUNCTION pbx_apply_call_ops(ops jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  op jsonb;
  cols text;
  rcols text;
BEGIN
  FOR op IN SELECT value FROM jsonb_array_elements(ops) LOOP
    IF op->>'k' = 'insert' THEN
      IF op->>'t' NOT IN ('calls', 'recordings') THEN
        RAISE EXCEPTION 'pbx_apply_call_ops: no inserts into %', op->>'t' USING ERRCODE = '22023';
      END IF;
      -- Only the columns given: the others take their defaults.
      SELECT string_agg(quote_ident(k), ', '), string_agg('r.' || quote_ident(k), ', ')
        INTO cols, rcols FROM jsonb_object_keys(op->'row') k;
      EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_record(NULL::%I, $1) r ON CONFLICT (id) DO NOTHING',
                     op->>'t', cols, rcols, op->>'t')
        USING op->'row';
    ELSIF op->>'k' = 'update' THEN
      -- One static statement (its plan cached for the session): every column the ledger may
      -- change is set from the row with the patch laid over it, so a column the patch leaves
      -- out keeps the value it has in this very row version (a direct write by someone else,
      -- e.g. the verification service, is not undone). The TS side refuses other columns
      -- (call-ledger.ts LEDGER_COLUMNS): keep both lists in step.
      UPDATE calls c SET (ticket_id, language, line, ivr_path, operator_id, status, operator_channel_id, bridge_id,
                          queued_at, answered_at, ended_at, hangup_cause, hangup_cause_code, hangup_by, recording_id,
                          keyed_ticket_number, verification_status, verified_account_id, verification_method, verified_at,
                          callback_id, survey_score, on_hold, required_skills, ledger_seq)
        = (SELECT r.ticket_id, r.language, r.line, r.ivr_path, r.operator_id, r.status, r.operator_channel_id, r.bridge_id,
                  r.queued_at, r.answered_at, r.ended_at, r.hangup_cause, r.hangup_cause_code, r.hangup_by, r.recording_id,
                  r.keyed_ticket_number, r.verification_status, r.verified_account_id, r.verification_method, r.verified_at,
                  r.callback_id, r.survey_score, r.on_hold, r.required_skills, (op->>'seq')::int
             FROM jsonb_populate_record(c, op->'patch') r)
      WHERE c.id = (op->>'id')::uuid AND c.ledger_seq < (op->>'seq')::int;
    ELSIF op->>'k' = 'event' THEN
      INSERT INTO call_events (call_id, seq, from_status, to_status, detail, at)
      VALUES ((op->>'id')::uuid, (op->>'seq')::int, op->>'from', op->>'to', coalesce(op->'detail', '{}'::jsonb), (op->>'at')::timestamptz)
      ON CONFLICT (call_id, seq) WHERE seq IS NOT NULL DO NOTHING;
    ELSE
      RAISE EXCEPTION 'pbx_apply_call_ops: unknown op %', op->>'k' USING ERRCODE = '22023';
    END IF;
  END LOOP;
END
$$;
