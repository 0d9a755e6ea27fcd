package store

import (
	"context"
	"fmt"

	"cma/internal/domain"
)

// SelectionInput lists the submitted candidatures of a session for selection.
func (s *Store) SelectionInput(ctx context.Context, sessionID int64) ([]domain.SelectionRecord, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT account_id, course_id, formation_id, objective, rsa, job_seeker, subsidised,
		half_tariff_claim FROM candidatures WHERE session_id = $1 AND status = 'submitted' ORDER BY course_id, account_id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("selection input of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []domain.SelectionRecord
	for rows.Next() {
		var r domain.SelectionRecord
		if err := rows.Scan(&r.AccountID, &r.CourseID, &r.FormationID, &r.Objective, &r.Social.RSA, &r.Social.JobSeeker,
			&r.Social.Subsidised, &r.HalfTariffClaim); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
