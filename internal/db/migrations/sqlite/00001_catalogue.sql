-- +goose Up
-- The catalogue: establishments and their rooms, formations, sessions and courses,
-- plus the school-holiday periods that close classes (CAT-5). Civil dates are TEXT
-- 'YYYY-MM-DD', instants TEXT RFC 3339 in UTC, booleans 0/1, money integer cents.
CREATE TABLE establishments (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    postal_code TEXT    NOT NULL,
    city        TEXT    NOT NULL,
    district    INTEGER NOT NULL CHECK (district >= 0),
    search_key  TEXT    NOT NULL
);

CREATE TABLE rooms (
    id               INTEGER PRIMARY KEY,
    establishment_id INTEGER NOT NULL REFERENCES establishments (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    workstations     INTEGER NOT NULL CHECK (workstations >= 0),
    UNIQUE (establishment_id, name)
);

CREATE TABLE formations (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    title         TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    level         TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    prerequisites TEXT    NOT NULL,
    evaluation    TEXT    NOT NULL CHECK (evaluation IN ('none', 'first_day_test', 'anticipated_test', 'interview')),
    diploma       INTEGER NOT NULL CHECK (diploma IN (0, 1)),
    diploma_name  TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('general', 'computer', 'technical')),
    search_key    TEXT    NOT NULL
);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('annual', 'semester1', 'semester2', 'special')),
    first_day          TEXT    NOT NULL,
    last_day           TEXT    NOT NULL,
    candidature_opens  TEXT    NOT NULL,
    candidature_closes TEXT    NOT NULL,
    answer_opens       TEXT    NOT NULL,
    answer_closes      TEXT    NOT NULL,
    holiday_session    INTEGER NOT NULL CHECK (holiday_session IN (0, 1)),
    CHECK (first_day <= last_day),
    CHECK (candidature_opens < candidature_closes),
    CHECK (answer_opens < answer_closes)
);

CREATE TABLE courses (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,
    formation_id     INTEGER NOT NULL REFERENCES formations (id),
    establishment_id INTEGER NOT NULL REFERENCES establishments (id),
    room_id          INTEGER NOT NULL REFERENCES rooms (id),
    session_id       INTEGER NOT NULL REFERENCES sessions (id),
    weekday          INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute     INTEGER NOT NULL CHECK (start_minute >= 0),
    end_minute       INTEGER NOT NULL CHECK (end_minute <= 1440),
    level            TEXT    NOT NULL,
    capacity         INTEGER NOT NULL CHECK (capacity > 0),
    enrolled         INTEGER NOT NULL DEFAULT 0 CHECK (enrolled >= 0),
    trainer          TEXT    NOT NULL,
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    reduced_cents    INTEGER NOT NULL CHECK (reduced_cents >= 0),
    remote           INTEGER NOT NULL CHECK (remote IN (0, 1)),
    CHECK (start_minute < end_minute),
    CHECK (reduced_cents <= price_cents)
);
CREATE INDEX courses_formation ON courses (formation_id);
CREATE INDEX courses_establishment ON courses (establishment_id);
CREATE INDEX courses_session ON courses (session_id);

CREATE TABLE school_holidays (
    id        INTEGER PRIMARY KEY,
    zone      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    first_day TEXT    NOT NULL,
    last_day  TEXT    NOT NULL,
    CHECK (first_day <= last_day)
);

-- catalogue_state holds one row: a revision bumped by every catalogue change so
-- that web instances know when to reload their in-memory catalogue, and the
-- "all courses remote" switch of the health protocol (CAT-6).
CREATE TABLE catalogue_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    revision   INTEGER NOT NULL,
    all_remote INTEGER NOT NULL CHECK (all_remote IN (0, 1))
);
INSERT INTO catalogue_state (id, revision, all_remote) VALUES (1, 1, 0);

-- +goose Down
DROP TABLE catalogue_state;
DROP TABLE school_holidays;
DROP TABLE courses;
DROP TABLE sessions;
DROP TABLE formations;
DROP TABLE rooms;
DROP TABLE establishments;
