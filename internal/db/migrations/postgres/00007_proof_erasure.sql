-- +goose Up
-- A proof's bytes are erased when its retention period is over
-- (candidature.EraseExpiredProofs); the row stays, with its size, type and
-- digest, as the trace that a proof was given, and erased_at says when.
ALTER TABLE proofs ADD COLUMN erased_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE proofs DROP COLUMN erased_at;
