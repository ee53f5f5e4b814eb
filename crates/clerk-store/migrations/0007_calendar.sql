-- issue #11: the official holiday schedule as data, provisional deadlines.
-- The years a case's dates were worked out for from the holiday law alone
-- (comma-separated, e.g. '2027'); NULL when every date is final.
ALTER TABLE cases ADD COLUMN provisional_years TEXT;
CREATE INDEX cases_provisional ON cases(provisional_years) WHERE provisional_years IS NOT NULL;

-- One year of the State Council's schedule as kept: downloaded from the
-- platform (origin 'platform', with its revision) or imported in 设置
-- (origin 'import'). The body is the one-year file (clerk-core YearSchedule).
CREATE TABLE calendar_years(
  year     INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  sha256   TEXT NOT NULL,
  origin   TEXT NOT NULL,
  body     TEXT NOT NULL,
  kept_at  TEXT NOT NULL,
  PRIMARY KEY(year, revision, origin)
) STRICT;

-- Dates that moved when a year's schedule arrived, for the clerk to tell
-- the applicant (the audit row is the record; this is the to-do list).
CREATE TABLE deadline_moves(
  id         INTEGER PRIMARY KEY,
  case_id    TEXT NOT NULL REFERENCES cases(case_id),
  receipt_no TEXT NOT NULL,
  applicant  TEXT NOT NULL,
  field      TEXT NOT NULL,
  old        TEXT NOT NULL,
  new        TEXT NOT NULL,
  year       INTEGER NOT NULL,
  at         TEXT NOT NULL,
  seen_at    TEXT
) STRICT;
