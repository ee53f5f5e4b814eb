-- 0003: sync state (sync-protocol §2, §4). The outbox (0001) is the queue;
-- acked rows stay as the re-push archive.

-- device_id, device_epoch, pull_cursor, confirmed_seq, clock_offset_ms, …
CREATE TABLE sync_meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- The last server-confirmed state of every case in the hall's scope
-- (this window's and the other windows', online applications too).
CREATE TABLE case_server(
  case_id    TEXT PRIMARY KEY,
  version    INTEGER NOT NULL,
  status     TEXT NOT NULL,
  receipt_no TEXT NOT NULL,
  data       TEXT NOT NULL,                  -- the change's payload (JSON)
  change_seq INTEGER NOT NULL
) STRICT;
