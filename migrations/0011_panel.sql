-- The operator panel and the supervisor pages: browser softphones, supervisors who sign in,
-- wrap-up dispositions, canned phrases, and the audit of live monitoring.

-- 'webrtc': the operator's phone is the panel (SIP over WebSocket, DTLS-SRTP, ICE);
-- 'sip': a desk or soft phone speaking plain SIP/RTP. Asterisk needs different endpoints for each.
ALTER TABLE operators ADD COLUMN softphone text NOT NULL DEFAULT 'sip' CHECK (softphone IN ('sip', 'webrtc'));
-- A supervisor is an operator who may also watch lines, monitor calls and audit recordings.
ALTER TABLE operators ADD COLUMN supervisor boolean NOT NULL DEFAULT false;
-- The call the operator still has to wrap up (a note or a disposition) before taking the next.
ALTER TABLE operators ADD COLUMN wrapup_call_id uuid;

ALTER TABLE calls ADD COLUMN disposition text;
ALTER TABLE calls ADD COLUMN wrapped_up_at timestamptz;

CREATE TABLE canned_phrases (
  id          bigserial PRIMARY KEY,
  language    text NOT NULL CHECK (language IN ('ru', 'en')),
  kind        text NOT NULL CHECK (kind IN ('greeting', 'ask_number', 'hold', 'thanks', 'other')),
  body        text NOT NULL,
  position    integer NOT NULL DEFAULT 0,
  updated_by  text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO canned_phrases (language, kind, body, position) VALUES
  ('ru', 'greeting',   'Здравствуйте! Служба поддержки, {name}, {position}, компания {company}. Чем могу помочь?', 1),
  ('ru', 'ask_number', 'Назовите, пожалуйста, номер обращения или номер договора.', 2),
  ('ru', 'hold',       'Пожалуйста, оставайтесь на линии, это займёт около {minutes} минут.', 3),
  ('ru', 'thanks',     'Спасибо за ожидание!', 4),
  ('en', 'greeting',   'Hello! Support desk, {name}, {position} at {company}. How can I help?', 1),
  ('en', 'ask_number', 'Could you tell me your ticket or contract number, please?', 2),
  ('en', 'hold',       'Please stay on the line, this will take about {minutes} minutes.', 3),
  ('en', 'thanks',     'Thank you for waiting!', 4);

-- Every live monitoring session (listen, whisper, barge): who, which call, how, when.
CREATE TABLE monitor_sessions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_id        uuid NOT NULL REFERENCES calls (id),
  supervisor_id  bigint NOT NULL REFERENCES operators (id),
  mode           text NOT NULL CHECK (mode IN ('listen', 'whisper', 'barge')),
  snoop_channel  text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  ended_at       timestamptz
);
CREATE INDEX monitor_sessions_call_idx ON monitor_sessions (call_id);

-- Recording access from a panel session (a supervisor in the browser) names the session; API
-- token access keeps naming the token.
ALTER TABLE recording_audit ADD COLUMN session_id uuid REFERENCES panel_sessions (id);
