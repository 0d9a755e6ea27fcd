package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"cma/internal/domain"
)

// The reads of the selection's explanations and fairness report (SEL-1,
// SEL-3, SEL-5, CAN-3): a candidature with where its decision stands, its
// test result, the priorities of those a run accepted in some courses, every
// outcome of a run with the candidature's formation and chosen course, and
// the formations' minimum social rates.

// CandidatureDecision is a candidature as its explanation needs it: who, the
// course chosen with its formation and establishment (the staff's scope), and
// the published run that decided it, if any.
type CandidatureDecision struct {
	ID, AccountID, CourseID, FormationID, SessionID, EstablishmentID int64
	Status                                                           domain.CandidatureStatus
	AcceptedCourseID                                                 int64
	DecidedRunID                                                     int64 // 0 until a published run decided it
	MinSocialPercent                                                 int   // the formation's minimum social rate
	AcceptsRedirect                                                  bool  // the candidate's answer (SEL-5)
}

// CandidatureDecision reads one candidature's decision context.
func (s *Store) CandidatureDecision(ctx context.Context, id int64) (CandidatureDecision, error) {
	var c CandidatureDecision
	err := s.db.R.QueryRowContext(ctx, `SELECT c.id, c.account_id, c.course_id, c.formation_id, c.session_id, co.establishment_id,
		c.status, COALESCE(c.accepted_course_id, 0), COALESCE(c.decided_run_id, 0), f.min_social_percent,
		c.accepts_redirect
		FROM candidatures c JOIN courses co ON co.id = c.course_id JOIN formations f ON f.id = c.formation_id
		WHERE c.id = $1`, id).Scan(&c.ID, &c.AccountID, &c.CourseID, &c.FormationID, &c.SessionID, &c.EstablishmentID,
		&c.Status, &c.AcceptedCourseID, &c.DecidedRunID, &c.MinSocialPercent, &c.AcceptsRedirect)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("candidature %d: %w", id, ErrNotFound)
	}
	return c, err
}

// LatestRunOf is the newest finished run (dry or published) holding an
// outcome for the candidature; 0 when none.
func (s *Store) LatestRunOf(ctx context.Context, candidatureID int64) (int64, error) {
	var id sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT MAX(o.run_id) FROM selection_outcomes o JOIN selection_runs r ON r.id = o.run_id
		WHERE o.candidature_id = $1 AND r.status IN ('dry', 'published')`, candidatureID).Scan(&id)
	return id.Int64, err
}

// CandidatureTestResult reads the result of a candidature's test or
// interview; false when there is none.
func (s *Store) CandidatureTestResult(ctx context.Context, candidatureID int64) (domain.TestResult, bool, error) {
	r := domain.TestResult{CandidatureID: candidatureID}
	var score, level sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT result, score, placed_level FROM test_results WHERE candidature_id = $1`,
		candidatureID).Scan(&r.Kind, &score, &level)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.Score, r.PlacedLevel = int(score.Int64), int(level.Int64)
	return r, err == nil, err
}

// LiveWaiting is the candidature's places on the live waiting lists (as the
// published run left them and the waiting lists moved them since).
func (s *Store) LiveWaiting(ctx context.Context, candidatureID int64) ([]domain.WaitingPlace, error) {
	// The position shown is the rank among those still waiting: it only moves
	// up, or stays, as those ahead leave the list (accepted, given up…).
	rows, err := s.db.R.QueryContext(ctx, `SELECT w.course_id,
		1 + (SELECT COUNT(*) FROM waiting_list a JOIN candidatures ac ON ac.id = a.candidature_id
			WHERE a.course_id = w.course_id
			AND (ac.status = 'waiting' OR (ac.status = 'accepted' AND ac.accepted_course_id <> a.course_id))
			AND (a.position < w.position OR (a.position = w.position AND a.candidature_id < w.candidature_id)))
		FROM waiting_list w WHERE w.candidature_id = $1 ORDER BY w.position, w.course_id`, candidatureID)
	if err != nil {
		return nil, fmt.Errorf("waiting places of candidature %d: %w", candidatureID, err)
	}
	defer rows.Close()
	var out []domain.WaitingPlace
	for rows.Next() {
		var w domain.WaitingPlace
		if err := rows.Scan(&w.CourseID, &w.Position); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// OutcomeRow is one outcome of a run with the candidature's formation and
// chosen course (the waiting places are not read).
type OutcomeRow struct {
	domain.RunOutcome
	FormationID, ChosenCourseID int64
}

// RunOutcomeRows reads a run's outcomes with their candidatures' formation
// and chosen course, by candidature ID; courseIDs, when given, narrows them
// to those accepted in one of these courses.
func (s *Store) RunOutcomeRows(ctx context.Context, runID int64, acceptedIn ...int64) ([]OutcomeRow, error) {
	q := `SELECT o.candidature_id, o.outcome, COALESCE(o.course_id, 0), o.redirected, o.placed, o.gate, o.evaluation, o.social,
		o.record, o.motivation, o.lottery, o.removed, c.formation_id, c.course_id
		FROM selection_outcomes o JOIN candidatures c ON c.id = o.candidature_id WHERE o.run_id = $1`
	args := []any{runID}
	if len(acceptedIn) > 0 {
		q += ` AND o.outcome = 'accepted' AND o.course_id ` + s.inList(2, "bigint")
		args = append(args, s.listArg(acceptedIn))
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY o.candidature_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("outcomes of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []OutcomeRow
	for rows.Next() {
		o := OutcomeRow{}
		o.RunID = runID
		var lottery, removed string
		if err := rows.Scan(&o.CandidatureID, &o.Outcome, &o.CourseID, &o.Redirected, &o.Placed, &o.Gate, &o.Evaluation, &o.Social,
			&o.Record, &o.Motivation, &lottery, &removed, &o.FormationID, &o.ChosenCourseID); err != nil {
			return nil, err
		}
		o.Lottery, _ = strconv.ParseUint(lottery, 10, 64)
		o.Removed = parseRemoved(removed)
		out = append(out, o)
	}
	return out, rows.Err()
}

// RunWaitingRows reads every waiting place of a run: candidature, course, position.
func (s *Store) RunWaitingRows(ctx context.Context, runID int64) (map[int64][]domain.WaitingPlace, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT candidature_id, course_id, position FROM selection_waiting WHERE run_id = $1`, runID)
	if err != nil {
		return nil, fmt.Errorf("waiting places of run %d: %w", runID, err)
	}
	defer rows.Close()
	out := map[int64][]domain.WaitingPlace{}
	for rows.Next() {
		var cand int64
		var w domain.WaitingPlace
		if err := rows.Scan(&cand, &w.CourseID, &w.Position); err != nil {
			return nil, err
		}
		out[cand] = append(out[cand], w)
	}
	return out, rows.Err()
}

// FormationMinSocial is every formation's minimum social rate (percent).
func (s *Store) FormationMinSocial(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, min_social_percent FROM formations`)
	if err != nil {
		return nil, fmt.Errorf("minimum social rates: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var pct int
		if err := rows.Scan(&id, &pct); err != nil {
			return nil, err
		}
		out[id] = pct
	}
	return out, rows.Err()
}

// SetFormationMinSocialTx sets a formation's minimum social rate and returns
// the one it had.
func (s *Store) SetFormationMinSocialTx(ctx context.Context, tx *sql.Tx, formationID int64, percent int) (int, error) {
	var old int
	err := tx.QueryRowContext(ctx, `SELECT min_social_percent FROM formations WHERE id = $1`, formationID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("formation %d: %w", formationID, ErrNotFound)
	} else if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE formations SET min_social_percent = $1 WHERE id = $2`, percent, formationID); err != nil {
		return 0, fmt.Errorf("set the minimum social rate of formation %d: %w", formationID, err)
	}
	return old, nil
}
