-- Attachments (sync-protocol §11): content-addressed blobs, resumable
-- uploads (tus 1.0 + creation, checksum, expiration, termination) and the
-- references of cases to blobs.

-- A blob row exists only once its bytes are on disk, fsynced and hashed.
CREATE TABLE blobs(
  sha256    TEXT PRIMARY KEY,
  size      BIGINT NOT NULL,
  mime      TEXT NOT NULL,
  stored_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Creation is keyed on (device, sha256): a retried POST whose 201 was lost
-- gets the same upload back, so no orphan is left.
CREATE TABLE uploads(
  upload_id  UUID PRIMARY KEY,
  device_id  UUID NOT NULL REFERENCES devices,
  sha256     TEXT NOT NULL,
  length     BIGINT NOT NULL,
  mime       TEXT NOT NULL,
  "offset"   BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  UNIQUE (device_id, sha256)
);

-- Add-wins set per case; the state is derived: stored when the blob is.
CREATE TABLE case_attachments(
  case_id  TEXT NOT NULL REFERENCES cases,
  sha256   TEXT NOT NULL,
  role     TEXT NOT NULL,
  mime     TEXT NOT NULL,
  size     BIGINT NOT NULL,
  added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, sha256, role)
);
CREATE INDEX case_attachments_by_blob ON case_attachments(sha256);
