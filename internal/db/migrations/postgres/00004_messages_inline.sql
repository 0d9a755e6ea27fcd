-- +goose Up
-- A confirmation email's two bodies weigh a few kilobytes: kept in the row as
-- they are, instead of compressed and moved to the TOAST table, which cost a
-- tenth of PostgreSQL's time at a registration opening (bench/README.md).
-- Larger rows are still compressed. SQLite has no such storage step.
ALTER TABLE messages SET (toast_tuple_target = 8160);

-- +goose Down
ALTER TABLE messages RESET (toast_tuple_target);
