-- Sign-in throttling per source address as well as per login (auth/session.repository.ts
-- counts failures from one address), and sessions ended by a password reset.
CREATE INDEX panel_sign_ins_ip_idx ON panel_sign_ins (ip, at);

ALTER TABLE panel_sessions DROP CONSTRAINT panel_sessions_ended_reason_check;
ALTER TABLE panel_sessions ADD CONSTRAINT panel_sessions_ended_reason_check
  CHECK (ended_reason IN ('signed_out', 'idle', 'expired', 'password_reset'));
