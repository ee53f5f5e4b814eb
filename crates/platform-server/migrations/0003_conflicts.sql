-- Field-level conflicts (sync-protocol §6): a field two windows changed
-- differently keeps the platform's value; the other value is kept here for
-- a person to resolve, never dropped.
CREATE TABLE conflicts(
  id             BIGSERIAL PRIMARY KEY,
  case_id        TEXT NOT NULL REFERENCES cases,
  field          TEXT NOT NULL,
  platform_value TEXT,
  window_value   TEXT NOT NULL,
  base_version   BIGINT,
  device_id      UUID NOT NULL,
  seq            BIGINT NOT NULL,
  window_code    TEXT NOT NULL,
  resolved       BOOLEAN NOT NULL DEFAULT false,
  at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX conflicts_by_case ON conflicts(case_id);
