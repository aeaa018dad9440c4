-- One file per leg (RECORD_LEGS): what the caller said and what the operator said, each on its
-- own, next to the mixed recording of the call.
ALTER TABLE recordings DROP CONSTRAINT recordings_kind_check;
ALTER TABLE recordings ADD CONSTRAINT recordings_kind_check CHECK (kind IN ('call', 'voicemail', 'caller-leg', 'operator-leg'));
