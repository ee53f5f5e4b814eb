-- Who signs in on this PC (issue #12). Local users (单机模式) are made
-- here; platform users are remembered from their online sign-ins here, so
-- they may sign in offline for a while. Only an Argon2id verifier of a
-- password is kept, never the password.
CREATE TABLE users(
  user_id            TEXT PRIMARY KEY,
  display_name       TEXT NOT NULL,
  roles              TEXT NOT NULL,            -- 'clerk,supervisor'
  origin             TEXT NOT NULL CHECK(origin IN ('local','platform')),
  verifier           TEXT,                     -- Argon2id PHC string
  online_at          INTEGER,                  -- Unix ms, last online sign-in here
  offline_valid_secs INTEGER,                  -- the platform's offline period
  disabled           INTEGER NOT NULL DEFAULT 0,
  failures           INTEGER NOT NULL DEFAULT 0,
  locked_until       INTEGER,                  -- Unix ms
  created_at         TEXT NOT NULL
) STRICT;
