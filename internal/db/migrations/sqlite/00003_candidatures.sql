-- +goose Up
-- Candidatures (CAN-1..9): the internal rules' versions, baskets, half-tariff
-- proofs, candidatures with their history, the idempotency keys of definitive
-- validations, and the copy of every email in the candidate's space (CON-2).
CREATE TABLE internal_rules (
    version      TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    body         TEXT NOT NULL
);

CREATE TABLE baskets (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    token      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE basket_items (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    course_id  INTEGER NOT NULL REFERENCES courses (id),
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (account_id, course_id)
);

CREATE TABLE proofs (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    content_type TEXT    NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256       TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    issue_date   TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL
);

CREATE TABLE validations (
    key        TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at TEXT    NOT NULL
);

CREATE TABLE candidatures (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id),
    course_id         INTEGER NOT NULL REFERENCES courses (id),
    formation_id      INTEGER NOT NULL REFERENCES formations (id),
    session_id        INTEGER NOT NULL REFERENCES sessions (id),
    status            TEXT    NOT NULL CHECK (status IN ('submitted', 'cancelled')),
    objective         TEXT    NOT NULL,
    motivation        TEXT    NOT NULL,
    rsa               INTEGER NOT NULL CHECK (rsa IN (0, 1)),
    job_seeker        INTEGER NOT NULL CHECK (job_seeker IN (0, 1)),
    subsidised        INTEGER NOT NULL CHECK (subsidised IN (0, 1)),
    rules_version     TEXT    NOT NULL REFERENCES internal_rules (version),
    half_tariff_claim INTEGER NOT NULL CHECK (half_tariff_claim IN (0, 1)),
    proof_id          INTEGER REFERENCES proofs (id),
    assisted_by       INTEGER REFERENCES accounts (id),
    validation_key    TEXT    NOT NULL REFERENCES validations (key),
    created_at        TEXT    NOT NULL,
    cancelled_at      TEXT
);
-- CAN-2 held by the database itself: one active candidature per person and formation.
CREATE UNIQUE INDEX candidatures_one_active_per_formation ON candidatures (account_id, formation_id) WHERE status = 'submitted';
CREATE INDEX candidatures_account ON candidatures (account_id);
CREATE INDEX candidatures_course ON candidatures (course_id, status);

CREATE TABLE candidature_events (
    id               INTEGER PRIMARY KEY,
    candidature_id   INTEGER NOT NULL REFERENCES candidatures (id),
    at               TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    actor_account_id INTEGER REFERENCES accounts (id),
    note             TEXT    NOT NULL
);
CREATE INDEX candidature_events_candidature ON candidature_events (candidature_id);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body_text  TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,
    message_id TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);
CREATE INDEX messages_account ON messages (account_id, created_at);

-- +goose Down
DROP TABLE messages;
DROP TABLE candidature_events;
DROP TABLE candidatures;
DROP TABLE validations;
DROP TABLE proofs;
DROP TABLE basket_items;
DROP TABLE baskets;
DROP TABLE internal_rules;
