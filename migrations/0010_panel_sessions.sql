-- Operator panel sign-in: a password per operator (scrypt), browser sessions with idle and
-- absolute limits, and every sign-in attempt kept (security audit, throttling).
ALTER TABLE operators ADD COLUMN panel_password_hash text;

CREATE TABLE panel_sessions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- HMAC of the cookie's token under PBXDESK_SECRET_KEY, never the token. The CSRF token is
  -- derived from the session token (auth/session.service.ts), so it needs no column.
  token_hash    text NOT NULL UNIQUE,
  operator_id   bigint NOT NULL REFERENCES operators (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  ended_reason  text CHECK (ended_reason IN ('signed_out', 'idle', 'expired')),
  ip            text,
  user_agent    text
);
CREATE INDEX panel_sessions_operator_idx ON panel_sessions (operator_id);

CREATE TABLE panel_sign_ins (
  id          bigserial PRIMARY KEY,
  login       text NOT NULL,
  operator_id bigint REFERENCES operators (id),
  ok          boolean NOT NULL,
  reason      text,
  ip          text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX panel_sign_ins_login_idx ON panel_sign_ins (login, at);
