-- +goose Up
-- A payment to give back (REF-2): a course that did not open (SEL-6) turns
-- each payment already made for it into a refund due, to whoever paid (the
-- third party of PAY-4, not always the learner), for the whole amount. One
-- per payment: a payment is never refunded twice. It is cancelled when the
-- learner takes a seat in an equivalent course, where the payment follows
-- them (PAY-3); the contact-and-refunds capability pays the others.
CREATE TABLE refunds_due (
    id               INTEGER PRIMARY KEY,
    payment_id       INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    enrolment_id     INTEGER NOT NULL REFERENCES enrolments (id),
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    course_id        INTEGER NOT NULL REFERENCES courses (id),
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    payer_name       TEXT    NOT NULL,
    reason           TEXT    NOT NULL CHECK (reason IN ('course_not_opened')),
    state            TEXT    NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'cancelled')),
    created_at       TEXT    NOT NULL,
    created_by       INTEGER NOT NULL REFERENCES accounts (id),
    cancelled_at     TEXT,
    cancelled_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX refunds_due_state ON refunds_due (state, created_at);
CREATE INDEX refunds_due_account ON refunds_due (account_id);

-- +goose Down
DROP TABLE refunds_due;
