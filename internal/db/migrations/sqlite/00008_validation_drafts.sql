-- +goose Up
-- The validation form's answers, kept between the form and its recap page
-- (CAN-4): the recap shows them, its one button validates them. One draft per
-- person, replaced by each new form; deleted by the validation, and erased
-- with the proofs' retention job after a day (the proof's bytes are in it).
CREATE TABLE validation_drafts (
    account_id         INTEGER PRIMARY KEY REFERENCES accounts (id),
    token              TEXT    NOT NULL,
    objective          TEXT    NOT NULL,
    motivation         TEXT    NOT NULL,
    rsa                BOOLEAN NOT NULL,
    job_seeker         BOOLEAN NOT NULL,
    subsidised         BOOLEAN NOT NULL,
    rules_version      TEXT    NOT NULL,
    half_tariff        BOOLEAN NOT NULL,
    proof_content_type TEXT    NOT NULL,
    proof_data         BLOB    NOT NULL,
    proof_issue_date   TEXT    NOT NULL,
    created_at         TEXT    NOT NULL
);

-- +goose Down
DROP TABLE validation_drafts;
