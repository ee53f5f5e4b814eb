-- issue #13: the platform trusts no window.
-- The device codes a database numbered receipts with before this
-- enrolment (its provisional one, codes issued to its earlier device
-- rows): its unsent receipts carry them.
ALTER TABLE devices ADD COLUMN former_codes TEXT[] NOT NULL DEFAULT '{}';
-- Moving a PC to another hall takes a code made for that (audited).
ALTER TABLE enrolment_codes ADD COLUMN allow_move BOOLEAN NOT NULL DEFAULT false;
-- Sign-in throttling: five failures in a row lock the user (and, for
-- wrong device secrets, the device) for 15 minutes; an admin can lift it.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE devices ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN locked_until TIMESTAMPTZ;
-- Enrolment attempts per source address (a code is guessed online only
-- this slowly).
CREATE TABLE enrol_attempts(
  source TEXT NOT NULL,
  at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  ok     BOOLEAN NOT NULL
);
CREATE INDEX enrol_attempts_by_source ON enrol_attempts(source, at);
-- Tokens are kept as hashes only. A rotated refresh token's successor is
-- kept sealed with a key only the old token gives (its replay in the grace
-- window gets the same successor back); the old plaintext columns go.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed BYTEA;
ALTER TABLE refresh_tokens DROP COLUMN successor;
ALTER TABLE refresh_tokens DROP COLUMN successor_access;
-- Sessions have an absolute lifetime from the password sign-in, carried
-- through every rotation.
ALTER TABLE refresh_tokens ADD COLUMN session_started TIMESTAMPTZ NOT NULL DEFAULT now();
-- Security events for the admins (locks, lifted locks, refused pushes).
CREATE TABLE security_events(
  id     BIGSERIAL PRIMARY KEY,
  at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  kind   TEXT NOT NULL,
  detail JSONB NOT NULL
);
