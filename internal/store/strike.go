package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Attendance's decisions (ATT-3, ATT-4): the central service's decision on
// a streak reported in attendance_flags (struck off, or kept in the course),
// and a learner's exclusion from a course by the trainer or the director.

// Flag decisions (attendance_flags.decision).
const (
	FlagOpen      = ""
	FlagStruckOff = "struck_off"
	FlagKept      = "kept"
)

// Flag is a streak of absences without a valid reason reported to the
// central service (ATT-3), with the learner and the decision once taken.
type Flag struct {
	CandidatureID, CourseID int64
	StreakStart, StreakEnd  time.Time // civil dates
	FlaggedAt               time.Time
	Decision                string
	DecidedAt               time.Time
	DecidedBy               int64
	Reason                  string
	AccountID               int64
	FirstName, LastName     string
}

const flagColumns = `f.candidature_id, f.course_id, f.streak_start, f.streak_end, f.flagged_at, f.decision, f.decided_at,
	COALESCE(f.decided_by, 0), f.reason, c.account_id, a.first_name, a.last_name`

const flagFrom = ` FROM attendance_flags f JOIN candidatures c ON c.id = f.candidature_id JOIN accounts a ON a.id = c.account_id`

func scanFlag(row rowScanner) (Flag, error) {
	var f Flag
	err := row.Scan(&f.CandidatureID, &f.CourseID, timeCol{&f.StreakStart}, timeCol{&f.StreakEnd}, timeCol{&f.FlaggedAt}, &f.Decision,
		nullTime{&f.DecidedAt}, &f.DecidedBy, &f.Reason, &f.AccountID, &f.FirstName, &f.LastName)
	return f, err
}

// OpenFlags lists the streaks reported and not decided yet, the oldest
// first: the central service's strike-off queue (ATT-3).
func (s *Store) OpenFlags(ctx context.Context) ([]Flag, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+flagColumns+flagFrom+` WHERE f.decision = '' ORDER BY f.flagged_at, f.candidature_id`)
	if err != nil {
		return nil, fmt.Errorf("open attendance flags: %w", err)
	}
	defer rows.Close()
	var out []Flag
	for rows.Next() {
		f, err := scanFlag(rows)
		if err != nil {
			return nil, fmt.Errorf("open attendance flags: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FlagOf reads (in tx when given) one reported streak, by its candidature,
// course and first day.
func (s *Store) FlagOf(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64, start time.Time) (Flag, error) {
	f, err := scanFlag(s.querier(tx).QueryRowContext(ctx, `SELECT `+flagColumns+flagFrom+
		` WHERE f.candidature_id = $1 AND f.course_id = $2 AND f.streak_start = $3`, candidatureID, courseID, dayArg(start)))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("flag of candidature %d in course %d: %w", candidatureID, courseID, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("flag of candidature %d in course %d: %w", candidatureID, courseID, err)
	}
	return f, nil
}

// DecideFlag records, in tx, the central service's decision on an open
// flag; false when it was decided before (nothing changed).
func (s *Store) DecideFlag(ctx context.Context, tx *sql.Tx, f Flag, decision string, at time.Time, by int64, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE attendance_flags SET decision = $1, decided_at = $2, decided_by = $3, reason = $4
		WHERE candidature_id = $5 AND course_id = $6 AND streak_start = $7 AND decision = ''`,
		decision, s.instantArg(at), by, reason, f.CandidatureID, f.CourseID, dayArg(f.StreakStart))
	if err != nil {
		return false, fmt.Errorf("decide the flag of candidature %d: %w", f.CandidatureID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CloseOpenFlags records, in tx, every open flag of a candidature with the
// decision and note given: the learner left the course by a decision (a
// strike-off for another streak, an exclusion), nothing is left to decide.
func (s *Store) CloseOpenFlags(ctx context.Context, tx *sql.Tx, candidatureID int64, decision string, at time.Time, by int64, note string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE attendance_flags SET decision = $1, decided_at = $2, decided_by = $3, reason = $4
		WHERE candidature_id = $5 AND decision = ''`, decision, s.instantArg(at), by, note, candidatureID); err != nil {
		return fmt.Errorf("close the flags of candidature %d: %w", candidatureID, err)
	}
	return nil
}

// Exclusion is a learner excluded from a course (ATT-4).
type Exclusion struct {
	CandidatureID, CourseID int64
	Kind                    string // "absences" or "conduct"
	Reason                  string
	DecidedAt               time.Time
	DecidedBy               int64
}

// RecordExclusion records, in tx, a learner's exclusion; false when the
// candidature was excluded before.
func (s *Store) RecordExclusion(ctx context.Context, tx *sql.Tx, x Exclusion) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attendance_exclusions (candidature_id, course_id, kind, reason, decided_at, decided_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (candidature_id) DO NOTHING`,
		x.CandidatureID, x.CourseID, x.Kind, x.Reason, s.instantArg(x.DecidedAt), x.DecidedBy)
	if err != nil {
		return false, fmt.Errorf("exclude candidature %d: %w", x.CandidatureID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AttendanceEnd is how a candidature's place ended by attendance's
// decision: struck off (ATT-3) or excluded (ATT-4), with the motive.
type AttendanceEnd struct {
	StruckOff bool
	Kind      string // an exclusion's: "absences" or "conduct"
	Reason    string
	At        time.Time
}

// AttendanceEnds reads, for a person's candidatures, the strike-offs and
// exclusions decided, by candidature.
func (s *Store) AttendanceEnds(ctx context.Context, accountID int64) (map[int64]AttendanceEnd, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT f.candidature_id, 1, '', f.reason, f.decided_at FROM attendance_flags f
		JOIN candidatures c ON c.id = f.candidature_id WHERE c.account_id = $1 AND f.decision = 'struck_off'
		UNION ALL SELECT x.candidature_id, 0, x.kind, x.reason, x.decided_at FROM attendance_exclusions x
		JOIN candidatures c ON c.id = x.candidature_id WHERE c.account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("attendance decisions of person %d: %w", accountID, err)
	}
	defer rows.Close()
	out := map[int64]AttendanceEnd{}
	for rows.Next() {
		var cand, struck int64
		var e AttendanceEnd
		if err := rows.Scan(&cand, &struck, &e.Kind, &e.Reason, nullTime{&e.At}); err != nil {
			return nil, fmt.Errorf("attendance decisions of person %d: %w", accountID, err)
		}
		e.StruckOff = struck == 1
		out[cand] = e
	}
	return out, rows.Err()
}
