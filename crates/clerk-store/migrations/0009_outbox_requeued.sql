-- A refused row sent again under a new seq says so in its own column
-- (issue #12), instead of a "requeued as N" text in last_error.
ALTER TABLE outbox ADD COLUMN requeued_as INTEGER;
UPDATE outbox SET requeued_as = CAST(substr(last_error, 13) AS INTEGER), last_error = NULL
  WHERE last_error LIKE 'requeued as %';
