-- One-time voice-verification codes, and callbacks that keep the caller's place.

-- Only an HMAC of each code is stored (keyed by the service's secret): a database dump
-- does not give the codes away, and 10^6 codes cannot be tried offline without the key.
CREATE TABLE verification_codes (
  id                 bigserial PRIMARY KEY,
  account_id         text NOT NULL,
  account_name       text,
  caller_number_hint text,
  code_hash          text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  used_at            timestamptz,
  used_by_call_id    uuid REFERENCES calls (id),
  superseded_at      timestamptz
);
CREATE INDEX verification_codes_hash_idx ON verification_codes (code_hash);
CREATE INDEX verification_codes_account_idx ON verification_codes (account_id, id);

-- Consecutive failures per account survive new codes: a fresh code never resets them.
CREATE TABLE verification_accounts (
  account_id           text PRIMARY KEY,
  consecutive_failures integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Every attempt, right or wrong. Never the digits keyed.
CREATE TABLE verification_attempts (
  id            bigserial PRIMARY KEY,
  call_id       uuid REFERENCES calls (id),
  account_id    text,
  caller_number text,
  method        text NOT NULL CHECK (method IN ('ivr', 'operator')),
  outcome       text NOT NULL CHECK (outcome IN ('verified', 'wrong', 'expired', 'reused', 'superseded', 'locked', 'throttled', 'none')),
  flagged       boolean NOT NULL DEFAULT false,
  operator_id   bigint REFERENCES operators (id),
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_attempts_call_idx ON verification_attempts (call_id);
CREATE INDEX verification_attempts_caller_idx ON verification_attempts (caller_number, at);

ALTER TABLE calls ADD COLUMN verification_status text NOT NULL DEFAULT 'none'
  CHECK (verification_status IN ('none', 'verified', 'failed'));
ALTER TABLE calls ADD COLUMN verified_account_id text;
ALTER TABLE calls ADD COLUMN verification_method text CHECK (verification_method IN ('ivr', 'operator'));
ALTER TABLE calls ADD COLUMN verified_at timestamptz;
ALTER TABLE calls ADD COLUMN verification_flagged boolean NOT NULL DEFAULT false;
ALTER TABLE calls ADD COLUMN callback_id uuid;
-- The satisfaction survey after the operator hangs up (1-5), and hold (the caller out of the bridge).
ALTER TABLE calls ADD COLUMN survey_score smallint CHECK (survey_score BETWEEN 1 AND 5);
ALTER TABLE calls ADD COLUMN on_hold boolean NOT NULL DEFAULT false;
ALTER TABLE tickets ADD COLUMN survey_score smallint CHECK (survey_score BETWEEN 1 AND 5);

ALTER TABLE tickets ADD COLUMN account_id text;
ALTER TABLE tickets ADD COLUMN verified_at timestamptz;
ALTER TABLE tickets ADD COLUMN verified_call_id uuid;

-- Recording pauses (the verification step, while the caller keys a code) are part of the record.
ALTER TABLE recordings ADD COLUMN pauses jsonb NOT NULL DEFAULT '[]';
-- Voicemails left in the IVR are recordings too (same archive, chain and audit).
ALTER TABLE recordings ADD COLUMN kind text NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'voicemail'));

-- Notes on tickets: callbacks write theirs here (issue 7 builds the rest of notes on it).
CREATE TABLE ticket_notes (
  id         bigserial PRIMARY KEY,
  ticket_id  bigint NOT NULL REFERENCES tickets (id),
  author     text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_notes_ticket_idx ON ticket_notes (ticket_id, id);


-- Callbacks. `rank` is the moment the customer's place in the line was taken (when a queued
-- caller asked for it, the time they entered the queue): the waiting list orders by it, so a
-- callback neither jumps ahead of earlier callers nor falls behind later ones.
CREATE TABLE callbacks (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind          text NOT NULL CHECK (kind IN ('queued', 'scheduled')),
  number        text NOT NULL,
  line          text NOT NULL CHECK (line IN ('first', 'second')),
  ticket_id     bigint REFERENCES tickets (id),
  account_id    text,
  call_id       uuid REFERENCES calls (id),
  status        text NOT NULL CHECK (status IN ('scheduled', 'waiting', 'dialling', 'completed', 'failed', 'cancelled')),
  rank          timestamptz NOT NULL,
  not_before    timestamptz,
  not_after     timestamptz,
  next_attempt_at timestamptz,
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL,
  requested_by  text NOT NULL,
  closed_reason text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callbacks_open_idx ON callbacks (status) WHERE status IN ('scheduled', 'waiting', 'dialling');
CREATE INDEX callbacks_number_idx ON callbacks (number, created_at);
CREATE INDEX callbacks_account_idx ON callbacks (account_id, created_at);

-- One row per dial of the customer. The unique key is the idempotency key of the dial: a
-- second instance, or a retried job after a crash, cannot dial the same attempt again.
CREATE TABLE callback_attempts (
  id          bigserial PRIMARY KEY,
  callback_id uuid NOT NULL REFERENCES callbacks (id),
  attempt_no  integer NOT NULL,
  call_id     uuid REFERENCES calls (id),
  operator_id bigint REFERENCES operators (id),
  started_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  outcome     text CHECK (outcome IN ('answered', 'no-answer', 'busy', 'failed', 'interrupted', 'machine')),
  UNIQUE (callback_id, attempt_no)
);

-- GDPR erasure of one customer's recordings is an audited action of its own.
ALTER TABLE recording_audit DROP CONSTRAINT recording_audit_action_check;
ALTER TABLE recording_audit ADD CONSTRAINT recording_audit_action_check
  CHECK (action IN ('play', 'download', 'denied', 'legal_hold', 'purge', 'rearchive', 'verify', 'erase'));
