package store

import (
	"context"
	"database/sql"
	"fmt"

	"cma/internal/domain"
)

// The directors' lists of a course (SEL-2, ROLE-3): who a published run
// accepted in it, with their convocation and their test, and its waiting list
// in order; and the first-day test results posted on the establishment's
// notice board. Never the time of submission nor an order of arrival (PER-2):
// the rows come back in no meaningful order, or by waiting position.

// ListedCandidature is one line of a course's lists.
type ListedCandidature struct {
	CandidatureID, AccountID int64
	FirstName, LastName      string
	Email                    string
	Status                   domain.CandidatureStatus
	CourseID                 int64 // the course chosen
	AcceptedCourseID         int64 // the course accepted in, 0 when none
	ValidationKey            string
	Position                 int // on this course's waiting list; 0 when not waiting for it
	// Convocation is the candidature's convocation, nil when none was sent.
	Convocation *domain.Convocation
	// Result is its test or interview result, nil when none was entered.
	Result *domain.TestResult
	// Waiting is every waiting place the candidature holds, by course
	// (the results posting says where a candidate waits).
	Waiting []domain.WaitingPlace
}

const listedColumns = `c.id, c.account_id, a.first_name, a.last_name, a.email, c.status, c.course_id,
	COALESCE(c.accepted_course_id, 0), c.validation_key,
	v.candidature_id IS NOT NULL, COALESCE(v.sitting_id, 0), COALESCE(v.course_id, 0), v.at, COALESCE(v.place, ''),
	r.candidature_id IS NOT NULL, COALESCE(r.result, ''), COALESCE(r.score, 0), COALESCE(r.placed_level, 0)`

const listedJoins = ` FROM candidatures c JOIN accounts a ON a.id = c.account_id
	LEFT JOIN convocations v ON v.candidature_id = c.id
	LEFT JOIN test_results r ON r.candidature_id = c.id`

func (s *Store) scanListed(rows *sql.Rows, withPosition bool) ([]ListedCandidature, error) {
	defer rows.Close()
	var out []ListedCandidature
	for rows.Next() {
		var l ListedCandidature
		var conv domain.Convocation
		var res domain.TestResult
		var hasConv, hasRes bool
		dest := []any{&l.CandidatureID, &l.AccountID, &l.FirstName, &l.LastName, &l.Email, &l.Status, &l.CourseID,
			&l.AcceptedCourseID, &l.ValidationKey, &hasConv, &conv.SittingID, &conv.CourseID, nullTime{&conv.At}, &conv.Place,
			&hasRes, &res.Kind, &res.Score, &res.PlacedLevel}
		if withPosition {
			dest = append(dest, &l.Position)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if hasConv {
			conv.CandidatureID = l.CandidatureID
			l.Convocation = &conv
		}
		if hasRes {
			res.CandidatureID = l.CandidatureID
			l.Result = &res
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CourseAccepted lists the candidatures a published run accepted in a course
// (accepted_course_id), whatever course they had chosen (SEL-3, SEL-5).
func (s *Store) CourseAccepted(ctx context.Context, courseID int64) ([]ListedCandidature, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+listedColumns+listedJoins+`
		WHERE c.accepted_course_id = $1 AND c.status = 'accepted'`, courseID)
	if err != nil {
		return nil, fmt.Errorf("accepted in course %d: %w", courseID, err)
	}
	out, err := s.scanListed(rows, false)
	if err != nil {
		return nil, fmt.Errorf("accepted in course %d: %w", courseID, err)
	}
	return out, nil
}

// CourseWaiting lists a course's live waiting list in order, each with its
// rank (1 first): the candidatures still in line (waiting, or accepted in a
// course they preferred less, SEL-5).
func (s *Store) CourseWaiting(ctx context.Context, courseID int64) ([]ListedCandidature, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+listedColumns+`, w.position`+listedJoins+`
		JOIN waiting_list w ON w.candidature_id = c.id
		WHERE w.course_id = $1 AND `+inLine+`
		ORDER BY w.position, c.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("waiting list of course %d: %w", courseID, err)
	}
	out, err := s.scanListed(rows, true)
	if err != nil {
		return nil, fmt.Errorf("waiting list of course %d: %w", courseID, err)
	}
	for i := range out {
		out[i].Position = i + 1
	}
	return out, nil
}

// CourseFirstDayTested lists the candidatures convoked to a course's first
// class for its first-day test (a convocation without a sitting), with
// every waiting place each holds: what the results posting shows (SEL-2).
func (s *Store) CourseFirstDayTested(ctx context.Context, courseID int64) ([]ListedCandidature, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+listedColumns+listedJoins+`
		WHERE v.course_id = $1 AND v.sitting_id IS NULL`, courseID)
	if err != nil {
		return nil, fmt.Errorf("first-day test of course %d: %w", courseID, err)
	}
	out, err := s.scanListed(rows, false)
	if err != nil {
		return nil, fmt.Errorf("first-day test of course %d: %w", courseID, err)
	}
	if len(out) == 0 {
		return out, nil
	}
	at := map[int64]int{}
	for i, l := range out {
		at[l.CandidatureID] = i
	}
	wrows, err := s.db.R.QueryContext(ctx, `SELECT w.candidature_id, w.course_id, w.position FROM waiting_list w
		JOIN convocations v ON v.candidature_id = w.candidature_id
		WHERE v.course_id = $1 AND v.sitting_id IS NULL ORDER BY w.candidature_id, w.position, w.course_id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("first-day test of course %d: waiting places: %w", courseID, err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var id int64
		var p domain.WaitingPlace
		if err := wrows.Scan(&id, &p.CourseID, &p.Position); err != nil {
			return nil, err
		}
		if i, ok := at[id]; ok {
			out[i].Waiting = append(out[i].Waiting, p)
		}
	}
	return out, wrows.Err()
}
