package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CourseCalendar is what a course's calendar file (its class meetings as
// iCalendar events, CAT-5) last said: the fingerprint of its events, the
// SEQUENCE written in it and LAST-MODIFIED, when the events last changed.
type CourseCalendar struct {
	Fingerprint string
	Sequence    int
	Modified    time.Time
	Revision    int64 // the catalogue revision the fingerprint was computed at
}

// CourseCalendar reads the course's calendar revision; found is false before
// its first file.
func (s *Store) CourseCalendar(ctx context.Context, courseID int64) (c CourseCalendar, found bool, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT fingerprint, sequence, modified_at, revision FROM course_calendars
		WHERE course_id = $1`, courseID).Scan(&c.Fingerprint, &c.Sequence, timeCol{&c.Modified}, &c.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return CourseCalendar{}, false, nil
	}
	if err != nil {
		return CourseCalendar{}, false, fmt.Errorf("read calendar of course %d: %w", courseID, err)
	}
	return c, true, nil
}

// ReviseCourseCalendar records, inside tx, that the course's events now have
// fingerprint, computed from catalogue revision rev, and returns the result.
// The first record has SEQUENCE 0; a different fingerprint increments
// SEQUENCE and sets LAST-MODIFIED to now, unless the stored one comes from a
// later revision of the catalogue (a web instance whose catalogue is not yet
// reloaded then changes nothing), so that SEQUENCE only ever grows, once per
// change, whichever instance sees it first.
func (s *Store) ReviseCourseCalendar(ctx context.Context, tx *sql.Tx, courseID int64, fingerprint string, rev int64, now time.Time) (CourseCalendar, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO course_calendars (course_id, fingerprint, sequence, modified_at, revision)
		VALUES ($1, $2, 0, $3, $4) ON CONFLICT (course_id) DO NOTHING`, courseID, fingerprint, s.instantArg(now), rev); err != nil {
		return CourseCalendar{}, fmt.Errorf("record calendar of course %d: %w", courseID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE course_calendars SET fingerprint = $2, sequence = sequence + 1,
		modified_at = $3, revision = $4 WHERE course_id = $1 AND fingerprint <> $2 AND revision <= $4`,
		courseID, fingerprint, s.instantArg(now), rev); err != nil {
		return CourseCalendar{}, fmt.Errorf("revise calendar of course %d: %w", courseID, err)
	}
	var c CourseCalendar
	if err := tx.QueryRowContext(ctx, `SELECT fingerprint, sequence, modified_at, revision FROM course_calendars
		WHERE course_id = $1`, courseID).Scan(&c.Fingerprint, &c.Sequence, timeCol{&c.Modified}, &c.Revision); err != nil {
		return CourseCalendar{}, fmt.Errorf("read calendar of course %d: %w", courseID, err)
	}
	return c, nil
}

// LoadCatalogueTx is LoadCatalogue inside the caller's transaction, to see
// the catalogue as the transaction changed it.
func (s *Store) LoadCatalogueTx(ctx context.Context, tx *sql.Tx) (*Catalogue, error) {
	c := &Catalogue{}
	for _, step := range catalogueSteps {
		if err := step(ctx, tx, c); err != nil {
			return nil, fmt.Errorf("load catalogue: %w", err)
		}
	}
	return c, nil
}
