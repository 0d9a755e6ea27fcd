-- +goose NO TRANSACTION
-- +goose Up
-- Waiting lists that move (SEL-4, SEL-5, CAN-1..3): a seat freed in a course
-- is offered, with a deadline, to the first waiting candidature that can
-- still take it. Four statuses end a candidature's wait: given up
-- (désistement), en manque de place (SEL-4), declined, offer expired. None
-- of them holds a formation (the unique index lists the active statuses).
--
-- SQLite cannot change a CHECK constraint in place: the candidatures table is
-- rebuilt as in 00019 (foreign keys off, copy, drop, rename).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE candidatures_new (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    course_id          INTEGER NOT NULL REFERENCES courses (id),
    formation_id       INTEGER NOT NULL REFERENCES formations (id),
    session_id         INTEGER NOT NULL REFERENCES sessions (id),
    status             TEXT    NOT NULL CHECK (status IN ('submitted', 'cancelled', 'first_day_test', 'accepted',
                                                          'waiting', 'not_retained', 'withdrawn', 'ineligible',
                                                          'given_up', 'no_place', 'declined', 'offer_expired', 'course_closed')),
    objective          TEXT    NOT NULL,
    motivation         TEXT    NOT NULL,
    rsa                INTEGER NOT NULL CHECK (rsa IN (0, 1)),
    job_seeker         INTEGER NOT NULL CHECK (job_seeker IN (0, 1)),
    subsidised         INTEGER NOT NULL CHECK (subsidised IN (0, 1)),
    rules_version      TEXT    NOT NULL REFERENCES internal_rules (version),
    half_tariff_claim  INTEGER NOT NULL CHECK (half_tariff_claim IN (0, 1)),
    proof_id           INTEGER REFERENCES proofs (id),
    assisted_by        INTEGER REFERENCES accounts (id),
    validation_key     TEXT    NOT NULL REFERENCES validations (key),
    created_at         TEXT    NOT NULL,
    cancelled_at       TEXT,
    accepted_course_id INTEGER REFERENCES courses (id),
    decided_run_id     INTEGER,
    accepts_redirect   BOOLEAN NOT NULL DEFAULT 0
);
INSERT INTO candidatures_new (id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
    job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at, cancelled_at,
    accepted_course_id, decided_run_id, accepts_redirect)
SELECT id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
    job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at, cancelled_at,
    accepted_course_id, decided_run_id, accepts_redirect
FROM candidatures;
DROP TABLE candidatures;
ALTER TABLE candidatures_new RENAME TO candidatures;
CREATE UNIQUE INDEX candidatures_one_active_per_formation ON candidatures (account_id, formation_id)
    WHERE status IN ('submitted', 'first_day_test', 'accepted', 'waiting');
CREATE INDEX candidatures_account ON candidatures (account_id);
CREATE INDEX candidatures_course ON candidatures (course_id, status);
CREATE INDEX candidatures_session ON candidatures (session_id, status);
-- The seats taken in a course: who is accepted in it (chosen or redirected).
CREATE INDEX candidatures_accepted_in ON candidatures (accepted_course_id) WHERE status = 'accepted';

-- How many calendar days after the day it is sent an offer stays open.
ALTER TABLE sessions ADD COLUMN offer_days INTEGER NOT NULL DEFAULT 2 CHECK (offer_days BETWEEN 1 AND 14);
-- A course with too few learners may not open (SEL-6): the session's minimum
-- (0: none) and the day from which the central service decides; a course
-- closed says when, by whom and why.
ALTER TABLE sessions ADD COLUMN min_learners INTEGER NOT NULL DEFAULT 0 CHECK (min_learners >= 0);
ALTER TABLE sessions ADD COLUMN opening_decision_on TEXT;
ALTER TABLE courses ADD COLUMN closed_at TEXT;
ALTER TABLE courses ADD COLUMN closed_by INTEGER REFERENCES accounts (id);
ALTER TABLE courses ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';

-- Every seat offered from a waiting list, with its answer: the list's
-- history that staff see, and what a candidate answers with two buttons.
CREATE TABLE waiting_offers (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    redirect       BOOLEAN NOT NULL,
    position       INTEGER NOT NULL,
    freed_by       TEXT    NOT NULL,
    sent_at        TEXT    NOT NULL,
    deadline       TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'expired', 'lapsed')),
    answered_at    TEXT,
    reminded_at    TEXT
);
-- One seat held at a time per candidature: a second free seat goes to the next.
CREATE UNIQUE INDEX waiting_offers_one_pending ON waiting_offers (candidature_id) WHERE state = 'pending';
CREATE INDEX waiting_offers_course ON waiting_offers (course_id, id);
CREATE INDEX waiting_offers_account ON waiting_offers (account_id);
CREATE INDEX waiting_offers_pending ON waiting_offers (deadline) WHERE state = 'pending';
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE waiting_offers;
ALTER TABLE courses DROP COLUMN closed_reason;
ALTER TABLE courses DROP COLUMN closed_by;
ALTER TABLE courses DROP COLUMN closed_at;
ALTER TABLE sessions DROP COLUMN opening_decision_on;
ALTER TABLE sessions DROP COLUMN min_learners;
ALTER TABLE sessions DROP COLUMN offer_days;
DROP INDEX candidatures_accepted_in;
