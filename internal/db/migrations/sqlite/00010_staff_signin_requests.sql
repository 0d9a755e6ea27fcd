-- +goose Up
-- A sign-on identity's link to its account now says since when (the central
-- service sees it on a person's file); links made before are of unknown date.
-- A first sign-in whose email is a staff account's but that cannot be linked
-- on its own (the provider does not say the email is verified, or the staff
-- account already has an identity) is held for the central service, which
-- links it, or refuses it, saying whether the person is a candidate (ACC-3,
-- ROLE-5). One request per identity: a second attempt updates it.
ALTER TABLE account_identities ADD COLUMN linked_at TEXT;

CREATE TABLE staff_signin_requests (
    id               INTEGER PRIMARY KEY,
    issuer           TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    staff_account_id INTEGER NOT NULL REFERENCES accounts (id),
    email            TEXT    NOT NULL,
    first_name       TEXT    NOT NULL,
    last_name        TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'linked', 'candidate', 'refused')),
    created_at       TEXT    NOT NULL,
    last_attempt_at  TEXT    NOT NULL,
    attempts         INTEGER NOT NULL CHECK (attempts > 0),
    decided_by       INTEGER REFERENCES accounts (id),
    decided_at       TEXT,
    reason           TEXT    NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX staff_signin_requests_status ON staff_signin_requests (status, created_at);
CREATE INDEX staff_signin_requests_staff ON staff_signin_requests (staff_account_id);

-- +goose Down
DROP TABLE staff_signin_requests;
ALTER TABLE account_identities DROP COLUMN linked_at;
