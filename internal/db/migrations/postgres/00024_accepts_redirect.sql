-- +goose Up
-- The candidate's answer to a redirect (SEL-5): see the SQLite migration 00022.
ALTER TABLE candidatures ADD COLUMN accepts_redirect BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE validation_drafts ADD COLUMN redirect_courses TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE validation_drafts DROP COLUMN redirect_courses;
ALTER TABLE candidatures DROP COLUMN accepts_redirect;
