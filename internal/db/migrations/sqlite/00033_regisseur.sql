-- +goose NO TRANSACTION
-- +goose Up
-- The régie's accountant (régisseur): a staff role that reads every
-- establishment's ledger and changes nothing.
--
-- SQLite cannot change a CHECK constraint in place: staff_grants is rebuilt
-- as in 00028 (foreign keys off, copy, drop, rename, index again).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE staff_grants_new (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    role             TEXT    NOT NULL CHECK (role IN ('central', 'director', 'coordinator', 'trainer', 'guidance', 'helpdesk',
                                                      'regisseur')),
    establishment_id INTEGER REFERENCES establishments (id),
    formation_id     INTEGER REFERENCES formations (id),
    course_id        INTEGER REFERENCES courses (id)
);
INSERT INTO staff_grants_new (id, account_id, role, establishment_id, formation_id, course_id)
SELECT id, account_id, role, establishment_id, formation_id, course_id FROM staff_grants;
DROP TABLE staff_grants;
ALTER TABLE staff_grants_new RENAME TO staff_grants;
CREATE INDEX staff_grants_account ON staff_grants (account_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DELETE FROM staff_grants WHERE role = 'regisseur';
CREATE TABLE staff_grants_old (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    role             TEXT    NOT NULL CHECK (role IN ('central', 'director', 'coordinator', 'trainer', 'guidance', 'helpdesk')),
    establishment_id INTEGER REFERENCES establishments (id),
    formation_id     INTEGER REFERENCES formations (id),
    course_id        INTEGER REFERENCES courses (id)
);
INSERT INTO staff_grants_old (id, account_id, role, establishment_id, formation_id, course_id)
SELECT id, account_id, role, establishment_id, formation_id, course_id FROM staff_grants;
DROP TABLE staff_grants;
ALTER TABLE staff_grants_old RENAME TO staff_grants;
CREATE INDEX staff_grants_account ON staff_grants (account_id);
COMMIT;
PRAGMA foreign_keys = ON;
