-- counter-sync v1, server side (sync-protocol.md §1, §3, §4, §5, §9).

CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters(name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters VALUES ('change_seq', 0), ('online_receipt', 0);

CREATE TABLE offices(
  office_id TEXT PRIMARY KEY,
  name      TEXT NOT NULL
);

CREATE TABLE enrolment_codes(
  code        TEXT PRIMARY KEY,
  office_id   TEXT NOT NULL REFERENCES offices,
  window_code TEXT NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  used_by     UUID
);

-- A device row is never deleted: its code is never reused.
CREATE TABLE devices(
  device_id           UUID PRIMARY KEY,
  device_code         TEXT NOT NULL UNIQUE,
  device_epoch        BIGINT NOT NULL,
  office_id           TEXT NOT NULL REFERENCES offices,
  window_code         TEXT NOT NULL,
  db_instance_id      TEXT NOT NULL,
  secret_hash         TEXT NOT NULL,
  last_applied_seq    BIGINT NOT NULL DEFAULT 0,
  max_receipt_counter BIGINT NOT NULL DEFAULT 0,
  outbox_depth        BIGINT NOT NULL DEFAULT 0,
  quarantined         BOOLEAN NOT NULL DEFAULT false,
  enrolled_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users(
  user_id       TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  office_id     TEXT NOT NULL REFERENCES offices,
  password_hash TEXT NOT NULL
);

CREATE TABLE access_tokens(
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users,
  device_id  UUID NOT NULL REFERENCES devices,
  expires_at TIMESTAMPTZ NOT NULL
);

-- Rotation: a spent token keeps its successor for the grace window.
CREATE TABLE refresh_tokens(
  token_hash      TEXT PRIMARY KEY,
  user_id         TEXT NOT NULL REFERENCES users,
  device_id       UUID NOT NULL REFERENCES devices,
  expires_at      TIMESTAMPTZ NOT NULL,
  rotated_at      TIMESTAMPTZ,
  successor       TEXT,
  successor_access TEXT,
  revoked         BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE cases(
  case_id        TEXT PRIMARY KEY,
  office_id      TEXT NOT NULL REFERENCES offices,
  device_id      UUID REFERENCES devices,       -- NULL: an online application
  receipt_no     TEXT NOT NULL UNIQUE,
  version        BIGINT NOT NULL,
  status         TEXT NOT NULL,
  matter_code    TEXT NOT NULL,
  matter_version INTEGER NOT NULL,
  needs_review   BOOLEAN NOT NULL DEFAULT false,
  data           JSONB NOT NULL,
  nodes          JSONB NOT NULL DEFAULT '{}',   -- department → pending|approved|returned|refused
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A create that clashed (receipt number taken by another case): kept, never lost.
CREATE TABLE quarantine(
  id         BIGSERIAL PRIMARY KEY,
  device_id  UUID NOT NULL,
  seq        BIGINT NOT NULL,
  reason     TEXT NOT NULL,
  mutation   JSONB NOT NULL,
  at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE mutation_ledger(
  device_id   UUID NOT NULL REFERENCES devices,
  seq         BIGINT NOT NULL,
  mutation_id TEXT NOT NULL,
  outcome     TEXT NOT NULL,
  result      JSONB NOT NULL,
  applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq)
);

-- change_seq is taken from counters at the end of the writing transaction
-- (a row lock until commit): no reader can see a later seq before an
-- earlier one commits, so a cursor never skips a change (§4).
CREATE TABLE change_log(
  change_seq     BIGINT PRIMARY KEY,
  office_id      TEXT NOT NULL,
  entity_type    TEXT NOT NULL,
  entity_id      TEXT NOT NULL,
  entity_version BIGINT NOT NULL,
  op             TEXT NOT NULL,
  payload        JSONB NOT NULL,
  committed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX change_log_by_office ON change_log(office_id, change_seq);

CREATE TABLE catalogue_versions(
  version        INTEGER PRIMARY KEY,
  published_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  effective_from DATE NOT NULL,
  withdrawn      BOOLEAN NOT NULL DEFAULT false,
  sha256         TEXT NOT NULL,
  body           BYTEA NOT NULL
);
