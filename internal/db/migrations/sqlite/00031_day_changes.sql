-- +goose Up
-- Day changes (SEL-8): a learner asks, on the first day of classes, to move
-- to another course of the same formation and level; the establishment's
-- director forwards the request (or not) to the pedagogical coordinator, who
-- decides. Each step says when, by whom and with what note. A request still
-- open when the learner leaves the course (a désistement, an offer of
-- another course taken, the course closed) is cancelled.
CREATE TABLE day_changes (
    id             INTEGER PRIMARY KEY,
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    from_course_id INTEGER NOT NULL REFERENCES courses (id),
    to_course_id   INTEGER NOT NULL REFERENCES courses (id),
    channel        TEXT    NOT NULL CHECK (channel IN ('space', 'desk')),
    reason         TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL CHECK (state IN ('requested', 'forwarded', 'not_forwarded', 'accepted', 'refused', 'cancelled')),
    asked_at       TEXT    NOT NULL,
    recorded_by    INTEGER REFERENCES accounts (id),
    forwarded_at   TEXT,
    forwarded_by   INTEGER REFERENCES accounts (id),
    forward_note   TEXT    NOT NULL DEFAULT '',
    decided_at     TEXT,
    decided_by     INTEGER REFERENCES accounts (id),
    decision_note  TEXT    NOT NULL DEFAULT ''
);
-- One request at a time per candidature.
CREATE UNIQUE INDEX day_changes_one_open ON day_changes (candidature_id) WHERE state IN ('requested', 'forwarded');
CREATE INDEX day_changes_from ON day_changes (from_course_id);
CREATE INDEX day_changes_account ON day_changes (account_id);

-- +goose Down
DROP TABLE day_changes;
