-- +goose Up
-- A publication sets the accepted course of every accepted candidature in one
-- UPDATE (store.PublishRunTx). The foreign key candidatures.accepted_course_id
-- made PostgreSQL look up and lock (FOR KEY SHARE) the course again for each
-- of them: 165,558 checks, 2.5 s of the publication's UPDATE at 400,000
-- candidatures (EXPLAIN ANALYZE, bench/README.md, "Publication at scale,
-- second pass"). What it guarded is kept another way, as in 00005 and 00025:
--   * only the publication writes accepted_course_id, from the run's outcomes,
--     whose courses are the ones the run read in its own transaction;
--   * a course is deleted only when nothing refers to it: the trigger
--     courses_unreferenced (00025) now also refuses to delete a course a
--     candidature was accepted in.
-- SQLite keeps its foreign key: its checks lock nothing.
ALTER TABLE candidatures DROP CONSTRAINT candidatures_accepted_course_id_fkey;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refuse_deleting_course_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM waiting_list WHERE course_id = OLD.id)
        OR EXISTS (SELECT 1 FROM selection_outcomes WHERE course_id = OLD.id)
        OR EXISTS (SELECT 1 FROM selection_waiting WHERE course_id = OLD.id)
        OR EXISTS (SELECT 1 FROM candidatures WHERE accepted_course_id = OLD.id) THEN
        RAISE EXCEPTION 'course % is named by a selection run, a waiting list or an accepted candidature', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refuse_deleting_course_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM waiting_list WHERE course_id = OLD.id)
        OR EXISTS (SELECT 1 FROM selection_outcomes WHERE course_id = OLD.id)
        OR EXISTS (SELECT 1 FROM selection_waiting WHERE course_id = OLD.id) THEN
        RAISE EXCEPTION 'course % is named by a selection run or a waiting list', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END;
$$;
-- +goose StatementEnd
ALTER TABLE candidatures ADD CONSTRAINT candidatures_accepted_course_id_fkey
    FOREIGN KEY (accepted_course_id) REFERENCES courses (id);
