-- The print journal's outcome is a code (clerk-core's PrintOutcome:
-- sent, held, failed, in_viewer), and why it was held or failed is in its
-- own columns, in Chinese and English (issue #12), instead of a
-- 'held: <why>' or error text parsed by the UI.
ALTER TABLE print_journal ADD COLUMN reason_zh TEXT;
ALTER TABLE print_journal ADD COLUMN reason_en TEXT;
UPDATE print_journal SET reason_en = trim(substr(outcome, 6)), outcome = 'held'
  WHERE outcome LIKE 'held:%';
UPDATE print_journal SET outcome = 'in_viewer'
  WHERE outcome = 'opened in the default viewer';
UPDATE print_journal SET reason_en = outcome, outcome = 'failed'
  WHERE outcome NOT IN ('sent', 'held', 'in_viewer');
