package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"cma/internal/domain"
)

// CourseCount is how many candidatures a course has, by status.
type CourseCount struct {
	Submitted int
	Cancelled int
}

// CandidatureCounts counts the candidatures of each course of a session (of
// every session when sessionID is 0). Courses without candidatures are absent.
func (s *Store) CandidatureCounts(ctx context.Context, sessionID int64) (map[int64]CourseCount, error) {
	q := `SELECT course_id,
		SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END)
		FROM candidatures`
	var args []any
	if sessionID != 0 {
		q += ` WHERE session_id = $1`
		args = append(args, sessionID)
	}
	rows, err := s.db.R.QueryContext(ctx, q+` GROUP BY course_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("count candidatures of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	out := map[int64]CourseCount{}
	for rows.Next() {
		var id int64
		var c CourseCount
		if err := rows.Scan(&id, &c.Submitted, &c.Cancelled); err != nil {
			return nil, fmt.Errorf("count candidatures: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// CandidatureFilter selects candidatures for the back-office list; zero
// fields do not filter. Filters are combined: a director's list filtered on
// their establishment never shows another's course, whatever else is asked.
type CandidatureFilter struct {
	SessionID       int64
	FormationID     int64
	EstablishmentID int64 // through the course
	CourseID        int64
	Status          domain.CandidatureStatus
	Limit           int // at most this many rows; 0 for all
}

// ListCandidatures lists the candidatures matching f, with the person's names
// and email, ordered by course code, then last name and first name in French
// collation (the same on both engines), never by submission time (PER-2).
func (s *Store) ListCandidatures(ctx context.Context, f CandidatureFilter) ([]domain.CandidatureListRow, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.SessionID != 0 {
		add("c.session_id = ?", f.SessionID)
	}
	if f.FormationID != 0 {
		add("c.formation_id = ?", f.FormationID)
	}
	if f.EstablishmentID != 0 {
		add("co.establishment_id = ?", f.EstablishmentID)
	}
	if f.CourseID != 0 {
		add("c.course_id = ?", f.CourseID)
	}
	if f.Status != "" {
		add("c.status = ?", string(f.Status))
	}
	q := `SELECT c.account_id, a.first_name, a.last_name, a.email, c.course_id, co.code, c.formation_id, co.establishment_id,
		c.session_id, c.status, c.objective, c.half_tariff_claim, c.assisted_by IS NOT NULL
		FROM candidatures c JOIN accounts a ON a.id = c.account_id JOIN courses co ON co.id = c.course_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	// The engines collate names differently: the database orders by course
	// code and account only, and names are collated here in French.
	q += ` ORDER BY co.code, c.account_id`
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list candidatures: %w", err)
	}
	defer rows.Close()
	var out []domain.CandidatureListRow
	for rows.Next() {
		var r domain.CandidatureListRow
		if err := rows.Scan(&r.AccountID, &r.FirstName, &r.LastName, &r.Email, &r.CourseID, &r.CourseCode, &r.FormationID,
			&r.EstablishmentID, &r.SessionID, &r.Status, &r.Objective, &r.HalfTariffClaim, &r.Assisted); err != nil {
			return nil, fmt.Errorf("list candidatures: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list candidatures: %w", err)
	}
	col := collate.New(language.French, collate.IgnoreCase)
	var buf collate.Buffer
	type keyed struct {
		row        domain.CandidatureListRow
		last, name []byte
	}
	ks := make([]keyed, len(out))
	for i, r := range out {
		ks[i] = keyed{row: r, last: slices.Clone(col.KeyFromString(&buf, r.LastName)),
			name: slices.Clone(col.KeyFromString(&buf, r.FirstName))}
		buf.Reset()
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.row.CourseCode, b.row.CourseCode), bytes.Compare(a.last, b.last),
			bytes.Compare(a.name, b.name), cmp.Compare(a.row.AccountID, b.row.AccountID))
	})
	for i := range ks {
		out[i] = ks[i].row
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
