-- +goose Up
-- A message the relay refused for good (5xx: unknown mailbox) is never sent
-- again: refused_at says when, refused_reason what the relay answered (CON-2).
ALTER TABLE messages ADD COLUMN refused_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN refused_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN refused_reason;
ALTER TABLE messages DROP COLUMN refused_at;
