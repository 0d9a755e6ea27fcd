-- +goose Up
-- What each course's calendar file (its class meetings as iCalendar events,
-- CAT-5) last said: the fingerprint of its events, the SEQUENCE written in it,
-- which only grows, and LAST-MODIFIED, when its meetings last changed. Revised
-- by the school-holiday import in its transaction and checked whenever a file
-- is produced; revision is the catalogue revision the fingerprint comes from.
CREATE TABLE course_calendars (
    course_id   INTEGER PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
    fingerprint TEXT    NOT NULL,
    sequence    INTEGER NOT NULL,
    modified_at TEXT    NOT NULL,
    revision    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE course_calendars;
