-- +goose Up
-- A selection's publication sets the status of every candidature of the
-- session in one UPDATE (a million at a time). PostgreSQL can rewrite a row
-- in place (a HOT update: no new entry in any index) only when no column an
-- index uses — in its key or its predicate — changes value, and when the
-- row's page has room for the new version. status was in four indexes, so
-- each of those rows was inserted again into all six (bench/README.md,
-- "Publication at scale, fourth pass"). Now:
--   * CAN-2's unique index says "active" through a generated column, which
--     keeps its value when submitted becomes accepted, waiting or
--     first_day_test (a candidature leaving the active statuses still gets
--     new index entries, as it must to leave the unique index);
--   * the course and session indexes no longer hold the status (their
--     readers filter a course's or a session's rows by status; a course has
--     tens of them);
--   * the index of the accepted ones is on accepted_course_id IS NOT NULL,
--     which a query's "accepted_course_id = x" implies (an accepted row
--     changes that column anyway; a waiting one keeps it NULL);
--   * the pages are filled to half: the new versions of a page's rows fit
--     in it. All of them are written by one transaction, which cannot prune
--     the old versions while it runs, so a page needs room for its rows
--     twice (fillfactor 75 left most of the updates non-HOT in the bench).
--     The table is about twice as large; each row is updated a few times in
--     its life.
-- SQLite has no such cost (an UPDATE rewrites the row and the indexes whose
-- columns changed) and keeps its indexes.
ALTER TABLE candidatures SET (fillfactor = 50);
ALTER TABLE candidatures ADD COLUMN active BOOLEAN
    GENERATED ALWAYS AS (status IN ('submitted', 'first_day_test', 'accepted', 'waiting')) STORED;
DROP INDEX candidatures_one_active_per_formation;
CREATE UNIQUE INDEX candidatures_one_active_per_formation ON candidatures (account_id, formation_id) WHERE active;
DROP INDEX candidatures_course;
CREATE INDEX candidatures_course ON candidatures (course_id);
DROP INDEX candidatures_session;
CREATE INDEX candidatures_session ON candidatures (session_id);
DROP INDEX candidatures_accepted_in;
CREATE INDEX candidatures_accepted_in ON candidatures (accepted_course_id) WHERE accepted_course_id IS NOT NULL;

-- +goose Down
DROP INDEX candidatures_accepted_in;
CREATE INDEX candidatures_accepted_in ON candidatures (accepted_course_id) WHERE status = 'accepted';
DROP INDEX candidatures_session;
CREATE INDEX candidatures_session ON candidatures (session_id, status);
DROP INDEX candidatures_course;
CREATE INDEX candidatures_course ON candidatures (course_id, status);
DROP INDEX candidatures_one_active_per_formation;
CREATE UNIQUE INDEX candidatures_one_active_per_formation ON candidatures (account_id, formation_id)
    WHERE status IN ('submitted', 'first_day_test', 'accepted', 'waiting');
ALTER TABLE candidatures DROP COLUMN active;
ALTER TABLE candidatures RESET (fillfactor);
