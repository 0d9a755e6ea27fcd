-- +goose Up
-- Why an email is not sent yet, for the central service's "Courriels" page
-- (CON-2): how many times it was tried, the last failure (the relay's answer)
-- and when; resends counts the central service's "Renvoyer", so that two
-- clicks on the same page queue it once.
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN last_attempt_at TEXT;
ALTER TABLE messages ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_unsent ON messages (created_at) WHERE sent_at IS NULL;

-- +goose Down
DROP INDEX messages_unsent;
ALTER TABLE messages DROP COLUMN resends;
ALTER TABLE messages DROP COLUMN last_attempt_at;
ALTER TABLE messages DROP COLUMN last_error;
ALTER TABLE messages DROP COLUMN attempts;
