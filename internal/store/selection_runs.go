package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// ErrRunInProgress refuses a second run of a session while one is running:
// the unique index on the running run holds it across instances.
var ErrRunInProgress = errors.New("a selection run of this session is already running")

// ErrAlreadyPublished refuses to publish a second run of a session's pass.
var ErrAlreadyPublished = errors.New("another run of this session is already published")

const runColumns = `id, session_id, pass, status, seed, digest, started_by, started_at, heartbeat_at, finished_at,
	COALESCE(published_by, 0), published_at, progress, done, total, error, summary`

func scanRun(row rowScanner) (domain.Run, error) {
	var r domain.Run
	var seed string
	err := row.Scan(&r.ID, &r.SessionID, &r.Pass, &r.Status, &seed, &r.Digest, &r.StartedBy, timeCol{&r.StartedAt},
		timeCol{&r.HeartbeatAt}, nullTime{&r.FinishedAt}, &r.PublishedBy, nullTime{&r.PublishedAt}, &r.Progress, &r.Done,
		&r.Total, &r.Error, &r.Summary)
	if err != nil {
		return r, err
	}
	// The seed is kept as decimal text: a uint64 does not fit PostgreSQL's BIGINT.
	if r.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return r, fmt.Errorf("run %d: seed %q: %w", r.ID, seed, err)
	}
	return r, nil
}

// StartRun records a new running run, or returns ErrRunInProgress when one of
// the session is running and alive. A running run whose heartbeat is older
// than staleBefore belonged to an instance that died (SIGKILL): it is marked
// failed in the same transaction, and the new run goes ahead.
func (s *Store) StartRun(ctx context.Context, sessionID int64, pass domain.RunPass, seed uint64, startedBy int64,
	now, staleBefore time.Time) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE selection_runs SET status = 'failed', finished_at = $1,
			error = 'abandoned: its instance stopped answering'
			WHERE session_id = $2 AND status = 'running' AND heartbeat_at < $3`,
			s.instantArg(now), sessionID, s.instantArg(staleBefore)); err != nil {
			return fmt.Errorf("abandon stale runs of session %d: %w", sessionID, err)
		}
		var running int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM selection_runs WHERE session_id = $1 AND status = 'running'`,
			sessionID).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return ErrRunInProgress
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO selection_runs (session_id, pass, status, seed, started_by, started_at, heartbeat_at)
			VALUES ($1, $2, 'running', $3, $4, $5, $5) RETURNING id`,
			sessionID, string(pass), strconv.FormatUint(seed, 10), startedBy, s.instantArg(now)).Scan(&id)
		if err != nil && isUniqueViolation(err) {
			return ErrRunInProgress
		}
		return err
	})
	return id, err
}

// isUniqueViolation reports whether err is a unique-index violation, on
// either engine.
func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// RunHeartbeat records how far a running run is; it also keeps the run alive
// for StartRun's stale check.
func (s *Store) RunHeartbeat(ctx context.Context, runID int64, progress string, done, total int, now time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE selection_runs SET progress = $1, done = $2, total = $3, heartbeat_at = $4
		WHERE id = $5 AND status = 'running'`, progress, done, total, s.instantArg(now), runID)
	if err != nil {
		return fmt.Errorf("heartbeat of run %d: %w", runID, err)
	}
	return nil
}

// FailRun ends a running run with an error; nothing it decided is kept.
func (s *Store) FailRun(ctx context.Context, runID int64, msg string, now time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE selection_runs SET status = 'failed', error = $1, finished_at = $2
		WHERE id = $3 AND status = 'running'`, msg, s.instantArg(now), runID)
	if err != nil {
		return fmt.Errorf("fail run %d: %w", runID, err)
	}
	return nil
}

// FinishRun stores every outcome of a run and its waiting positions, and
// makes it a dry run, in one transaction: a run killed before the commit
// leaves nothing half written, only a running row that StartRun abandons.
func (s *Store) FinishRun(ctx context.Context, runID int64, digest, summary string, outcomes []domain.RunOutcome, now time.Time) error {
	return s.FinishRunInput(ctx, runID, digest, summary, outcomes, nil, now, nil)
}

func (s *Store) finishRunTx(ctx context.Context, tx *sql.Tx, runID int64, digest, summary string, outcomes []domain.RunOutcome, now time.Time) error {
	{
		res, err := tx.ExecContext(ctx, `UPDATE selection_runs SET status = 'dry', digest = $1, summary = $2, finished_at = $3,
			heartbeat_at = $3, done = total WHERE id = $4 AND status = 'running'`, digest, summary, s.instantArg(now), runID)
		if err != nil {
			return fmt.Errorf("finish run %d: %w", runID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("finish run %d: %w", runID, ErrRunNotRunning)
		}
		if s.db.Dialect == db.Postgres {
			return s.insertOutcomesPostgres(ctx, tx, runID, outcomes)
		}
		return s.insertOutcomesSQLite(ctx, tx, runID, outcomes)
	}
}

// ErrRunNotRunning: the run was ended meanwhile (abandoned as stale, or failed).
var ErrRunNotRunning = errors.New("the run is no longer running")

func removedText(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}

func parseRemoved(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// insertOutcomesSQLite writes row by row: SQLite runs in the process and keeps
// its compiled statements, so a row's insert costs little.
func (s *Store) insertOutcomesSQLite(ctx context.Context, tx *sql.Tx, runID int64, outcomes []domain.RunOutcome) error {
	out, err := tx.PrepareContext(ctx, `INSERT INTO selection_outcomes (run_id, candidature_id, outcome, course_id, redirected,
		placed, gate, evaluation, social, record, motivation, lottery, removed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`)
	if err != nil {
		return err
	}
	defer out.Close()
	wait, err := tx.PrepareContext(ctx, `INSERT INTO selection_waiting (run_id, candidature_id, course_id, position) VALUES ($1, $2, $3, $4)`)
	if err != nil {
		return err
	}
	defer wait.Close()
	for i := range outcomes {
		o := &outcomes[i]
		if _, err := out.ExecContext(ctx, runID, o.CandidatureID, string(o.Outcome), nullID(o.CourseID), o.Redirected, o.Placed,
			o.Gate, o.Evaluation, o.Social, o.Record, o.Motivation, strconv.FormatUint(o.Lottery, 10), removedText(o.Removed)); err != nil {
			return fmt.Errorf("store outcome of candidature %d: %w", o.CandidatureID, err)
		}
		for _, w := range o.Waiting {
			if _, err := wait.ExecContext(ctx, runID, o.CandidatureID, w.CourseID, w.Position); err != nil {
				return fmt.Errorf("store waiting place of candidature %d: %w", o.CandidatureID, err)
			}
		}
	}
	return nil
}

// outcomeChunk is how many outcomes one PostgreSQL statement writes.
const outcomeChunk = 20000

// insertOutcomesPostgres writes chunks of rows as arrays through unnest: one
// round trip per chunk instead of one per row.
func (s *Store) insertOutcomesPostgres(ctx context.Context, tx *sql.Tx, runID int64, outcomes []domain.RunOutcome) error {
	for len(outcomes) > 0 {
		chunk := outcomes[:min(outcomeChunk, len(outcomes))]
		outcomes = outcomes[len(chunk):]
		n := len(chunk)
		cand, course := make([]int64, n), make([]*int64, n)
		kind, gate, lottery, removed := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		redirected, placed := make([]bool, n), make([]bool, n)
		eval, social, record, motivation := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		var wCand, wCourse []int64
		var wPos []int32
		for i := range chunk {
			o := &chunk[i]
			cand[i], kind[i], gate[i] = o.CandidatureID, string(o.Outcome), o.Gate
			if o.CourseID != 0 {
				course[i] = &o.CourseID
			}
			redirected[i], placed[i] = o.Redirected, o.Placed
			eval[i], social[i], record[i], motivation[i] = int32(o.Evaluation), int32(o.Social), int32(o.Record), int32(o.Motivation)
			lottery[i], removed[i] = strconv.FormatUint(o.Lottery, 10), removedText(o.Removed)
			for _, w := range o.Waiting {
				wCand, wCourse, wPos = append(wCand, o.CandidatureID), append(wCourse, w.CourseID), append(wPos, int32(w.Position))
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO selection_outcomes (run_id, candidature_id, outcome, course_id, redirected,
			placed, gate, evaluation, social, record, motivation, lottery, removed)
			SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::boolean[], $6::boolean[], $7::text[],
				$8::int[], $9::int[], $10::int[], $11::int[], $12::text[], $13::text[])`,
			runID, cand, kind, course, redirected, placed, gate, eval, social, record, motivation, lottery, removed); err != nil {
			return fmt.Errorf("store %d outcomes of run %d: %w", n, runID, err)
		}
		if len(wCand) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO selection_waiting (run_id, candidature_id, course_id, position)
				SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::int[])`, runID, wCand, wCourse, wPos); err != nil {
				return fmt.Errorf("store waiting places of run %d: %w", runID, err)
			}
		}
	}
	return nil
}

// Run reads one run.
func (s *Store) Run(ctx context.Context, id int64) (domain.Run, error) {
	r, err := scanRun(s.db.R.QueryRowContext(ctx, `SELECT `+runColumns+` FROM selection_runs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("selection run %d: %w", id, ErrNotFound)
	}
	return r, err
}

// Runs lists a session's runs, newest first.
func (s *Store) Runs(ctx context.Context, sessionID int64) ([]domain.Run, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+runColumns+` FROM selection_runs WHERE session_id = $1 ORDER BY id DESC`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("runs of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []domain.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RunOutcomes reads a run's outcomes with their waiting places, by
// candidature ID; candidatureIDs narrows them (all when empty).
func (s *Store) RunOutcomes(ctx context.Context, runID int64, candidatureIDs ...int64) ([]domain.RunOutcome, error) {
	q := `SELECT run_id, candidature_id, outcome, COALESCE(course_id, 0), redirected, placed, gate, evaluation, social, record,
		motivation, lottery, removed FROM selection_outcomes WHERE run_id = $1`
	wq := `SELECT candidature_id, course_id, position FROM selection_waiting WHERE run_id = $1`
	args := []any{runID}
	if len(candidatureIDs) > 0 {
		q += ` AND candidature_id ` + s.inList(2, "bigint")
		wq += ` AND candidature_id ` + s.inList(2, "bigint")
		args = append(args, s.listArg(candidatureIDs))
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY candidature_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("outcomes of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []domain.RunOutcome
	index := map[int64]int{}
	for rows.Next() {
		var o domain.RunOutcome
		var lottery, removed string
		if err := rows.Scan(&o.RunID, &o.CandidatureID, &o.Outcome, &o.CourseID, &o.Redirected, &o.Placed, &o.Gate, &o.Evaluation,
			&o.Social, &o.Record, &o.Motivation, &lottery, &removed); err != nil {
			return nil, err
		}
		o.Lottery, _ = strconv.ParseUint(lottery, 10, 64)
		o.Removed = parseRemoved(removed)
		index[o.CandidatureID] = len(out)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	wrows, err := s.db.R.QueryContext(ctx, wq+` ORDER BY candidature_id, position, course_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("waiting places of run %d: %w", runID, err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var cand int64
		var w domain.WaitingPlace
		if err := wrows.Scan(&cand, &w.CourseID, &w.Position); err != nil {
			return nil, err
		}
		if i, ok := index[cand]; ok {
			out[i].Waiting = append(out[i].Waiting, w)
		}
	}
	return out, wrows.Err()
}
