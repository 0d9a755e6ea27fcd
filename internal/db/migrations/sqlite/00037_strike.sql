-- +goose NO TRANSACTION
-- +goose Up
-- Strike-off and exclusion (ATT-3, ATT-4): two statuses end a learner's
-- place by a decision, struck off (radié(e)) by the central service and
-- excluded (exclu(e)) by the trainer or the director. Neither holds a
-- formation (the unique index lists the active statuses).
--
-- SQLite cannot change a CHECK constraint in place: the candidatures table is
-- rebuilt as in 00028 (foreign keys off, copy, drop, rename).
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
                                                          'given_up', 'no_place', 'declined', 'offer_expired', 'course_closed',
                                                          'struck_off', 'excluded')),
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

-- ATT-4: a learner excluded from a course by the trainer or the director,
-- for absences beyond three in a row or for conduct, with the motive; one
-- exclusion per candidature (a second identical decision does nothing).
-- ATT-3's strike-offs are the decisions of attendance_flags.
CREATE TABLE attendance_exclusions (
    candidature_id INTEGER PRIMARY KEY REFERENCES candidatures (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('absences', 'conduct')),
    reason         TEXT    NOT NULL,
    decided_at     TEXT    NOT NULL,
    decided_by     INTEGER NOT NULL REFERENCES accounts (id)
);
CREATE INDEX attendance_exclusions_course ON attendance_exclusions (course_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE attendance_exclusions;
PRAGMA foreign_keys = OFF;
BEGIN;
UPDATE candidatures SET status = 'given_up' WHERE status IN ('struck_off', 'excluded');
CREATE TABLE candidatures_new (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    course_id          INTEGER NOT NULL REFERENCES courses (id),
    formation_id       INTEGER NOT NULL REFERENCES formations (id),
    session_id         INTEGER NOT NULL REFERENCES sessions (id),
    status             TEXT    NOT NULL CHECK (status IN ('submitted', 'cancelled', 'first_day_test', 'accepted',
                                                          'waiting', 'not_retained', 'withdrawn', 'ineligible',
                                                          'given_up', 'no_place', 'declined', 'offer_expired', 'course_closed'),
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
COMMIT;
PRAGMA foreign_keys = ON;
