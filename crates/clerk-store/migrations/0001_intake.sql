-- 0001: intake. Append-only: never edit a migration that has shipped; add
-- a new file instead (a test pins the hash of each one).

CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- 'receipt' and 'seq': never reset, bumped inside the transaction that uses
-- them; 'hlc': the hybrid logical clock (millis * 10000 + counter). One small
-- page, so an intake's counters cost one page write.
CREATE TABLE counters(
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;

CREATE TABLE cases(
  case_id         TEXT PRIMARY KEY,
  receipt_no      TEXT NOT NULL UNIQUE,
  receipt_counter INTEGER NOT NULL,
  matter_code     TEXT NOT NULL,
  matter_version  INTEGER NOT NULL,
  matter_name     TEXT NOT NULL,
  status          TEXT NOT NULL,
  applicant_name  TEXT NOT NULL,
  applicant_id_no TEXT NOT NULL,
  applicant_phone TEXT NOT NULL,
  received_on     TEXT NOT NULL,           -- local date, YYYY-MM-DD
  promised_due    TEXT,
  created_at      TEXT NOT NULL,           -- UTC, ISO 8601
  clerk_id        TEXT NOT NULL,
  window_code     TEXT NOT NULL,
  version         INTEGER NOT NULL,
  body            TEXT NOT NULL            -- the whole case (JSON)
) STRICT;
CREATE INDEX cases_by_day ON cases(received_on);

CREATE TABLE audit(
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      TEXT NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  case_id TEXT REFERENCES cases(case_id),
  detail  TEXT NOT NULL
) STRICT;

-- sync-protocol §2. seq comes from counters('seq'), never from rowid reuse.
CREATE TABLE outbox(
  seq           INTEGER PRIMARY KEY,
  mutation_id   TEXT NOT NULL UNIQUE,
  type          TEXT NOT NULL,
  type_version  INTEGER NOT NULL,
  case_id       TEXT REFERENCES cases(case_id),
  base_version  INTEGER,
  payload       TEXT NOT NULL,
  actor_user_id TEXT NOT NULL,
  hlc           TEXT NOT NULL,
  wall_time     TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending'
                CHECK(state IN ('pending','acked','rejected','conflict')),
  result        TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  acked_at      TEXT
) STRICT;

CREATE TABLE drafts(
  slot       TEXT PRIMARY KEY,
  body       TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- What we know of an applicant from earlier cases (fills the form).
CREATE TABLE applicants(
  id_no        TEXT PRIMARY KEY,
  body         TEXT NOT NULL,
  last_case_id TEXT NOT NULL REFERENCES cases(case_id),
  updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Search terms per case (rowid = cases.rowid): receipt parts, name and
-- matter as single characters, ID and phone with their last four digits.
-- Contentless (the terms are derived, never read back; a change deletes with
-- the old terms recomputed) and without column
-- sizes: fewer pages written per intake.
CREATE VIRTUAL TABLE cases_fts USING fts5(terms, content = '', columnsize = 0,
                                          tokenize = 'unicode61 remove_diacritics 0');

-- Every write path must keep each clerk action to as few pages as it can:
-- indexes are added only with the query that needs them.
