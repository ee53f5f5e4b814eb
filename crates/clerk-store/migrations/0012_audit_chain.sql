-- Issue #13: every audit row carries its link in the chain, SM3 (gm1) over
-- the previous link and the row (clerk-secrets `chain`), hex. Rows from
-- before are chained when the store opens (open.rs, `audit::backfill`).
ALTER TABLE audit ADD COLUMN link TEXT;
