package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// SelectionCandidature is one active candidature as a selection run reads it
// (SEL-1, SEL-3): the person, the course chosen, the social situation, the
// objective, the test result if any. Nothing says when it was submitted
// (PER-2).
type SelectionCandidature struct {
	ID, AccountID, CourseID, FormationID int64
	Status                               domain.CandidatureStatus
	Objective                            domain.Objective
	Social                               domain.SocialSituation
	HasResult                            bool
	Result                               domain.TestResult
	Convoked                             bool
	// AcceptedBefore: the person was accepted in the same formation in an
	// earlier session (the previous record, SEL-1).
	AcceptedBefore bool
	// Certified: the person holds the certificate of the formation's
	// previous level (CER-2); Failures counts their failed or missed
	// evaluations in this formation (SEL-7). Both are results of previous
	// levels that SEL-1 weighs.
	Certified bool
	Failures  int
	// Assiduous: the person attended 75 % or more (ATT-2: minutes present,
	// late included, over the minutes of the meetings held and marked) of
	// another course of the same formation or of its previous level — the
	// attendance SEL-1 weighs, read from the registers.
	Assiduous bool
	// AcceptsRedirect: the candidate accepts an equivalent course if theirs
	// is full (SEL-5).
	AcceptsRedirect bool
}

// SelectionFormation is a formation of a session as a run reads it.
type SelectionFormation struct {
	ID               int64
	Title            string
	Evaluation       domain.EvaluationMode
	MinSocialPercent int
	// PrerequisiteFormationID is the previous level whose certificate the
	// formation asks for (CER-2), 0 when none.
	PrerequisiteFormationID int64
}

// SelectionCandidatures reads the session's candidatures in the given
// statuses, ordered by person then formation (never by submission, PER-2).
func (s *Store) SelectionCandidatures(ctx context.Context, sessionID int64, statuses ...domain.CandidatureStatus) ([]SelectionCandidature, error) {
	st := make([]string, len(statuses))
	for i, x := range statuses {
		st[i] = string(x)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.account_id, c.course_id, c.formation_id, c.status, c.objective,
		c.rsa, c.job_seeker, c.subsidised, r.result IS NOT NULL, COALESCE(r.result, ''), COALESCE(r.score, 0),
		COALESCE(r.placed_level, 0), COALESCE(r.needs_decision, `+s.falseLit()+`),
		EXISTS (SELECT 1 FROM convocations v WHERE v.candidature_id = c.id),
		EXISTS (SELECT 1 FROM candidatures p JOIN sessions ps ON ps.id = p.session_id JOIN sessions cs ON cs.id = c.session_id
			WHERE p.account_id = c.account_id AND p.formation_id = c.formation_id AND p.id <> c.id
			AND p.status = 'accepted' AND ps.first_day < cs.first_day),
		c.accepts_redirect,
		EXISTS (SELECT 1 FROM certificates ce JOIN formations f ON f.id = c.formation_id
			WHERE ce.account_id = c.account_id AND ce.formation_id = f.prerequisite_formation_id),
		(SELECT COUNT(*) FROM evaluation_results er JOIN candidatures p ON p.id = er.candidature_id
			WHERE p.account_id = c.account_id AND p.formation_id = c.formation_id AND er.result IN ('failed', 'absent')),
		EXISTS (SELECT 1 FROM candidatures p JOIN formations cf ON cf.id = c.formation_id
			WHERE p.account_id = c.account_id AND p.id <> c.id
			AND (p.formation_id = c.formation_id OR p.formation_id = cf.prerequisite_formation_id)
			AND (SELECT 4 * SUM(CASE WHEN k.mark IN ('present', 'late') THEN m.minutes ELSE 0 END) - 3 * SUM(m.minutes)
				FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id
				WHERE k.candidature_id = p.id AND NOT m.cancelled) >= 0)
		FROM candidatures c LEFT JOIN test_results r ON r.candidature_id = c.id
		WHERE c.session_id = $1 AND c.status `+s.inList(2, "text")+`
		ORDER BY c.account_id, c.formation_id`, sessionID, s.listArg(st))
	if err != nil {
		return nil, fmt.Errorf("selection candidatures of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []SelectionCandidature
	for rows.Next() {
		var c SelectionCandidature
		if err := rows.Scan(&c.ID, &c.AccountID, &c.CourseID, &c.FormationID, &c.Status, &c.Objective, &c.Social.RSA,
			&c.Social.JobSeeker, &c.Social.Subsidised, &c.HasResult, &c.Result.Kind, &c.Result.Score, &c.Result.PlacedLevel,
			&c.Result.NeedsDecision, &c.Convoked, &c.AcceptedBefore, &c.AcceptsRedirect, &c.Certified, &c.Failures,
			&c.Assiduous); err != nil {
			return nil, err
		}
		c.Result.CandidatureID = c.ID
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) trueLit() string {
	if s.db.Dialect == db.Postgres {
		return "true"
	}
	return "1"
}

func (s *Store) falseLit() string {
	if s.db.Dialect == db.Postgres {
		return "false"
	}
	return "0"
}

// SelectionFormations reads the formations that have courses in the session.
func (s *Store) SelectionFormations(ctx context.Context, sessionID int64) ([]SelectionFormation, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT f.id, f.title, f.evaluation, f.min_social_percent,
		COALESCE(f.prerequisite_formation_id, 0) FROM formations f
		WHERE EXISTS (SELECT 1 FROM courses c WHERE c.formation_id = f.id AND c.session_id = $1) ORDER BY f.id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("selection formations of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []SelectionFormation
	for rows.Next() {
		var f SelectionFormation
		if err := rows.Scan(&f.ID, &f.Title, &f.Evaluation, &f.MinSocialPercent, &f.PrerequisiteFormationID); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SelectionCourses reads the session's courses, archived ones included (a
// candidature may still name one), by ID.
func (s *Store) SelectionCourses(ctx context.Context, sessionID int64) ([]domain.Course, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, code, formation_id, establishment_id, weekday, start_minute, end_minute,
		level, capacity, archived_at IS NOT NULL FROM courses WHERE session_id = $1 ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("selection courses of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []domain.Course
	for rows.Next() {
		var c domain.Course
		var weekday int
		if err := rows.Scan(&c.ID, &c.Code, &c.FormationID, &c.EstablishmentID, &weekday, &c.StartMinute, &c.EndMinute,
			&c.Level, &c.Capacity, &c.Archived); err != nil {
			return nil, err
		}
		c.Weekday, c.SessionID = time.Weekday(weekday), sessionID
		out = append(out, c)
	}
	return out, rows.Err()
}

// SelectionSession reads one session, drafts and archived ones included.
func (s *Store) SelectionSession(ctx context.Context, id int64) (domain.Session, error) {
	var se domain.Session
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		se, err = s.SessionTx(ctx, tx, id)
		return err
	})
	return se, err
}

// SelectionSessionByCode returns the ID of the session with this code.
func (s *Store) SelectionSessionByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id FROM sessions WHERE lower(code) = lower($1)`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("session %s: %w", code, ErrNotFound)
	}
	return id, err
}

// PublishedRunOf reports whether a run of the session's pass is published.
func (s *Store) PublishedRunOf(ctx context.Context, sessionID int64, pass domain.RunPass) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id FROM selection_runs WHERE session_id = $1 AND pass = $2 AND status = 'published'`,
		sessionID, string(pass)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// FinishRunInput is FinishRun that also keeps the input the engine was given
// (compressed, see package selection), in the same transaction, so that the run can be verified.
// also, when set, writes in the same transaction (the run's audit event).
func (s *Store) FinishRunInput(ctx context.Context, runID int64, digest, summary string, outcomes []domain.RunOutcome,
	input []byte, now time.Time, also func(ctx context.Context, tx *sql.Tx) error) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.finishRunTx(ctx, tx, runID, digest, summary, outcomes, now); err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx, tx); err != nil {
				return err
			}
		}
		if input == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO selection_run_inputs (run_id, input) VALUES ($1, $2)`, runID, input); err != nil {
			return fmt.Errorf("keep the input of run %d: %w", runID, err)
		}
		return nil
	})
}

// RunInput reads the input a run kept (nil when it kept none).
func (s *Store) RunInput(ctx context.Context, runID int64) ([]byte, error) {
	var b []byte
	err := s.db.R.QueryRowContext(ctx, `SELECT input FROM selection_run_inputs WHERE run_id = $1`, runID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// PublishedCandidature is a candidature a publication changed: what the
// email to its person says.
type PublishedCandidature struct {
	ID, AccountID, FormationID, CourseID int64
	Outcome                              domain.RunOutcome
}

// PublishRunTx publishes a dry run in the caller's transaction (PER-1): the
// run becomes published; every candidature it decided that is still in the
// status the pass decides (submitted for the main pass; submitted or
// first_day_test for the placement pass — cancelled ones are skipped) gets
// its new status, accepted course and deciding run, a line in its history,
// and its places on the live waiting lists. It returns how many candidatures
// changed and their persons' accounts, in order, once each. already is true
// when the run was published before: nothing is done again. Another run of
// the session's pass already published gives ErrAlreadyPublished.
func (s *Store) PublishRunTx(ctx context.Context, tx *sql.Tx, runID, actor int64, now time.Time) (changed int, accounts []int64, already bool, err error) {
	var status domain.RunStatus
	var pass domain.RunPass
	var sessionID int64
	// The row is locked (PostgreSQL) or the writer held (SQLite) by this
	// update's attempt: a second publication of the same run waits, then
	// sees it published.
	res, err := tx.ExecContext(ctx, `UPDATE selection_runs SET status = 'published', published_by = $1, published_at = $2
		WHERE id = $3 AND status = 'dry'`, actor, s.instantArg(now), runID)
	if err != nil {
		if isUniqueViolation(err) {
			return 0, nil, false, ErrAlreadyPublished
		}
		return 0, nil, false, fmt.Errorf("publish run %d: %w", runID, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT status, pass, session_id FROM selection_runs WHERE id = $1`, runID).Scan(&status, &pass, &sessionID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil, false, fmt.Errorf("selection run %d: %w", runID, ErrNotFound)
		}
		return 0, nil, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if status == domain.RunPublished {
			return 0, nil, true, nil
		}
		return 0, nil, false, fmt.Errorf("run %d is %s: %w", runID, status, ErrRunNotDry)
	}
	from := []string{string(domain.CandidatureSubmitted)}
	if pass == domain.PassPlacement {
		from = append(from, string(domain.CandidatureFirstDayTest))
	}
	if s.db.Dialect == db.Postgres {
		changed, accounts, err = s.publishCandidaturesPostgresTx(ctx, tx, runID, actor, now, from)
	} else {
		changed, accounts, err = s.publishCandidaturesTx(ctx, tx, runID, actor, now, from)
	}
	if err != nil {
		return 0, nil, false, err
	}
	return changed, accounts, false, nil
}

// publishNote is the line a publication writes in each history.
func publishNote(runID int64) string {
	return fmt.Sprintf("sélection publiée (traitement n° %d)", runID)
}

// publishCandidaturesTx gives the run's candidatures still in a status of
// from their outcome, their history line and their waiting places (SQLite).
func (s *Store) publishCandidaturesTx(ctx context.Context, tx *sql.Tx, runID, actor int64, now time.Time, from []string) (changed int, accounts []int64, err error) {
	// Set-based: one statement for the statuses, one for the history, one
	// for the waiting lists, whatever the number of candidatures. An
	// outcome's text is the status it gives (domain.Outcome.Status).
	rows, err := tx.QueryContext(ctx, `UPDATE candidatures SET status = o.outcome, accepted_course_id = o.course_id,
		decided_run_id = $1 FROM selection_outcomes o
		WHERE o.run_id = $1 AND o.candidature_id = candidatures.id AND candidatures.status `+s.inList(2, "text")+`
		RETURNING candidatures.account_id`, runID, s.listArg(from))
	if err != nil {
		return 0, nil, fmt.Errorf("publish the candidatures of run %d: %w", runID, err)
	}
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return 0, nil, err
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	changed = len(accounts)
	slices.Sort(accounts)
	accounts = slices.Compact(accounts)
	if _, err := tx.ExecContext(ctx, `INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
		SELECT c.id, $2, c.status, $3, $4 || CASE WHEN o.redirected THEN ' ; réorientation' ELSE '' END
		FROM candidatures c JOIN selection_outcomes o ON o.candidature_id = c.id AND o.run_id = $1 WHERE c.decided_run_id = $1`,
		runID, s.instantArg(now), nullID(actor), publishNote(runID)); err != nil {
		return 0, nil, fmt.Errorf("history of the candidatures of run %d: %w", runID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id)
		SELECT w.course_id, w.candidature_id, w.position, $1 FROM selection_waiting w
		JOIN candidatures c ON c.id = w.candidature_id AND c.decided_run_id = $1 WHERE w.run_id = $1
		ORDER BY w.course_id, w.candidature_id`, runID); err != nil {
		return 0, nil, fmt.Errorf("waiting lists of run %d: %w", runID, err)
	}
	return changed, accounts, nil
}

// publishCandidaturesPostgresTx is publishCandidaturesTx in one statement on
// PostgreSQL: the UPDATE's returned rows feed the history and the waiting
// lists directly, so the candidatures are neither scanned nor joined again
// (bench/README.md, "Publication at scale, second pass"). The live waiting
// lists are written in their primary key's order.
func (s *Store) publishCandidaturesPostgresTx(ctx context.Context, tx *sql.Tx, runID, actor int64, now time.Time, from []string) (changed int, accounts []int64, err error) {
	rows, err := tx.QueryContext(ctx, `WITH u AS (
		UPDATE candidatures SET status = o.outcome, accepted_course_id = o.course_id, decided_run_id = $1
		FROM selection_outcomes o
		WHERE o.run_id = $1 AND o.candidature_id = candidatures.id AND candidatures.status = ANY($2::text[])
		RETURNING candidatures.id, candidatures.account_id, candidatures.status, o.redirected),
	e AS (INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
		SELECT u.id, $3, u.status, $4, $5 || CASE WHEN u.redirected THEN ' ; réorientation' ELSE '' END FROM u),
	w AS (INSERT INTO waiting_list (course_id, candidature_id, position, run_id)
		SELECT w.course_id, w.candidature_id, w.position, $1 FROM selection_waiting w
		JOIN u ON u.id = w.candidature_id WHERE w.run_id = $1 ORDER BY w.course_id, w.candidature_id)
	SELECT account_id, count(*) FROM u GROUP BY account_id ORDER BY account_id`,
		runID, s.listArg(from), s.instantArg(now), nullID(actor), publishNote(runID))
	if err != nil {
		return 0, nil, fmt.Errorf("publish the candidatures of run %d: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a int64
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			return 0, nil, err
		}
		accounts = append(accounts, a)
		changed += n
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("publish the candidatures of run %d: %w", runID, err)
	}
	return changed, accounts, nil
}

// PublishedOutcomes reads what the outcomes email of a published run says
// to one person: their first name and the candidatures the run's
// publication decided, by ID, with their outcomes and waiting places. A
// candidature decided again since by a later published run of the session
// (a placement after a first-day test) is still one of them; one the
// publication skipped (cancelled before) is not.
func (s *Store) PublishedOutcomes(ctx context.Context, runID, accountID int64) (firstName string, out []PublishedCandidature, err error) {
	if err := s.db.R.QueryRowContext(ctx, `SELECT first_name FROM accounts WHERE id = $1`, accountID).Scan(&firstName); err != nil {
		return "", nil, fmt.Errorf("account %d: %w", accountID, err)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.formation_id, c.course_id, o.outcome, COALESCE(o.course_id, 0),
		o.redirected, o.placed, o.gate
		FROM candidatures c JOIN selection_outcomes o ON o.run_id = $1 AND o.candidature_id = c.id
		WHERE c.account_id = $2 AND (c.decided_run_id = $1 OR c.decided_run_id IN (SELECT l.id FROM selection_runs l
			JOIN selection_runs r ON r.id = $1 AND l.session_id = r.session_id
			WHERE l.id <> r.id AND l.status = 'published' AND l.published_at >= r.published_at))
		ORDER BY c.id`, runID, accountID)
	if err != nil {
		return "", nil, fmt.Errorf("outcomes of run %d for %d: %w", runID, accountID, err)
	}
	defer rows.Close()
	at := map[int64]int{}
	for rows.Next() {
		p := PublishedCandidature{AccountID: accountID, Outcome: domain.RunOutcome{RunID: runID}}
		if err := rows.Scan(&p.ID, &p.FormationID, &p.CourseID, &p.Outcome.Outcome, &p.Outcome.CourseID, &p.Outcome.Redirected,
			&p.Outcome.Placed, &p.Outcome.Gate); err != nil {
			return "", nil, err
		}
		p.Outcome.CandidatureID = p.ID
		at[p.ID] = len(out)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return firstName, nil, nil
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	wrows, err := s.db.R.QueryContext(ctx, `SELECT candidature_id, course_id, position FROM selection_waiting
		WHERE run_id = $1 AND candidature_id `+s.inList(2, "bigint")+` ORDER BY candidature_id, position, course_id`, runID, s.listArg(ids))
	if err != nil {
		return "", nil, fmt.Errorf("waiting places of run %d for %d: %w", runID, accountID, err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var id int64
		var w domain.WaitingPlace
		if err := wrows.Scan(&id, &w.CourseID, &w.Position); err != nil {
			return "", nil, err
		}
		if i, ok := at[id]; ok {
			out[i].Outcome.Waiting = append(out[i].Outcome.Waiting, w)
		}
	}
	return firstName, out, wrows.Err()
}

// ErrRunNotDry: only a dry run can be published.
var ErrRunNotDry = errors.New("the run is not a dry run")

// ResultsNeedingDecision counts, per formation of the session, the test
// results changed after the run that used them was published.
func (s *Store) ResultsNeedingDecision(ctx context.Context, sessionID int64) (map[int64]int, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.formation_id, COUNT(*) FROM test_results r
		JOIN candidatures c ON c.id = r.candidature_id WHERE c.session_id = $1 AND r.needs_decision = `+s.trueLit()+`
		GROUP BY c.formation_id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("results needing a decision in session %d: %w", sessionID, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var f int64
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			return nil, err
		}
		out[f] = n
	}
	return out, rows.Err()
}
