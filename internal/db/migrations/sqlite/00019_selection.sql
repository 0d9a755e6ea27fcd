-- +goose NO TRANSACTION
-- +goose Up
-- The selection of a session (SEL-1..3, SEL-5, PER-2): a formation's minimum
-- social rate; test and interview sittings with their nominative convocations
-- and results (SEL-2, SEL-3); selection runs, dry or published, with every
-- outcome they decided and the waiting positions; the live waiting lists a
-- published run leaves.
--
-- A candidature's status now goes on after the closing date. SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt (SQLite's
-- documented procedure: foreign keys off, copy, drop, rename, on the one
-- writer connection).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE candidatures_new (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    course_id          INTEGER NOT NULL REFERENCES courses (id),
    formation_id       INTEGER NOT NULL REFERENCES formations (id),
    session_id         INTEGER NOT NULL REFERENCES sessions (id),
    status             TEXT    NOT NULL CHECK (status IN ('submitted', 'cancelled', 'first_day_test', 'accepted',
                                                          'waiting', 'not_retained', 'withdrawn', 'ineligible')),
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
    decided_run_id     INTEGER
);
INSERT INTO candidatures_new (id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
    job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at, cancelled_at)
SELECT id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
    job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at, cancelled_at
FROM candidatures;
DROP TABLE candidatures;
ALTER TABLE candidatures_new RENAME TO candidatures;
-- CAN-2 held by the database itself: one active candidature per person and formation.
CREATE UNIQUE INDEX candidatures_one_active_per_formation ON candidatures (account_id, formation_id)
    WHERE status IN ('submitted', 'first_day_test', 'accepted', 'waiting');
CREATE INDEX candidatures_account ON candidatures (account_id);
CREATE INDEX candidatures_course ON candidatures (course_id, status);
CREATE INDEX candidatures_session ON candidatures (session_id, status);

ALTER TABLE formations ADD COLUMN min_social_percent INTEGER NOT NULL DEFAULT 0
    CHECK (min_social_percent BETWEEN 0 AND 100);

-- A sitting of an anticipated test or an interview (SEL-2): its date is fixed
-- once its convocations are sent.
CREATE TABLE test_sittings (
    id               INTEGER PRIMARY KEY,
    session_id       INTEGER NOT NULL REFERENCES sessions (id),
    formation_id     INTEGER NOT NULL REFERENCES formations (id),
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    room             TEXT    NOT NULL DEFAULT '',
    starts_at        TEXT    NOT NULL,
    minutes          INTEGER NOT NULL CHECK (minutes > 0),
    seats            INTEGER NOT NULL CHECK (seats > 0),
    created_by       INTEGER NOT NULL REFERENCES accounts (id),
    created_at       TEXT    NOT NULL,
    convoked_at      TEXT
);
CREATE INDEX test_sittings_formation ON test_sittings (session_id, formation_id);

-- The nominative convocation of a candidature (SEL-2): to a sitting, or to
-- the first class for a first-day test (sitting_id NULL). Date and place are
-- copied here when it is sent and never change.
CREATE TABLE convocations (
    candidature_id INTEGER PRIMARY KEY REFERENCES candidatures (id),
    sitting_id     INTEGER REFERENCES test_sittings (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    at             TEXT    NOT NULL,
    place          TEXT    NOT NULL,
    sent_at        TEXT    NOT NULL,
    message_id     INTEGER REFERENCES messages (id)
);
CREATE INDEX convocations_sitting ON convocations (sitting_id);

-- The result of a candidature's test or interview (SEL-2, SEL-3).
CREATE TABLE test_results (
    candidature_id INTEGER PRIMARY KEY REFERENCES candidatures (id),
    result         TEXT    NOT NULL CHECK (result IN ('score', 'pass', 'fail', 'absent')),
    score          INTEGER CHECK (score BETWEEN 0 AND 20),
    placed_level   INTEGER CHECK (placed_level >= 0),
    entered_by     INTEGER NOT NULL REFERENCES accounts (id),
    entered_at     TEXT    NOT NULL,
    needs_decision INTEGER NOT NULL DEFAULT 0 CHECK (needs_decision IN (0, 1))
);

-- A selection run of a session (SEL-1, PER-2): 'main' decides the session,
-- 'placement' places the candidates of first-day tests after that day (SEL-3).
CREATE TABLE selection_runs (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions (id),
    pass         TEXT    NOT NULL CHECK (pass IN ('main', 'placement')),
    status       TEXT    NOT NULL CHECK (status IN ('running', 'dry', 'published', 'failed')),
    seed         TEXT    NOT NULL,
    digest       TEXT    NOT NULL DEFAULT '',
    started_by   INTEGER NOT NULL REFERENCES accounts (id),
    started_at   TEXT    NOT NULL,
    heartbeat_at TEXT    NOT NULL,
    finished_at  TEXT,
    published_by INTEGER REFERENCES accounts (id),
    published_at TEXT,
    progress     TEXT    NOT NULL DEFAULT '',
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL DEFAULT ''
);
-- Two instances never run the same session at once, nor publish two runs of one pass.
CREATE UNIQUE INDEX selection_runs_one_running ON selection_runs (session_id) WHERE status = 'running';
CREATE UNIQUE INDEX selection_runs_one_published ON selection_runs (session_id, pass) WHERE status = 'published';

-- Every outcome a run decided, with what explains it.
CREATE TABLE selection_outcomes (
    run_id         INTEGER NOT NULL REFERENCES selection_runs (id),
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('accepted', 'waiting', 'ineligible', 'withdrawn',
                                                       'not_retained', 'first_day_test')),
    course_id      INTEGER REFERENCES courses (id),
    redirected     INTEGER NOT NULL DEFAULT 0 CHECK (redirected IN (0, 1)),
    placed         INTEGER NOT NULL DEFAULT 0 CHECK (placed IN (0, 1)),
    gate           TEXT    NOT NULL DEFAULT '',
    evaluation     INTEGER NOT NULL DEFAULT 0,
    social         INTEGER NOT NULL DEFAULT 0,
    record         INTEGER NOT NULL DEFAULT 0,
    motivation     INTEGER NOT NULL DEFAULT 0,
    lottery        TEXT    NOT NULL DEFAULT '',
    removed        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, candidature_id)
);

-- A run's waiting positions: one row per candidature and course it waits for.
CREATE TABLE selection_waiting (
    run_id         INTEGER NOT NULL REFERENCES selection_runs (id),
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    position       INTEGER NOT NULL CHECK (position > 0),
    PRIMARY KEY (run_id, candidature_id, course_id)
);
CREATE INDEX selection_waiting_course ON selection_waiting (run_id, course_id, position);

-- The live waiting list of each course, as the published run left it; the
-- waiting-list capability moves it afterwards.
CREATE TABLE waiting_list (
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    position       INTEGER NOT NULL CHECK (position > 0),
    run_id         INTEGER NOT NULL REFERENCES selection_runs (id),
    PRIMARY KEY (course_id, candidature_id)
);
CREATE INDEX waiting_list_candidature ON waiting_list (candidature_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE waiting_list;
DROP TABLE selection_waiting;
DROP TABLE selection_outcomes;
DROP TABLE selection_runs;
DROP TABLE test_results;
DROP TABLE convocations;
DROP TABLE test_sittings;
ALTER TABLE formations DROP COLUMN min_social_percent;
