-- 0005: scans attached to cases (sync-protocol §11). Content-addressed by
-- SHA-256. The bytes are kept inside this (SQLCipher-encrypted) file in
-- 1 MiB chunks, not as loose files: scans of ID cards are personal data.

CREATE TABLE blobs(
  sha256        TEXT PRIMARY KEY,             -- lower-case hex of the whole file
  size          INTEGER NOT NULL,
  mime          TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending',  -- pending | stored (the platform holds it)
  upload_url    TEXT,                         -- saved before any byte is sent
  upload_offset INTEGER NOT NULL DEFAULT 0,   -- persisted after each accepted chunk
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  imported_at   TEXT NOT NULL,
  stored_at     TEXT
) STRICT;

CREATE TABLE blob_chunks(
  sha256 TEXT NOT NULL,
  idx    INTEGER NOT NULL,
  data   BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX blob_chunks_by_blob ON blob_chunks(sha256, idx);

-- Add-wins set per case, keyed by (sha256, role); the file name is shown
-- to the clerk, the user's original path is never kept.
CREATE TABLE case_attachments(
  case_id  TEXT NOT NULL,
  sha256   TEXT NOT NULL REFERENCES blobs,
  role     TEXT NOT NULL,
  name     TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  seq      INTEGER NOT NULL,                  -- its case.attach command
  PRIMARY KEY (case_id, sha256, role)
) STRICT;
