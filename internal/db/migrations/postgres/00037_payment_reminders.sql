-- +goose Up
-- The reminder of a fee still due on the eve of its last day (PAY-1): when
-- it was sent, so that it goes once, whichever instance's timer runs.
ALTER TABLE enrolments ADD COLUMN reminded_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE enrolments DROP COLUMN reminded_at;
