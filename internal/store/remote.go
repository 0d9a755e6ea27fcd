package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
)

// RemoteCourse is a course as the remote-delivery switch sees it (CAT-6): its
// own flag and reason, and the words of the message that tells its people.
type RemoteCourse struct {
	ID                                      int64
	Code                                    string
	Remote                                  bool
	Reason                                  string
	Formation, Establishment, Session       string
	EstablishmentID, FormationID, SessionID int64
	Weekday                                 time.Weekday
	StartMinute, EndMinute                  int
}

// Scopes of the remote-delivery switch (CAT-6).
const (
	RemoteScopeCourse        = "course"
	RemoteScopeFormation     = "formation"
	RemoteScopeEstablishment = "establishment"
	RemoteScopeSession       = "session"
	RemoteScopeAll           = "all"
)

// RemoteCoursesTx reads the courses of a scope (kind and ID; RemoteScopeAll
// needs no ID) that are not archived, by code, in the caller's transaction.
func (s *Store) RemoteCoursesTx(ctx context.Context, tx *sql.Tx, kind string, id int64) ([]RemoteCourse, error) {
	where := map[string]string{
		RemoteScopeCourse: "c.id = $1", RemoteScopeFormation: "c.formation_id = $1",
		RemoteScopeEstablishment: "c.establishment_id = $1", RemoteScopeSession: "c.session_id = $1",
		RemoteScopeAll: "c.id <> $1", // with ID 0: every course
	}[kind]
	if where == "" {
		return nil, fmt.Errorf("remote courses: unknown scope %q", kind)
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.code, c.remote, c.remote_reason, f.title, e.name, s.name,
		c.establishment_id, c.formation_id, c.session_id, c.weekday, c.start_minute, c.end_minute
		FROM courses c JOIN formations f ON f.id = c.formation_id JOIN establishments e ON e.id = c.establishment_id
		JOIN sessions s ON s.id = c.session_id
		WHERE c.archived_at IS NULL AND `+where+` ORDER BY c.code, c.id`, id)
	if err != nil {
		return nil, fmt.Errorf("remote courses of %s %d: %w", kind, id, err)
	}
	defer rows.Close()
	var out []RemoteCourse
	for rows.Next() {
		var c RemoteCourse
		var weekday int
		if err := rows.Scan(&c.ID, &c.Code, &c.Remote, &c.Reason, &c.Formation, &c.Establishment, &c.Session,
			&c.EstablishmentID, &c.FormationID, &c.SessionID, &weekday, &c.StartMinute, &c.EndMinute); err != nil {
			return nil, err
		}
		c.Weekday = time.Weekday(weekday)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AllRemoteTx reads the "health protocol" switch (CAT-6) in tx.
func (s *Store) AllRemoteTx(ctx context.Context, tx *sql.Tx) (remote bool, reason string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT all_remote, all_remote_reason FROM catalogue_state WHERE id = 1`).Scan(&remote, &reason)
	if err != nil {
		return false, "", fmt.Errorf("read all remote: %w", err)
	}
	return remote, reason, nil
}

// SetCoursesRemoteTx switches the courses to remote delivery or back with
// their reason, and bumps the catalogue revision, in the caller's transaction.
func (s *Store) SetCoursesRemoteTx(ctx context.Context, tx *sql.Tx, ids []int64, remote bool, reason string) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET remote = $1, remote_reason = $2 WHERE id = $3`, remote, reason, id); err != nil {
			return fmt.Errorf("switch course %d remote: %w", id, err)
		}
	}
	return bumpRevision(ctx, tx)
}

// SetAllRemoteTx sets the "health protocol" switch with its reason and bumps
// the catalogue revision, in the caller's transaction.
func (s *Store) SetAllRemoteTx(ctx context.Context, tx *sql.Tx, remote bool, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE catalogue_state SET all_remote = $1, all_remote_reason = $2 WHERE id = 1`, remote, reason); err != nil {
		return fmt.Errorf("switch all courses remote: %w", err)
	}
	return bumpRevision(ctx, tx)
}

// RemotePerson is a person to tell about remote delivery and the courses of
// hers concerned.
type RemotePerson struct {
	Account   domain.Account
	CourseIDs []int64
}

// ActivePeopleOfCoursesTx returns the people who hold an active candidature
// (domain.ActiveStatuses: not cancelled) on any of the courses, each once with
// her courses among them, by account ID.
func (s *Store) ActivePeopleOfCoursesTx(ctx context.Context, tx *sql.Tx, courseIDs []int64) ([]RemotePerson, error) {
	if len(courseIDs) == 0 {
		return nil, nil
	}
	var args []any
	var marks []string
	for _, st := range domain.ActiveStatuses {
		args = append(args, string(st))
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	statuses := strings.Join(marks, ", ")
	marks = marks[:0]
	for _, id := range courseIDs {
		args = append(args, id)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT cd.account_id, cd.course_id, a.first_name, a.email
		FROM candidatures cd JOIN accounts a ON a.id = cd.account_id
		WHERE cd.status IN (`+statuses+`) AND cd.course_id IN (`+strings.Join(marks, ", ")+`)
		ORDER BY cd.account_id, cd.course_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("people of courses: %w", err)
	}
	defer rows.Close()
	var out []RemotePerson
	for rows.Next() {
		var accountID, courseID int64
		var first, email string
		if err := rows.Scan(&accountID, &courseID, &first, &email); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Account.ID != accountID {
			out = append(out, RemotePerson{Account: domain.Account{ID: accountID, FirstName: first, Email: email}})
		}
		out[len(out)-1].CourseIDs = append(out[len(out)-1].CourseIDs, courseID)
	}
	return out, rows.Err()
}
