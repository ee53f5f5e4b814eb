-- Issue #13: a re-enrolled PC carries its device history. The device rows
-- of its database before this one are retired (superseded_by): their
-- credentials and tokens end, their ledgers still answer for the seqs they
-- applied (the PC's archive is recognised, never applied twice), and the
-- PC's audit chain goes on from the links they hold.
ALTER TABLE devices ADD COLUMN superseded_by UUID REFERENCES devices;
CREATE INDEX devices_by_db_instance ON devices(db_instance_id);
