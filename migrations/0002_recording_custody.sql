-- Recordings with a chain of custody: transcoded archive, hash chain, access audit,
-- retention and legal hold.

ALTER TABLE recordings
  ADD COLUMN codec              text,
  ADD COLUMN bitrate            integer,
  ADD COLUMN source_duration_ms integer,
  ADD COLUMN peaks              jsonb,
  ADD COLUMN attempts           integer NOT NULL DEFAULT 0,
  ADD COLUMN legal_hold         boolean NOT NULL DEFAULT false,
  ADD COLUMN purged_at          timestamptz;
ALTER TABLE recordings DROP CONSTRAINT recordings_status_check;
ALTER TABLE recordings ADD CONSTRAINT recordings_status_check
  CHECK (status IN ('recording', 'spooled', 'archived', 'incomplete', 'failed', 'purged'));
-- Spool files found with no call (the dialplan fallback's MixMonitor) are archived too.
ALTER TABLE recordings ALTER COLUMN call_id DROP NOT NULL;
CREATE INDEX recordings_started_idx ON recordings (started_at);

ALTER TABLE calls ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
ALTER TABLE tickets ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- Append-only: each entry hashes the previous entry's hash with this recording's file hash.
CREATE TABLE recording_chain (
  id           bigserial PRIMARY KEY,
  recording_id uuid NOT NULL REFERENCES recordings (id),
  file_sha256  text NOT NULL,
  prev_hash    text NOT NULL,
  entry_hash   text NOT NULL UNIQUE,
  at           timestamptz NOT NULL DEFAULT now()
);

-- Who touched which recording, how, from where and why. Append-only as well.
CREATE TABLE recording_audit (
  id           bigserial PRIMARY KEY,
  recording_id uuid REFERENCES recordings (id),
  action       text NOT NULL CHECK (action IN ('play', 'download', 'denied', 'legal_hold', 'purge', 'rearchive', 'verify')),
  token_id     bigint,
  role         text,
  operator_id  bigint,
  ip           text,
  reason       text,
  ranges       text,
  detail       jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recording_audit_rec_idx ON recording_audit (recording_id, id);

CREATE FUNCTION pbxdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER recording_chain_append_only BEFORE UPDATE OR DELETE ON recording_chain
  FOR EACH ROW EXECUTE FUNCTION pbxdesk_append_only();
CREATE TRIGGER recording_audit_append_only BEFORE UPDATE OR DELETE ON recording_audit
  FOR EACH ROW EXECUTE FUNCTION pbxdesk_append_only();
