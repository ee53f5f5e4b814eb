-- A clerk's own cases, newest first (issue #12): "my cases" and the
-- matters they used last, without scanning the whole table.
CREATE INDEX cases_by_clerk ON cases(clerk_id, receipt_counter);
