-- 0006: an intake writes fewer pages (issue #3: the durable commit within
-- 2x a bare insert + fsync). Every B-tree a transaction touches is one more
-- page to encrypt, write to the WAL and fsync.
--
-- * cases: the receipt counter becomes the row id. It is unique by
--   construction (bumped in the same transaction, never reset), so the row
--   id B-tree now guards it and the separate UNIQUE index on receipt_no
--   (office + device + that counter) goes.
-- * The search terms (cases_fts), the applicant memory (applicants) and the
--   list by day (case_days, replacing the index cases_by_day) are derived
--   lookups: rebuilt from cases at any time, so they are brought up to date
--   after the intake's commit, in their own transaction, up to the
--   watermark counters('indexed'), and always before a read that uses them.
--   The case, its audit row and its outbox row stay one transaction.
-- * audit: no AUTOINCREMENT (rows are never deleted, so plain row ids never
--   repeat either; sqlite_sequence was one more page per action).
-- * counters: an intake no longer writes them (one more page). The receipt
--   counter, the outbox seq and the HLC are read from the newest case and
--   outbox rows; the values kept in counters become floors (numbers.rs).
-- * drafts: an intake no longer deletes its draft (one more B-tree). A draft
--   records the last receipt counter when saved (generation); a case with
--   a higher counter taken in from the same slot (cases.draft_slot)
--   supersedes it, and the pass after the commit deletes it. Drafts saved
--   before this migration are generation 0 and older cases name no slot:
--   they stay current.
-- * outbox: no UNIQUE index on mutation_id (a random UUIDv7 made here; the
--   platform's dedup is what makes it exactly-once).
--
-- The runner applies this with foreign keys off and checks them before the
-- commit (the SQLite "12-step" table rebuild).

CREATE TABLE cases_new(
  case_id         TEXT NOT NULL UNIQUE,
  receipt_no      TEXT NOT NULL,
  receipt_counter INTEGER PRIMARY KEY,
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
  body            TEXT NOT NULL,           -- the whole case (JSON)
  draft_slot      TEXT                     -- the form's draft slot, superseded by this case
) STRICT;
INSERT INTO cases_new(case_id, receipt_no, receipt_counter, matter_code, matter_version, matter_name,
                      status, applicant_name, applicant_id_no, applicant_phone, received_on,
                      promised_due, created_at, clerk_id, window_code, version, body)
  SELECT case_id, receipt_no, receipt_counter, matter_code, matter_version, matter_name,
         status, applicant_name, applicant_id_no, applicant_phone, received_on,
         promised_due, created_at, clerk_id, window_code, version, body
  FROM cases ORDER BY receipt_counter;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;

CREATE TABLE audit_new(
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  case_id TEXT REFERENCES cases(case_id),
  detail  TEXT NOT NULL
) STRICT;
INSERT INTO audit_new(id, at, actor, action, case_id, detail)
  SELECT id, at, actor, action, case_id, detail FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
DELETE FROM sqlite_sequence WHERE name = 'audit';

CREATE TABLE outbox_new(
  seq           INTEGER PRIMARY KEY,
  mutation_id   TEXT NOT NULL,
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
INSERT INTO outbox_new SELECT * FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

ALTER TABLE drafts ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

-- Derived: which cases were received on a day (the case list), kept with
-- the search terms and the applicant memory.
CREATE TABLE case_days(
  received_on TEXT NOT NULL,
  counter     INTEGER NOT NULL,
  PRIMARY KEY(received_on, counter)
) STRICT, WITHOUT ROWID;

-- The search rows were keyed by the old row ids: empty them and let the
-- catch-up derive everything again from cases (the applicant memory too;
-- re-deriving it in receipt order gives the same rows).
INSERT INTO cases_fts(cases_fts) VALUES ('delete-all');
INSERT INTO counters(name, value) VALUES ('indexed', 0);
