package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"cma/internal/db"
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
		SUM(CASE WHEN status IN ` + activeStatusesSQL + ` THEN 1 ELSE 0 END),
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
	Sort            CandidatureSort // the order; "" is by course
	Desc            bool            // the sort key's order reversed (its ties stay in the default order)
	Limit           int             // at most this many rows; 0 for all
	Offset          int             // skip this many rows first (a page)
}

// CandidatureSort is one of the orders the candidature list offers. Only the
// keys of candidatureOrders reach the SQL: a request never names a column.
type CandidatureSort string

const (
	SortByCourse    CandidatureSort = "course"
	SortByName      CandidatureSort = "name"
	SortByEmail     CandidatureSort = "email"
	SortByFormation CandidatureSort = "formation"
	SortByStatus    CandidatureSort = "status"
)

// candidatureOrders maps each sort to its ORDER BY terms: the key first, then
// the ties, never the time of submission nor the candidature's number (PER-2).
// Names sort on the account's search key (last name, first name, email,
// lower case without accents), the same on both engines.
var candidatureOrders = map[CandidatureSort][]string{
	SortByCourse:    {"co.code", "a.search_key", "c.account_id"},
	SortByName:      {"a.search_key", "co.code", "c.account_id"},
	SortByEmail:     {"a.email", "co.code", "c.account_id"},
	SortByFormation: {"f.search_key", "co.code", "a.search_key", "c.account_id"},
	SortByStatus:    {"c.status", "co.code", "a.search_key", "c.account_id"},
}

// Valid reports whether the store knows the sort ("" is the default).
func (k CandidatureSort) Valid() bool {
	_, ok := candidatureOrders[k]
	return ok || k == ""
}

// orderBy writes the ORDER BY clause of f's sort. Text is compared byte by
// byte on both engines (PostgreSQL's COLLATE "C", SQLite's default BINARY),
// so that a page holds the same rows whichever engine serves it.
func (s *Store) candidatureOrderBy(f CandidatureFilter) string {
	terms := candidatureOrders[f.Sort]
	if terms == nil {
		terms = candidatureOrders[SortByCourse]
	}
	out := make([]string, len(terms))
	for i, t := range terms {
		if s.db.Dialect == db.Postgres && t != "c.account_id" {
			t += ` COLLATE "C"`
		}
		if i == 0 && f.Desc {
			t += " DESC"
		}
		out[i] = t
	}
	// The same person on the same course twice (a cancelled candidature
	// filed again) keeps one order.
	return " ORDER BY " + strings.Join(out, ", ") + ", c.id"
}

// candidatureWhere writes f's conditions and their arguments.
func candidatureWhere(f CandidatureFilter) (string, []any) {
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
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, " AND "), args
}

const candidatureListFrom = ` FROM candidatures c JOIN accounts a ON a.id = c.account_id JOIN courses co ON co.id = c.course_id
		JOIN formations f ON f.id = c.formation_id`

// CountCandidatures counts the candidatures matching f (its sort and page aside).
func (s *Store) CountCandidatures(ctx context.Context, f CandidatureFilter) (int, error) {
	where, args := candidatureWhere(f)
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*)`+candidatureListFrom+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count candidatures: %w", err)
	}
	return n, nil
}

// ListCandidatures lists the candidatures matching f, with the person's names
// and email, in f's order (by course code, then name, by default), never by
// submission time (PER-2); Limit and Offset cut a page in the database.
func (s *Store) ListCandidatures(ctx context.Context, f CandidatureFilter) ([]domain.CandidatureListRow, error) {
	if !f.Sort.Valid() {
		return nil, fmt.Errorf("list candidatures: unknown sort %q", f.Sort)
	}
	where, args := candidatureWhere(f)
	q := `SELECT c.account_id, a.first_name, a.last_name, a.email, c.course_id, co.code, c.formation_id, co.establishment_id,
		c.session_id, c.status, c.objective, c.half_tariff_claim, c.assisted_by IS NOT NULL` + candidatureListFrom + where +
		s.candidatureOrderBy(f)
	if f.Limit > 0 || f.Offset > 0 {
		limit := int64(f.Limit)
		if limit <= 0 {
			limit = math.MaxInt32
		}
		args = append(args, limit, max(f.Offset, 0))
		q += fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	}
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
	return out, nil
}
