-- 0004: catalogue versions downloaded from the platform (sync-protocol §5):
-- immutable, hash-checked, several kept side by side; a case pins its own.

CREATE TABLE catalogue_versions(
  version        INTEGER PRIMARY KEY,
  sha256         TEXT NOT NULL,           -- hex, as the platform's manifest says
  effective_from TEXT NOT NULL,           -- YYYY-MM-DD
  withdrawn      INTEGER NOT NULL DEFAULT 0,
  body           TEXT NOT NULL,
  fetched_at     TEXT NOT NULL
) STRICT;
