-- +goose Up
-- Who was convoked to their course's end-of-course evaluation (CER-1): one
-- row per learner, written with the convocation's email in one transaction,
-- so that a learner who joins the course after its date was set (an offer
-- accepted, a day change to another course) is convoked once, by the
-- evaluation timer.
CREATE TABLE evaluation_convocations (
    candidature_id BIGINT NOT NULL REFERENCES candidatures (id),
    course_id      BIGINT NOT NULL REFERENCES courses (id),
    convoked_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (candidature_id, course_id)
);
-- The learners of the courses whose date was set before this table were
-- convoked then.
INSERT INTO evaluation_convocations (candidature_id, course_id, convoked_at)
SELECT c.id, c.accepted_course_id, now()
FROM candidatures c JOIN courses co ON co.id = c.accepted_course_id
WHERE c.status = 'accepted' AND co.evaluation_date IS NOT NULL;

-- +goose Down
DROP TABLE evaluation_convocations;
