-- +goose Up
CREATE TABLE first_table (id INTEGER PRIMARY KEY);
-- +goose Down
DROP TABLE first_table;
