-- +goose Up
-- The input a selection run gave the engine: see the SQLite migration 00021.
CREATE TABLE selection_run_inputs (
    run_id BIGINT PRIMARY KEY REFERENCES selection_runs (id),
    input  BYTEA  NOT NULL
);

-- +goose Down
DROP TABLE selection_run_inputs;
