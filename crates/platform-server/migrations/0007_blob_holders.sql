-- Who may read a blob (issue #13): the offices whose devices uploaded it,
-- that is, the halls that had the bytes already. A case.attach alone does
-- not make an office a holder (a hash is easy to attach, the bytes not).
CREATE TABLE blob_holders(
  sha256    TEXT NOT NULL,
  office_id TEXT NOT NULL REFERENCES offices,
  PRIMARY KEY (sha256, office_id)
);

-- Blobs stored before this migration: held by the offices whose cases
-- referenced them (the best record there is of who uploaded them).
INSERT INTO blob_holders(sha256, office_id)
  SELECT DISTINCT a.sha256, c.office_id FROM case_attachments a JOIN cases c USING (case_id)
  JOIN blobs b ON b.sha256 = a.sha256
  ON CONFLICT DO NOTHING;
