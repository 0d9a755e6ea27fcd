-- +goose Up
-- Strike-off and exclusion (ATT-3, ATT-4): see the SQLite migration 00037.
ALTER TABLE candidatures DROP CONSTRAINT candidatures_status_check;
ALTER TABLE candidatures ADD CONSTRAINT candidatures_status_check CHECK (status IN ('submitted', 'cancelled',
    'first_day_test', 'accepted', 'waiting', 'not_retained', 'withdrawn', 'ineligible',
    'given_up', 'no_place', 'declined', 'offer_expired', 'course_closed', 'struck_off', 'excluded'));

CREATE TABLE attendance_exclusions (
    candidature_id BIGINT  PRIMARY KEY REFERENCES candidatures (id),
    course_id      BIGINT  NOT NULL REFERENCES courses (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('absences', 'conduct')),
    reason         TEXT    NOT NULL,
    decided_at     TIMESTAMPTZ NOT NULL,
    decided_by     BIGINT  NOT NULL REFERENCES accounts (id)
);
CREATE INDEX attendance_exclusions_course ON attendance_exclusions (course_id);

-- +goose Down
DROP TABLE attendance_exclusions;
UPDATE candidatures SET status = 'given_up' WHERE status IN ('struck_off', 'excluded');
ALTER TABLE candidatures DROP CONSTRAINT candidatures_status_check;
ALTER TABLE candidatures ADD CONSTRAINT candidatures_status_check CHECK (status IN ('submitted', 'cancelled',
    'first_day_test', 'accepted', 'waiting', 'not_retained', 'withdrawn', 'ineligible',
    'given_up', 'no_place', 'declined', 'offer_expired', 'course_closed'));
