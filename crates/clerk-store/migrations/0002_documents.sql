-- 0002: issued documents and the print journal. The PDFs live inside the
-- encrypted file (a notice carries the applicant's personal data), with the
-- 副本 variant made at issue time so a reprint comes from a saved file.

CREATE TABLE documents(
  id         TEXT PRIMARY KEY,
  case_id    TEXT NOT NULL REFERENCES cases(case_id),
  kind       TEXT NOT NULL,
  doc_no     TEXT NOT NULL,
  sha256     TEXT NOT NULL,           -- suite-tagged hash of the original PDF
  pdf        BLOB NOT NULL,
  copy_pdf   BLOB NOT NULL,           -- the same document marked 副本
  values_json TEXT NOT NULL,          -- what it was filled with (preview re-renders)
  issued_at  TEXT NOT NULL,
  issued_by  TEXT NOT NULL,
  UNIQUE(case_id, kind)
) STRICT;

CREATE TABLE print_journal(
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id TEXT NOT NULL REFERENCES documents(id),
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  copy        INTEGER NOT NULL,        -- 0: the original, 1: 副本
  printer     TEXT,
  job_id      TEXT,
  outcome     TEXT NOT NULL            -- 'sent', or why it failed
) STRICT;
CREATE INDEX print_journal_by_document ON print_journal(document_id);
