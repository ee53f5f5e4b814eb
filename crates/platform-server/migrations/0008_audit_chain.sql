-- Issue #13: each PC's audit chain as far as the platform has seen it, one
-- link per row (SM3 hex, clerk-secrets `chain`). A push carries the digests
-- of the rows after the head; the platform refuses one that does not
-- continue what it holds (an edited or deleted row on the PC shows up).
CREATE TABLE audit_links(
  device_id UUID NOT NULL REFERENCES devices,
  id        BIGINT NOT NULL,
  link      TEXT NOT NULL,
  PRIMARY KEY (device_id, id)
);
