-- Users get roles and a disabled flag (issue #12). `name` is the display
-- name printed on notices as 经办人.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT 'clerk';
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
