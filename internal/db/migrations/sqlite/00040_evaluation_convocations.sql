-- +goose Up
-- Who was convoked to their course's end-of-course evaluation (CER-1): one
-- row per learner, written with the convocation's email in one transaction,
-- so that a learner who joins the course after its date was set (an offer
-- accepted, a day change to another course) is convoked once, by the
-- evaluation timer.
CREATE TABLE evaluation_convocations (
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    convoked_at    TEXT NOT NULL,
    PRIMARY KEY (candidature_id, course_id)
);
-- The learners of the courses whose date was set before this table were
-- convoked then.
INSERT INTO evaluation_convocations (candidature_id, course_id, convoked_at)
SELECT c.id, c.accepted_course_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM candidatures c JOIN courses co ON co.id = c.accepted_course_id
WHERE c.status = 'accepted' AND co.evaluation_date IS NOT NULL;

-- A bulk issuance of certificates (CER-2) under way or done, its progress
-- beating so that every instance's dashboard shows it, and a run that died
-- with its instance is seen as stopped.
CREATE TABLE certificate_issuances (
    id           INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    started_by   INTEGER NOT NULL REFERENCES accounts (id),
    total        INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    issued       INTEGER NOT NULL DEFAULT 0,
    heartbeat_at TEXT NOT NULL,
    finished_at  TEXT,
    error        TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE certificate_issuances;
DROP TABLE evaluation_convocations;
