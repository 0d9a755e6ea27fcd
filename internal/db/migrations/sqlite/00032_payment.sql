-- +goose Up
-- Enrolment and payment (PAY-1..8, CAN-9). The director confirms an
-- accepted learner's enrolment and the fee becomes due: the course's tariff,
-- or its half tariff once the RSA/ASS/AAH proof given at registration has
-- been checked and accepted. It is paid once (PAY-1): online by card through
-- PayFiP, or at the director's desk by cheque or cash (PAY-2), by the learner
-- or a third party (PAY-4). Every payment is an entry of the régie's
-- append-only journal; the learner card (PAY-6) and the attestations
-- (PAY-7) are kept with their numbers.

-- The check of a half-tariff proof (CAN-9, PAY-5), by the director or the
-- central service; decided again only while nothing is paid.
CREATE TABLE half_tariff_checks (
    candidature_id INTEGER PRIMARY KEY REFERENCES candidatures (id),
    decision       TEXT    NOT NULL CHECK (decision IN ('accepted', 'refused')),
    reason         TEXT    NOT NULL DEFAULT '',
    checked_by     INTEGER NOT NULL REFERENCES accounts (id),
    checked_at     TEXT    NOT NULL
);

-- A course's payment window extended by its director (PAY-1): the last day
-- the fee can be paid, for every learner of the course.
ALTER TABLE courses ADD COLUMN pay_extended_until TEXT;

-- An enrolment confirmed by the director: what is due, and until when. The
-- amounts are fixed here, so that the same person is always charged the
-- same whatever the date of entry (PAY-3) or a later change of tariff.
CREATE TABLE enrolments (
    id             INTEGER PRIMARY KEY,
    candidature_id INTEGER NOT NULL UNIQUE REFERENCES candidatures (id),
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    full_cents     INTEGER NOT NULL CHECK (full_cents >= 0),
    due_cents      INTEGER NOT NULL CHECK (due_cents >= 0 AND due_cents <= full_cents),
    half_tariff    BOOLEAN NOT NULL,
    joined_on      TEXT    NOT NULL,
    pay_until      TEXT    NOT NULL,
    extended_until TEXT,
    extended_by    INTEGER REFERENCES accounts (id),
    state          TEXT    NOT NULL CHECK (state IN ('due', 'paid', 'freed')),
    confirmed_at   TEXT    NOT NULL,
    confirmed_by   INTEGER NOT NULL REFERENCES accounts (id),
    freed_at       TEXT,
    freed_by       INTEGER REFERENCES accounts (id),
    freed_reason   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX enrolments_course ON enrolments (course_id, state);
CREATE INDEX enrolments_account ON enrolments (account_id);

-- A link a learner gives a third party (PAY-4): it names the learner, the
-- course and the amount, works once and expires with the window. Only the
-- token's hash is kept.
CREATE TABLE payment_links (
    id           INTEGER PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES enrolments (id),
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    used_at      TEXT,
    payer_name   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX payment_links_enrolment ON payment_links (enrolment_id);

-- Every PayFiP operation (one idOp per attempt) and what PayFiP said of it.
-- An operation stays pending until its detail says paid, refused or
-- abandoned, or it expires; reconciliation asks about the pending ones.
CREATE TABLE payfip_operations (
    idop         TEXT    PRIMARY KEY,
    enrolment_id INTEGER NOT NULL REFERENCES enrolments (id),
    refdet       TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    mel          TEXT    NOT NULL,
    payer_name   TEXT    NOT NULL DEFAULT '',
    link_id      INTEGER REFERENCES payment_links (id),
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'paid', 'refused', 'abandoned', 'expired', 'mismatch')),
    resultrans   TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    settled_at   TEXT,
    asked_at     TEXT,
    note         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX payfip_operations_enrolment ON payfip_operations (enrolment_id);
CREATE INDEX payfip_operations_pending ON payfip_operations (created_at) WHERE state = 'pending';

-- The one payment of an enrolment (PAY-1): unique per enrolment and per idOp,
-- so that a notification replayed or raced books once.
CREATE TABLE payments (
    id               INTEGER PRIMARY KEY,
    enrolment_id     INTEGER NOT NULL UNIQUE REFERENCES enrolments (id),
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    course_id        INTEGER NOT NULL REFERENCES courses (id),
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    mode             TEXT    NOT NULL CHECK (mode IN ('card', 'cheque', 'cash')),
    half_tariff      BOOLEAN NOT NULL,
    payer_name       TEXT    NOT NULL DEFAULT '',
    idop             TEXT    UNIQUE REFERENCES payfip_operations (idop),
    numauto          TEXT    NOT NULL DEFAULT '',
    cheque_number    TEXT    NOT NULL DEFAULT '',
    cheque_bank      TEXT    NOT NULL DEFAULT '',
    cheque_drawer    TEXT    NOT NULL DEFAULT '',
    receipt_number   TEXT    NOT NULL UNIQUE,
    recorded_by      INTEGER REFERENCES accounts (id),
    paid_at          TEXT    NOT NULL,
    CHECK (mode <> 'card' OR idop IS NOT NULL),
    CHECK (mode <> 'cheque' OR (cheque_number <> '' AND cheque_bank <> '' AND cheque_drawer <> '')),
    CHECK (mode <> 'cash' OR amount_cents <= 30000)
);
CREATE INDEX payments_establishment ON payments (establishment_id, paid_at);

-- The régie's journal: append-only, a correction is a new entry. Its day is
-- the Paris civil day the entry was written, so that a closed day never
-- changes.
CREATE TABLE ledger_entries (
    id               INTEGER PRIMARY KEY,
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    day              TEXT    NOT NULL,
    mode             TEXT    NOT NULL CHECK (mode IN ('card', 'cheque', 'cash')),
    kind             TEXT    NOT NULL CHECK (kind IN ('payment', 'refund', 'correction')),
    amount_cents     INTEGER NOT NULL,
    payment_id       INTEGER REFERENCES payments (id),
    reference        TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    recorded_at      TEXT    NOT NULL,
    recorded_by      INTEGER REFERENCES accounts (id)
);
CREATE INDEX ledger_entries_day ON ledger_entries (establishment_id, day, mode);
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_append_only_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_append_only_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
-- +goose StatementEnd

-- A day's closing per establishment and mode, signed by the director.
CREATE TABLE ledger_closings (
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    day              TEXT    NOT NULL,
    mode             TEXT    NOT NULL CHECK (mode IN ('card', 'cheque', 'cash')),
    entries          INTEGER NOT NULL,
    total_cents      INTEGER NOT NULL,
    signed_by        INTEGER NOT NULL REFERENCES accounts (id),
    signed_at        TEXT    NOT NULL,
    PRIMARY KEY (establishment_id, day, mode)
);

-- Learner cards (PAY-6): one valid card per enrolment; a reprint revokes
-- the previous one. The QR code carries the card's ID signed with the key
-- of signing_keys.
CREATE TABLE learner_cards (
    id             INTEGER PRIMARY KEY,
    enrolment_id   INTEGER NOT NULL REFERENCES enrolments (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    number         TEXT    NOT NULL UNIQUE,
    reprint        INTEGER NOT NULL DEFAULT 0,
    issued_at      TEXT    NOT NULL,
    issued_by      INTEGER REFERENCES accounts (id),
    revoked_at     TEXT,
    revoked_by     INTEGER REFERENCES accounts (id),
    revoked_reason TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX learner_cards_one_valid ON learner_cards (enrolment_id) WHERE revoked_at IS NULL;

-- Attestations asked for in writing (PAY-7): of training cost once
-- accepted, of payment once paid; one of each kind per candidature.
CREATE TABLE attestations (
    id             INTEGER PRIMARY KEY,
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('cost', 'payment')),
    number         TEXT    NOT NULL UNIQUE,
    requested_at   TEXT    NOT NULL,
    UNIQUE (candidature_id, kind)
);

-- Keys that sign what the platform prints (card and attestation QR codes):
-- in the database, so that every instance verifies what another signed.
CREATE TABLE signing_keys (
    name       TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE attestations;
DROP TABLE learner_cards;
DROP TABLE ledger_closings;
DROP TABLE ledger_entries;
DROP TABLE payments;
DROP TABLE payfip_operations;
DROP TABLE payment_links;
DROP TABLE enrolments;
ALTER TABLE courses DROP COLUMN pay_extended_until;
DROP TABLE half_tariff_checks;
