-- issue #11: the State Council's holiday schedule, published like catalogue
-- versions: each (year, revision) immutable and hashed; a correction (the
-- State Council has amended a schedule before) is a new revision.
CREATE TABLE calendar_years(
  year         INTEGER NOT NULL,
  revision     INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  body         BYTEA NOT NULL,
  source       TEXT NOT NULL,
  published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY(year, revision)
);
