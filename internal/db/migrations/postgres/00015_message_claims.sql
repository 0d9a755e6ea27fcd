-- +goose Up
-- An email being sent is claimed until sending_until, so that two jobs that
-- hold it at once (its own retry and the central service's "Renvoyer") send it
-- once: the second finds it claimed and leaves it (CON-2). The claim is cleared
-- with the outcome, and lapses by itself after a crash.
ALTER TABLE messages ADD COLUMN sending_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE messages DROP COLUMN sending_until;
