-- Write-behind of live calls (src/calls/call-ledger.ts): the service applies a call's changes in
-- memory first and sends them here in batches, in order, one round trip per batch.
--
-- Idempotent, so a batch replayed from the local journal after a crash (or retried after a
-- Postgres outage whose commit we never heard of) is harmless:
--   * a call or recording insert is skipped when its id exists;
--   * a call update carries the call's own sequence number and applies only over an older one
--     (calls.ledger_seq), so an old patch never overwrites a newer state;
--   * a call event carries the same sequence number, unique per call.
ALTER TABLE calls ADD COLUMN ledger_seq integer NOT NULL DEFAULT 0;
ALTER TABLE call_events ADD COLUMN seq integer;
CREATE UNIQUE INDEX call_events_call_seq_idx ON call_events (call_id, seq) WHERE seq IS NOT NULL;

-- ops: [{k:'insert', t:'calls'|'recordings', row:{...}}, {k:'update', id, seq, patch:{...}},
--       {k:'event', id, seq, from, to, detail, at}], applied in array order.
CREATE FUNCTION pbx_apply_call_ops(ops jsonb) RETURNS void LANGUAGE plpgsql AS $$
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
      SELECT string_agg(quote_ident(k), ', '), string_agg('r.' || quote_ident(k), ', ')
        INTO cols, rcols FROM jsonb_object_keys(op->'patch') k;
      IF cols IS NULL THEN
        UPDATE calls SET ledger_seq = (op->>'seq')::int WHERE id = (op->>'id')::uuid AND ledger_seq < (op->>'seq')::int;
      ELSE
        EXECUTE format('UPDATE calls c SET (%s, ledger_seq) = (SELECT %s, $3 FROM jsonb_populate_record(c, $1) r) '
                       'WHERE c.id = $2 AND c.ledger_seq < $3', cols, rcols)
          USING op->'patch', (op->>'id')::uuid, (op->>'seq')::int;
      END IF;
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
