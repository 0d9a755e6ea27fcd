-- +goose Up
-- End-of-course evaluations and certificates of competences (CER-1, CER-2,
-- CER-4, SEL-7). A course that ends with an evaluation carries its date, set
-- in the catalogue and never moved once learners are convoked (CER-1).
ALTER TABLE courses ADD COLUMN evaluation_date TEXT;

-- A learner's result at their course's evaluation, entered by the
-- pedagogical coordinator or the director (ROLE-3, ROLE-4): passed, failed,
-- or absent (presence is mandatory: absent counts as not passed). A failed
-- or absent result is what SEL-7's one repeat counts. The grade is kept for
-- the requests of CER-3. A change keeps the previous result in the audit.
CREATE TABLE evaluation_results (
    candidature_id INTEGER     PRIMARY KEY REFERENCES candidatures (id),
    course_id      INTEGER     NOT NULL REFERENCES courses (id),
    result         TEXT        NOT NULL CHECK (result IN ('passed', 'failed', 'absent')),
    grade          TEXT        NOT NULL DEFAULT '',
    entered_at     TEXT        NOT NULL,
    entered_by     INTEGER     NOT NULL REFERENCES accounts (id)
);
CREATE INDEX evaluation_results_course ON evaluation_results (course_id);

-- A certificate of competences (CER-2), one per passed result, issued by
-- the central service within two months of the course's last day. Its
-- number is printed and its ID signed in the QR code of the document.
CREATE TABLE certificates (
    id             INTEGER PRIMARY KEY,
    candidature_id INTEGER     NOT NULL UNIQUE REFERENCES candidatures (id),
    account_id     INTEGER     NOT NULL REFERENCES accounts (id),
    formation_id   INTEGER     NOT NULL REFERENCES formations (id),
    number         TEXT        NOT NULL UNIQUE,
    issued_at      TEXT        NOT NULL,
    issued_by      INTEGER     NOT NULL REFERENCES accounts (id)
);
CREATE INDEX certificates_account ON certificates (account_id, formation_id);

-- An attestation d'assiduité (ATT-2) delivered to a learner present for at
-- least 75 % of the held hours: the rate and the period it was computed on
-- are kept, so that its QR code shows what was attested that day.
CREATE TABLE attendance_attestations (
    id              INTEGER PRIMARY KEY,
    candidature_id  INTEGER     NOT NULL REFERENCES candidatures (id),
    rate_bp         INTEGER     NOT NULL CHECK (rate_bp BETWEEN 7500 AND 10000),
    minutes_present INTEGER     NOT NULL,
    minutes_held    INTEGER     NOT NULL CHECK (minutes_held > 0),
    first_day       TEXT        NOT NULL,
    last_day        TEXT        NOT NULL,
    issued_at       TEXT        NOT NULL,
    UNIQUE (candidature_id, last_day)
);

-- CER-4: a learner preparing a diploma formation who holds a diploma of a
-- higher level is exempted from the general exams, recorded by staff with
-- the proof (a document kept like CAN-9's).
CREATE TABLE exam_exemptions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER     NOT NULL REFERENCES accounts (id),
    formation_id INTEGER     NOT NULL REFERENCES formations (id),
    diploma_held TEXT        NOT NULL CHECK (diploma_held <> ''),
    proof_id     INTEGER     NOT NULL REFERENCES proofs (id),
    note         TEXT        NOT NULL DEFAULT '',
    recorded_at  TEXT        NOT NULL,
    recorded_by  INTEGER     NOT NULL REFERENCES accounts (id),
    UNIQUE (account_id, formation_id)
);

-- +goose Down
DROP TABLE exam_exemptions;
DROP TABLE attendance_attestations;
DROP TABLE certificates;
DROP TABLE evaluation_results;
ALTER TABLE courses DROP COLUMN evaluation_date;
