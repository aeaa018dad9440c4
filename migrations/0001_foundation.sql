-- Foundation: tokens, operators, tickets, calls with their state transitions, recordings.

CREATE TABLE api_tokens (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'supervisor', 'operator', 'panel')),
  -- HMAC-SHA256 of the token under PBXDESK_SECRET_KEY: a leaked table reveals no token.
  token_hash  text NOT NULL UNIQUE,
  operator_id bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE operators (
  id               bigserial PRIMARY KEY,
  login            text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9_.-]{1,31}$'),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  line             text NOT NULL CHECK (line IN ('first', 'second')),
  sip_username     text NOT NULL UNIQUE,
  -- MD5(username:realm:password), what PJSIP's md5_cred takes: the password itself is never stored.
  sip_md5_cred     text NOT NULL,
  state            text NOT NULL DEFAULT 'offline' CHECK (state IN ('available', 'paused', 'offline')),
  state_reason     text,
  state_changed_at timestamptz NOT NULL DEFAULT now(),
  last_call_ended_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE api_tokens ADD FOREIGN KEY (operator_id) REFERENCES operators (id);

-- Human-friendly ticket numbers: what callers key in and read out.
CREATE SEQUENCE ticket_number_seq START 100001;

CREATE TABLE tickets (
  id            bigserial PRIMARY KEY,
  number        bigint NOT NULL UNIQUE DEFAULT nextval('ticket_number_seq'),
  subject       text NOT NULL,
  status        text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending_customer', 'resolved', 'closed')),
  line          text CHECK (line IN ('first', 'second')),
  caller_number text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calls (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_id           bigint REFERENCES tickets (id),
  caller_number       text,
  dialled_number      text,
  language            text NOT NULL DEFAULT 'ru',
  line                text CHECK (line IN ('first', 'second')),
  ivr_path            text[] NOT NULL DEFAULT '{}',
  operator_id         bigint REFERENCES operators (id),
  status              text NOT NULL,
  caller_channel_id   text NOT NULL UNIQUE,
  operator_channel_id text,
  bridge_id           text,
  entered_at          timestamptz NOT NULL DEFAULT now(),
  queued_at           timestamptz,
  answered_at         timestamptz,
  ended_at            timestamptz,
  hangup_cause        text,
  hangup_cause_code   integer,
  hangup_by           text CHECK (hangup_by IN ('caller', 'operator', 'system')),
  recording_id        uuid
);
CREATE INDEX calls_entered_at_idx ON calls (entered_at);
CREATE INDEX calls_ticket_idx ON calls (ticket_id);
CREATE INDEX calls_operator_idx ON calls (operator_id);
CREATE INDEX calls_caller_idx ON calls (caller_number);
CREATE INDEX calls_active_idx ON calls (status) WHERE ended_at IS NULL;

-- Every state transition of a call, in order: the lifecycle survives a restart and can be replayed.
CREATE TABLE call_events (
  id          bigserial PRIMARY KEY,
  call_id     uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  from_status text,
  to_status   text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_events_call_idx ON call_events (call_id, id);

CREATE TABLE recordings (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_id      uuid NOT NULL REFERENCES calls (id),
  name         text NOT NULL UNIQUE,
  status       text NOT NULL CHECK (status IN ('recording', 'spooled', 'archived', 'incomplete', 'failed')),
  format       text NOT NULL DEFAULT 'wav',
  spool_path   text,
  archive_path text,
  duration_ms  integer,
  size_bytes   bigint,
  sha256       text,
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz,
  archived_at  timestamptz
);
CREATE INDEX recordings_call_idx ON recordings (call_id);
ALTER TABLE calls ADD FOREIGN KEY (recording_id) REFERENCES recordings (id);
