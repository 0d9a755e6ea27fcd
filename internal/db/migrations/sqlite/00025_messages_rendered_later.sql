-- +goose Up
-- See postgres/00027_messages_rendered_later.sql: a message kept without its
-- body, rendered from render_ref when first read.
ALTER TABLE messages ADD COLUMN render_ref INTEGER;

-- +goose Down
ALTER TABLE messages DROP COLUMN render_ref;
