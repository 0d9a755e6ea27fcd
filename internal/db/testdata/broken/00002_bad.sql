-- +goose Up
CREATE TABLE second_table (id INTEGER PRIMARY KEY);
INSERT INTO first_table (id) VALUES (1);
THIS IS NOT SQL;
-- +goose Down
DROP TABLE second_table;
