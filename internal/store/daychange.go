package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
)

// Day changes (SEL-8): a learner's request to move to another course of the
// same formation and level, and its steps. The move itself is made by the
// waiting lists' service under both courses' locks (LockCourse).

const dayChangeColumns = `id, candidature_id, account_id, from_course_id, to_course_id, channel, reason, state, asked_at,
	recorded_by, forwarded_at, forwarded_by, forward_note, decided_at, decided_by, decision_note`

// scanDayChange scans dayChangeColumns, then the extra columns into extra.
func scanDayChange(row rowScanner, extra ...any) (domain.DayChange, error) {
	var d domain.DayChange
	var recordedBy, forwardedBy, decidedBy sql.NullInt64
	err := row.Scan(append([]any{&d.ID, &d.CandidatureID, &d.AccountID, &d.FromCourseID, &d.ToCourseID, &d.Channel, &d.Reason,
		&d.State, timeCol{&d.AskedAt}, &recordedBy, nullTime{&d.ForwardedAt}, &forwardedBy, &d.ForwardNote,
		nullTime{&d.DecidedAt}, &decidedBy, &d.DecisionNote}, extra...)...)
	d.RecordedBy, d.ForwardedBy, d.DecidedBy = recordedBy.Int64, forwardedBy.Int64, decidedBy.Int64
	return d, err
}

func (s *Store) dayChanges(ctx context.Context, q querier, where string, args ...any) ([]domain.DayChange, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+dayChangeColumns+` FROM day_changes WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("day changes: %w", err)
	}
	defer rows.Close()
	var out []domain.DayChange
	for rows.Next() {
		d, err := scanDayChange(rows)
		if err != nil {
			return nil, fmt.Errorf("day changes: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrDayChangeOpen is a second open request for the same candidature: the
// unique index refused it.
var ErrDayChangeOpen = errors.New("store: a day change is already open for this candidature")

// InsertDayChange records a request (requested) and sets its ID.
func (s *Store) InsertDayChange(ctx context.Context, tx *sql.Tx, d *domain.DayChange) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO day_changes (candidature_id, account_id, from_course_id, to_course_id, channel,
		reason, state, asked_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8) RETURNING id`,
		d.CandidatureID, d.AccountID, d.FromCourseID, d.ToCourseID, d.Channel, d.Reason, s.instantArg(d.AskedAt),
		nullID(d.RecordedBy)).Scan(&d.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return ErrDayChangeOpen
		}
		return fmt.Errorf("day change of candidature %d: %w", d.CandidatureID, err)
	}
	d.State = domain.DayChangeRequested
	return nil
}

// DayChange reads one request (in tx when given).
func (s *Store) DayChange(ctx context.Context, tx *sql.Tx, id int64) (domain.DayChange, error) {
	d, err := scanDayChange(s.querier(tx).QueryRowContext(ctx, `SELECT `+dayChangeColumns+` FROM day_changes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("day change %d: %w", id, ErrNotFound)
	}
	return d, err
}

// OpenDayChangeOf reads, in tx, the candidature's open request, if any.
func (s *Store) OpenDayChangeOf(ctx context.Context, tx *sql.Tx, candidatureID int64) (domain.DayChange, bool, error) {
	list, err := s.dayChanges(ctx, s.querier(tx), `candidature_id = $1 AND state IN ('requested', 'forwarded')`, candidatureID)
	if err != nil || len(list) == 0 {
		return domain.DayChange{}, false, err
	}
	return list[0], true, nil
}

// AccountDayChanges lists a person's requests, newest first.
func (s *Store) AccountDayChanges(ctx context.Context, accountID int64) ([]domain.DayChange, error) {
	return s.dayChanges(ctx, s.db.R, `account_id = $1 ORDER BY id DESC`, accountID)
}

// DayChangeLine is a request with the learner's name and the names of the
// staff who took its steps, for the staff's queue.
type DayChangeLine struct {
	domain.DayChange
	FirstName, LastName                            string
	RecordedByName, ForwardedByName, DecidedByName string
}

// DayChangeQueue lists the requests from the given courses (nil: every
// course), the open ones first, oldest first, then the others newest first,
// at most limit.
func (s *Store) DayChangeQueue(ctx context.Context, fromCourses []int64, limit int) ([]DayChangeLine, error) {
	where := `1 = 1`
	args := []any{}
	if fromCourses != nil {
		if len(fromCourses) == 0 {
			return nil, nil
		}
		where = `from_course_id ` + s.inList(1, "bigint")
		args = append(args, s.listArg(fromCourses))
	}
	args = append(args, limit)
	staffName := func(alias string) string {
		return `COALESCE(` + alias + `.first_name || ' ' || ` + alias + `.last_name, '')`
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT q.*, a.first_name, a.last_name, `+staffName("r")+`, `+staffName("f")+`, `+
		staffName("d")+` FROM (SELECT `+dayChangeColumns+` FROM day_changes WHERE `+where+`) q
		JOIN accounts a ON a.id = q.account_id LEFT JOIN accounts r ON r.id = q.recorded_by
		LEFT JOIN accounts f ON f.id = q.forwarded_by LEFT JOIN accounts d ON d.id = q.decided_by
		ORDER BY CASE WHEN q.state IN ('requested', 'forwarded') THEN 0 ELSE 1 END,
		CASE WHEN q.state IN ('requested', 'forwarded') THEN q.id ELSE -q.id END LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("day change queue: %w", err)
	}
	defer rows.Close()
	var out []DayChangeLine
	for rows.Next() {
		var l DayChangeLine
		var err error
		if l.DayChange, err = scanDayChange(rows, &l.FirstName, &l.LastName, &l.RecordedByName,
			&l.ForwardedByName, &l.DecidedByName); err != nil {
			return nil, fmt.Errorf("day change queue: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ForwardDayChange records the director's step on a requested change:
// forwarded or not, with the note. It reports whether this call did (a
// request no longer requested is left as it is).
func (s *Store) ForwardDayChange(ctx context.Context, tx *sql.Tx, id int64, forward bool, at time.Time, by int64, note string) (bool, error) {
	to := domain.DayChangeNotForwarded
	if forward {
		to = domain.DayChangeForwarded
	}
	res, err := tx.ExecContext(ctx, `UPDATE day_changes SET state = $1, forwarded_at = $2, forwarded_by = $3, forward_note = $4
		WHERE id = $5 AND state = 'requested'`, string(to), s.instantArg(at), by, strings.TrimSpace(note), id)
	if err != nil {
		return false, fmt.Errorf("forward day change %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DecideDayChange records the coordinator's decision on a forwarded change.
// It reports whether this call did.
func (s *Store) DecideDayChange(ctx context.Context, tx *sql.Tx, id int64, accept bool, at time.Time, by int64, note string) (bool, error) {
	to := domain.DayChangeRefused
	if accept {
		to = domain.DayChangeAccepted
	}
	res, err := tx.ExecContext(ctx, `UPDATE day_changes SET state = $1, decided_at = $2, decided_by = $3, decision_note = $4
		WHERE id = $5 AND state = 'forwarded'`, string(to), s.instantArg(at), by, strings.TrimSpace(note), id)
	if err != nil {
		return false, fmt.Errorf("decide day change %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EndOpenDayChanges cancels, in tx, the candidature's open request: the
// learner left the course it would move them from.
func (s *Store) EndOpenDayChanges(ctx context.Context, tx *sql.Tx, candidatureID int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE day_changes SET state = 'cancelled', decided_at = $1
		WHERE candidature_id = $2 AND state IN ('requested', 'forwarded')`, s.instantArg(at), candidatureID); err != nil {
		return fmt.Errorf("cancel the day change of candidature %d: %w", candidatureID, err)
	}
	return nil
}

// WaitingFor counts, in tx, the candidatures still in line for a course,
// apart from candidature except (the one asking to move there).
func (s *Store) WaitingFor(ctx context.Context, tx *sql.Tx, courseID, except int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
		WHERE w.course_id = $1 AND c.id <> $2 AND `+inLine, courseID, except).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("waiting for course %d: %w", courseID, err)
	}
	return n, nil
}
