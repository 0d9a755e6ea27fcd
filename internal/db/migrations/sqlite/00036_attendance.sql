-- +goose Up
-- Attendance registers (ATT-1..4). A class meeting gets a row once its
-- register is taken or it is cancelled one-off (room closed, trainer absent:
-- REF-4, it then counts for nobody); the meetings to come stay computed from
-- the course's calendar. One mark per learner and meeting.
CREATE TABLE class_meetings (
    id            INTEGER PRIMARY KEY,
    course_id     INTEGER NOT NULL REFERENCES courses (id),
    day           TEXT    NOT NULL,
    minutes       INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    cancelled     BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason TEXT    NOT NULL DEFAULT '',
    taken_at      TEXT    NOT NULL,
    taken_by      INTEGER NOT NULL REFERENCES accounts (id),
    UNIQUE (course_id, day)
);

-- A learner's mark at a meeting: present, late (counts as present, ATT-2),
-- absent without a justification (ATT-3), or absent with one (its reason).
-- A change keeps the previous mark in the audit trail.
CREATE TABLE attendance_marks (
    meeting_id     INTEGER NOT NULL REFERENCES class_meetings (id),
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    mark           TEXT    NOT NULL CHECK (mark IN ('present', 'late', 'absent', 'excused')),
    reason         TEXT    NOT NULL DEFAULT '',
    marked_at      TEXT    NOT NULL,
    marked_by      INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (meeting_id, candidature_id)
);
CREATE INDEX attendance_marks_candidature ON attendance_marks (candidature_id);

-- The register forms saved, by the key each form carries: a form sent again
-- after a lost connection records once.
CREATE TABLE register_submissions (
    key          TEXT    PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES class_meetings (id),
    submitted_at TEXT    NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES accounts (id)
);

-- ATT-3: a learner reported to the central service after three consecutive
-- absences without a valid reason, once per streak (by its first day); the
-- central service decides a strike-off (radiation) or keeps the learner.
CREATE TABLE attendance_flags (
    candidature_id INTEGER NOT NULL REFERENCES candidatures (id),
    course_id      INTEGER NOT NULL REFERENCES courses (id),
    streak_start   TEXT    NOT NULL,
    streak_end     TEXT    NOT NULL,
    flagged_at     TEXT NOT NULL,
    decision       TEXT    NOT NULL DEFAULT '' CHECK (decision IN ('', 'struck_off', 'kept')),
    decided_at     TEXT,
    decided_by     INTEGER REFERENCES accounts (id),
    reason         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (candidature_id, course_id, streak_start)
);
CREATE INDEX attendance_flags_open ON attendance_flags (decision, flagged_at);

-- +goose Down
DROP TABLE attendance_flags;
DROP TABLE register_submissions;
DROP TABLE attendance_marks;
DROP TABLE class_meetings;
