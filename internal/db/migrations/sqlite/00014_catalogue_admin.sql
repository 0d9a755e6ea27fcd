-- +goose Up
-- The catalogue administration (ROLE-5, PER-1, CAT-3..7): sessions drafted then
-- published, rows archived instead of deleted once anything refers to them,
-- a formation's default tariff and exam note, a course's own tariff or the
-- formation's, its trainer's staff account and why it is remote; the audit
-- trail names the catalogue object it changed; personal access tokens of the
-- staff API; and the catalogue imports with their progress.
ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published'));
ALTER TABLE sessions ADD COLUMN archived_at TEXT;
ALTER TABLE establishments ADD COLUMN archived_at TEXT;
ALTER TABLE rooms ADD COLUMN archived_at TEXT;
ALTER TABLE formations ADD COLUMN default_price_cents INTEGER NOT NULL DEFAULT 0 CHECK (default_price_cents >= 0);
ALTER TABLE formations ADD COLUMN exam_note TEXT NOT NULL DEFAULT '';
ALTER TABLE formations ADD COLUMN prerequisite_formation_id INTEGER REFERENCES formations (id);
ALTER TABLE formations ADD COLUMN archived_at TEXT;
ALTER TABLE courses ADD COLUMN own_price INTEGER NOT NULL DEFAULT 1 CHECK (own_price IN (0, 1));
ALTER TABLE courses ADD COLUMN trainer_account_id INTEGER REFERENCES accounts (id);
ALTER TABLE courses ADD COLUMN remote_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE courses ADD COLUMN archived_at TEXT;
CREATE INDEX courses_trainer ON courses (trainer_account_id);

ALTER TABLE audit_events ADD COLUMN object_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN object_id INTEGER;
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);

-- A personal access token of the staff API: only its SHA-256 is kept, the
-- token itself is shown once to the central-service member who creates it.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    name         TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash   TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES accounts (id),
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   INTEGER REFERENCES accounts (id)
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- A catalogue import of a session (a dry run or the import itself), with its
-- progress so that every instance's back office shows it.
CREATE TABLE catalogue_imports (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER REFERENCES sessions (id),
    file_name   TEXT    NOT NULL,
    file_digest TEXT    NOT NULL,
    dry_run     INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'refused', 'failed')),
    rows_total  INTEGER NOT NULL DEFAULT 0,
    rows_done   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    problems    TEXT    NOT NULL DEFAULT '[]',
    started_by  INTEGER REFERENCES accounts (id),
    started_at  TEXT    NOT NULL,
    finished_at TEXT
);

-- +goose Down
DROP TABLE catalogue_imports;
DROP TABLE api_tokens;
DROP INDEX audit_events_object;
ALTER TABLE audit_events DROP COLUMN object_id;
ALTER TABLE audit_events DROP COLUMN object_kind;
DROP INDEX courses_trainer;
ALTER TABLE courses DROP COLUMN archived_at;
ALTER TABLE courses DROP COLUMN remote_reason;
ALTER TABLE courses DROP COLUMN trainer_account_id;
ALTER TABLE courses DROP COLUMN own_price;
ALTER TABLE formations DROP COLUMN archived_at;
ALTER TABLE formations DROP COLUMN prerequisite_formation_id;
ALTER TABLE formations DROP COLUMN exam_note;
ALTER TABLE formations DROP COLUMN default_price_cents;
ALTER TABLE rooms DROP COLUMN archived_at;
ALTER TABLE establishments DROP COLUMN archived_at;
ALTER TABLE sessions DROP COLUMN archived_at;
ALTER TABLE sessions DROP COLUMN status;
