-- +goose Up
-- The input a selection run gave the engine, kept so that anyone can re-run
-- the run with its seed and compare (cma select verify): the candidatures'
-- statuses change once a run is published, so the input cannot be read again
-- from the candidatures themselves. gzip of JSON (selection.storedInput).
CREATE TABLE selection_run_inputs (
    run_id INTEGER PRIMARY KEY REFERENCES selection_runs (id),
    input  BLOB    NOT NULL
);

-- +goose Down
DROP TABLE selection_run_inputs;
