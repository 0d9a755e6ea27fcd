-- +goose Up
-- Why every course was last switched to remote delivery or back, the "health
-- protocol" switch (CAT-6): shown on the public course pages with the notice.
ALTER TABLE catalogue_state ADD COLUMN all_remote_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE catalogue_state DROP COLUMN all_remote_reason;
