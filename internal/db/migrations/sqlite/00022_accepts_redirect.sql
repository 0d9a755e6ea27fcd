-- +goose Up
-- The candidate's answer, per candidature, to "if this course is full, I
-- accept an equivalent course (same formation and level, another day or
-- place)" (SEL-5): a selection run redirects only those who accepted. The
-- candidatures filed before it did not answer: they do not accept. The
-- validation draft keeps the answers between the form and its recap, as the
-- IDs of the basket's courses answered yes, comma-separated.
ALTER TABLE candidatures ADD COLUMN accepts_redirect BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE validation_drafts ADD COLUMN redirect_courses TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE validation_drafts DROP COLUMN redirect_courses;
ALTER TABLE candidatures DROP COLUMN accepts_redirect;
