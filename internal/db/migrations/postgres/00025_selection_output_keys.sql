-- +goose Up
-- A selection run writes one outcome per candidature and one waiting row per
-- candidature and course it waits for (about four per waiting candidature),
-- and its publication copies the waiting rows into the live waiting lists:
-- 4.3 million rows for a million candidatures. Each row's foreign keys made
-- PostgreSQL look up and lock (FOR KEY SHARE) the candidature, the course and
-- the run again, three times per row: at 100,000 candidatures that was 14 of
-- the run's 16 s and 12.6 of the publication's 27 s (bench/README.md,
-- "Selection run"). What they guarded is kept another way, as in 00005:
--   * those rows are only written from what exists: the outcomes and waiting
--     rows from the candidatures and courses the run read, in the run's own
--     transaction that also requires its running row (store.finishRunTx);
--     the live waiting lists from those rows joined to the candidatures;
--   * candidatures are never deleted nor re-keyed (trigger candidatures_kept,
--     00005), and neither are runs now (selection_runs_kept below);
--   * a course is deleted only when nothing refers to it: the trigger
--     courses_unreferenced refuses to delete one a run or a waiting list
--     names (a rare administrative act, so its scans cost nothing that matters).
-- The primary keys stay: one outcome per run and candidature, one waiting row
-- per run, candidature and course, one live place per course and candidature.
-- The index selection_waiting_course was read by nothing (every read of a
-- run's waiting rows goes by run, the primary key's first column). SQLite
-- keeps its foreign keys: its checks lock nothing.
ALTER TABLE selection_outcomes DROP CONSTRAINT selection_outcomes_run_id_fkey,
    DROP CONSTRAINT selection_outcomes_candidature_id_fkey, DROP CONSTRAINT selection_outcomes_course_id_fkey;
ALTER TABLE selection_waiting DROP CONSTRAINT selection_waiting_run_id_fkey,
    DROP CONSTRAINT selection_waiting_candidature_id_fkey, DROP CONSTRAINT selection_waiting_course_id_fkey;
ALTER TABLE waiting_list DROP CONSTRAINT waiting_list_run_id_fkey,
    DROP CONSTRAINT waiting_list_candidature_id_fkey, DROP CONSTRAINT waiting_list_course_id_fkey;
DROP INDEX selection_waiting_course;

CREATE TRIGGER selection_runs_kept BEFORE DELETE OR UPDATE OF id ON selection_runs
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();

-- +goose StatementBegin
CREATE FUNCTION refuse_deleting_course_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER courses_unreferenced BEFORE DELETE ON courses
    FOR EACH ROW EXECUTE FUNCTION refuse_deleting_course_in_use();

-- +goose Down
DROP TRIGGER courses_unreferenced ON courses;
DROP FUNCTION refuse_deleting_course_in_use();
DROP TRIGGER selection_runs_kept ON selection_runs;
CREATE INDEX selection_waiting_course ON selection_waiting (run_id, course_id, position);
ALTER TABLE waiting_list ADD CONSTRAINT waiting_list_run_id_fkey FOREIGN KEY (run_id) REFERENCES selection_runs (id),
    ADD CONSTRAINT waiting_list_candidature_id_fkey FOREIGN KEY (candidature_id) REFERENCES candidatures (id),
    ADD CONSTRAINT waiting_list_course_id_fkey FOREIGN KEY (course_id) REFERENCES courses (id);
ALTER TABLE selection_waiting ADD CONSTRAINT selection_waiting_run_id_fkey FOREIGN KEY (run_id) REFERENCES selection_runs (id),
    ADD CONSTRAINT selection_waiting_candidature_id_fkey FOREIGN KEY (candidature_id) REFERENCES candidatures (id),
    ADD CONSTRAINT selection_waiting_course_id_fkey FOREIGN KEY (course_id) REFERENCES courses (id);
ALTER TABLE selection_outcomes ADD CONSTRAINT selection_outcomes_run_id_fkey FOREIGN KEY (run_id) REFERENCES selection_runs (id),
    ADD CONSTRAINT selection_outcomes_candidature_id_fkey FOREIGN KEY (candidature_id) REFERENCES candidatures (id),
    ADD CONSTRAINT selection_outcomes_course_id_fkey FOREIGN KEY (course_id) REFERENCES courses (id);
