-- +goose Up
-- Accounts (candidates and staff), their sign-on identities, staff grants, the
-- probable duplicates held for review (ACC-3), the audit trail and web sessions.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL CHECK (kind IN ('candidate', 'staff')),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'held', 'disabled', 'merged')),
    email          TEXT    NOT NULL,
    first_name     TEXT    NOT NULL,
    last_name      TEXT    NOT NULL,
    birth_date     TEXT,
    identity_key   TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    address_line1  TEXT    NOT NULL,
    address_line2  TEXT    NOT NULL,
    postal_code    TEXT    NOT NULL,
    city           TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    session_epoch  INTEGER NOT NULL,
    password_hash  TEXT    NOT NULL,
    totp_secret    TEXT    NOT NULL,
    totp_last_step INTEGER NOT NULL,
    search_key     TEXT    NOT NULL
);
CREATE INDEX accounts_identity_key ON accounts (identity_key);
CREATE INDEX accounts_email ON accounts (email);

CREATE TABLE account_identities (
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX account_identities_account ON account_identities (account_id);

CREATE TABLE staff_grants (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    role             TEXT    NOT NULL CHECK (role IN ('central', 'director', 'coordinator', 'trainer', 'guidance', 'helpdesk')),
    establishment_id INTEGER REFERENCES establishments (id),
    formation_id     INTEGER REFERENCES formations (id),
    course_id        INTEGER REFERENCES courses (id)
);
CREATE INDEX staff_grants_account ON staff_grants (account_id);

CREATE TABLE duplicate_reviews (
    id                INTEGER PRIMARY KEY,
    held_account_id   INTEGER NOT NULL REFERENCES accounts (id),
    existing_account_id INTEGER NOT NULL REFERENCES accounts (id),
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'merged', 'dismissed')),
    created_at        TEXT    NOT NULL,
    decided_by        INTEGER REFERENCES accounts (id),
    decided_at        TEXT,
    reason            TEXT    NOT NULL
);
CREATE INDEX duplicate_reviews_status ON duplicate_reviews (status);

CREATE TABLE audit_events (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT    NOT NULL,
    actor_account_id   INTEGER,
    action             TEXT    NOT NULL,
    subject_account_id INTEGER,
    details            TEXT    NOT NULL,
    reason             TEXT    NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_subject ON audit_events (subject_account_id);

CREATE TABLE web_sessions (
    token  TEXT    PRIMARY KEY,
    data   BLOB    NOT NULL,
    expiry TEXT    NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expiry);

-- +goose Down
DROP TABLE web_sessions;
DROP TABLE audit_events;
DROP TABLE duplicate_reviews;
DROP TABLE staff_grants;
DROP TABLE account_identities;
DROP TABLE accounts;
