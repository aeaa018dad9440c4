-- Operator states as reports need them: on call and wrap-up besides available/paused/offline,
-- pause reasons, and every change kept with its time.
ALTER TABLE operators DROP CONSTRAINT operators_state_check;
ALTER TABLE operators ADD CONSTRAINT operators_state_check
  CHECK (state IN ('available', 'on_call', 'wrap_up', 'paused', 'offline'));
ALTER TABLE operators ADD COLUMN wrapup_until timestamptz;
UPDATE operators SET state_reason = 'other' WHERE state = 'paused' AND state_reason NOT IN ('break', 'training', 'missed', 'other');

CREATE TABLE operator_state_history (
  id          bigserial PRIMARY KEY,
  operator_id bigint NOT NULL REFERENCES operators (id),
  from_state  text,
  to_state    text NOT NULL,
  reason      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_state_history_op_idx ON operator_state_history (operator_id, id);
