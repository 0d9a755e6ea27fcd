package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// The sittings of tests and interviews, their convocations and results
// (SEL-2, SEL-3).

const sittingColumns = `id, session_id, formation_id, establishment_id, room, starts_at, minutes, seats, created_by, created_at,
	convoked_at`

func scanSitting(row rowScanner) (domain.Sitting, error) {
	var s domain.Sitting
	err := row.Scan(&s.ID, &s.SessionID, &s.FormationID, &s.EstablishmentID, &s.Room, timeCol{&s.StartsAt}, &s.Minutes,
		&s.Seats, &s.CreatedBy, timeCol{&s.CreatedAt}, nullTime{&s.ConvokedAt})
	return s, err
}

// Sittings lists a session's sittings (of one formation when formationID is
// not 0), by date.
func (s *Store) Sittings(ctx context.Context, tx *sql.Tx, sessionID, formationID int64) ([]domain.Sitting, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT `+sittingColumns+` FROM test_sittings
		WHERE session_id = $1 AND ($2 = 0 OR formation_id = $2) ORDER BY starts_at, id`, sessionID, formationID)
	if err != nil {
		return nil, fmt.Errorf("sittings of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []domain.Sitting
	for rows.Next() {
		st, err := scanSitting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Sitting reads one sitting (in tx when given).
func (s *Store) Sitting(ctx context.Context, tx *sql.Tx, id int64) (domain.Sitting, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	st, err := scanSitting(q.QueryRowContext(ctx, `SELECT `+sittingColumns+` FROM test_sittings WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("sitting %d: %w", id, ErrNotFound)
	}
	return st, err
}

// InsertSittingTx records a new sitting and sets its ID.
func (s *Store) InsertSittingTx(ctx context.Context, tx *sql.Tx, st *domain.Sitting) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO test_sittings (session_id, formation_id, establishment_id, room, starts_at,
		minutes, seats, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		st.SessionID, st.FormationID, st.EstablishmentID, st.Room, s.instantArg(st.StartsAt), st.Minutes, st.Seats,
		st.CreatedBy, s.instantArg(st.CreatedAt)).Scan(&st.ID)
	if err != nil {
		return fmt.Errorf("insert sitting: %w", err)
	}
	return nil
}

// ErrSittingConvoked refuses a change to a sitting whose convocations are
// sent: its date is fixed (SEL-2).
var ErrSittingConvoked = errors.New("the sitting's convocations are sent")

// UpdateSittingTx changes a sitting not yet convoked.
func (s *Store) UpdateSittingTx(ctx context.Context, tx *sql.Tx, st domain.Sitting) error {
	res, err := tx.ExecContext(ctx, `UPDATE test_sittings SET establishment_id = $1, room = $2, starts_at = $3, minutes = $4,
		seats = $5 WHERE id = $6 AND convoked_at IS NULL`, st.EstablishmentID, st.Room, s.instantArg(st.StartsAt), st.Minutes,
		st.Seats, st.ID)
	if err != nil {
		return fmt.Errorf("update sitting %d: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrSittingConvoked
	}
	return nil
}

// DeleteSittingTx deletes a sitting not yet convoked.
func (s *Store) DeleteSittingTx(ctx context.Context, tx *sql.Tx, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM test_sittings WHERE id = $1 AND convoked_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM convocations WHERE sitting_id = $1)`, id)
	if err != nil {
		return fmt.Errorf("delete sitting %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrSittingConvoked
	}
	return nil
}

// MarkSittingConvokedTx records when a sitting's convocations were first sent.
func (s *Store) MarkSittingConvokedTx(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE test_sittings SET convoked_at = $1 WHERE id = $2 AND convoked_at IS NULL`,
		s.instantArg(at), id)
	if err != nil {
		return fmt.Errorf("mark sitting %d convoked: %w", id, err)
	}
	return nil
}

// Convokee is a candidature of a tested formation as its convocation and
// result see it: the candidate, the course, the convocation if sent, the
// result if entered.
type Convokee struct {
	CandidatureID, AccountID, CourseID, EstablishmentID int64
	Status                                              domain.CandidatureStatus
	FirstName, LastName, Email                          string
	Convocation                                         domain.Convocation // CandidatureID 0 when none
	Result                                              domain.TestResult  // Kind "" when none
}

// Convokees lists the candidatures of a formation in a session that are
// submitted or already convoked (every status but cancelled), by name (no
// submission order, PER-2), with their convocation and result. With
// sittingID > 0, only those convoked to that sitting; with courseID > 0, only
// those of that course.
func (s *Store) Convokees(ctx context.Context, tx *sql.Tx, sessionID, formationID, sittingID, courseID int64) ([]Convokee, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.account_id, c.course_id, co.establishment_id, c.status,
		a.first_name, a.last_name, a.email,
		COALESCE(v.candidature_id, 0), COALESCE(v.sitting_id, 0), COALESCE(v.course_id, 0), v.at, COALESCE(v.place, ''),
		v.sent_at, COALESCE(v.message_id, 0),
		COALESCE(r.result, ''), COALESCE(r.score, 0), COALESCE(r.placed_level, 0), COALESCE(r.entered_by, 0), r.entered_at,
		COALESCE(r.needs_decision, FALSE)
		FROM candidatures c JOIN accounts a ON a.id = c.account_id JOIN courses co ON co.id = c.course_id
		LEFT JOIN convocations v ON v.candidature_id = c.id LEFT JOIN test_results r ON r.candidature_id = c.id
		WHERE c.session_id = $1 AND c.formation_id = $2 AND c.status <> 'cancelled'
		AND (c.status = 'submitted' OR v.candidature_id IS NOT NULL)
		AND ($3 = 0 OR v.sitting_id = $3) AND ($4 = 0 OR c.course_id = $4)
		ORDER BY a.last_name, a.first_name, c.id`, sessionID, formationID, sittingID, courseID)
	if err != nil {
		return nil, fmt.Errorf("convokees of formation %d: %w", formationID, err)
	}
	defer rows.Close()
	var out []Convokee
	for rows.Next() {
		var k Convokee
		if err := rows.Scan(&k.CandidatureID, &k.AccountID, &k.CourseID, &k.EstablishmentID, &k.Status, &k.FirstName,
			&k.LastName, &k.Email, &k.Convocation.CandidatureID, &k.Convocation.SittingID, &k.Convocation.CourseID,
			nullTime{&k.Convocation.At}, &k.Convocation.Place, nullTime{&k.Convocation.SentAt}, &k.Convocation.MessageID,
			&k.Result.Kind, &k.Result.Score, &k.Result.PlacedLevel, &k.Result.EnteredBy, nullTime{&k.Result.EnteredAt},
			&k.Result.NeedsDecision); err != nil {
			return nil, err
		}
		if k.Result.Kind != "" {
			k.Result.CandidatureID = k.CandidatureID
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// SittingUse is how many convocations a sitting holds.
func (s *Store) SittingUse(ctx context.Context, tx *sql.Tx, sessionID int64) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT v.sitting_id, COUNT(*) FROM convocations v JOIN test_sittings t ON t.id = v.sitting_id
		WHERE t.session_id = $1 GROUP BY v.sitting_id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("sitting use of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// InsertConvocationTx records a candidature's convocation; a second one for
// the same candidature is refused by the primary key (never convoked twice).
func (s *Store) InsertConvocationTx(ctx context.Context, tx *sql.Tx, c domain.Convocation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO convocations (candidature_id, sitting_id, course_id, at, place, sent_at, message_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.CandidatureID, nullID(c.SittingID), c.CourseID, s.instantArg(c.At), c.Place,
		s.instantArg(c.SentAt), nullID(c.MessageID))
	if err != nil {
		return fmt.Errorf("insert convocation of candidature %d: %w", c.CandidatureID, err)
	}
	return nil
}

// ConvocationOf reads a candidature's convocation, with ok false when none.
func (s *Store) ConvocationOf(ctx context.Context, candidatureID int64) (domain.Convocation, bool, error) {
	var c domain.Convocation
	err := s.db.R.QueryRowContext(ctx, `SELECT candidature_id, COALESCE(sitting_id, 0), course_id, at, place, sent_at,
		COALESCE(message_id, 0) FROM convocations WHERE candidature_id = $1`, candidatureID).Scan(&c.CandidatureID,
		&c.SittingID, &c.CourseID, timeCol{&c.At}, &c.Place, timeCol{&c.SentAt}, &c.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("convocation of candidature %d: %w", candidatureID, err)
	}
	return c, true, nil
}

// ConvocationsOfAccount reads the convocations of a person's candidatures,
// by candidature.
func (s *Store) ConvocationsOfAccount(ctx context.Context, accountID int64) (map[int64]domain.Convocation, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT v.candidature_id, COALESCE(v.sitting_id, 0), v.course_id, v.at, v.place,
		v.sent_at, COALESCE(v.message_id, 0) FROM convocations v JOIN candidatures c ON c.id = v.candidature_id
		WHERE c.account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("convocations of %d: %w", accountID, err)
	}
	defer rows.Close()
	out := map[int64]domain.Convocation{}
	for rows.Next() {
		var c domain.Convocation
		if err := rows.Scan(&c.CandidatureID, &c.SittingID, &c.CourseID, timeCol{&c.At}, &c.Place, timeCol{&c.SentAt},
			&c.MessageID); err != nil {
			return nil, err
		}
		out[c.CandidatureID] = c
	}
	return out, rows.Err()
}

// UpsertResultTx records or replaces a candidature's result.
func (s *Store) UpsertResultTx(ctx context.Context, tx *sql.Tx, r domain.TestResult) error {
	var score, level any
	if r.Kind == domain.ResultScore {
		score = r.Score
	}
	if r.Kind != domain.ResultAbsent {
		level = r.PlacedLevel
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at,
		needs_decision) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (candidature_id) DO UPDATE SET result = excluded.result, score = excluded.score,
		placed_level = excluded.placed_level, entered_by = excluded.entered_by, entered_at = excluded.entered_at,
		needs_decision = excluded.needs_decision`, r.CandidatureID, string(r.Kind), score, level, r.EnteredBy,
		s.instantArg(r.EnteredAt), r.NeedsDecision)
	if err != nil {
		return fmt.Errorf("record result of candidature %d: %w", r.CandidatureID, err)
	}
	return nil
}

// SessionHasPublishedRun reports whether a run of the session is published.
func (s *Store) SessionHasPublishedRun(ctx context.Context, tx *sql.Tx, sessionID int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM selection_runs WHERE session_id = $1 AND status = 'published'`,
		sessionID).Scan(&n); err != nil {
		return false, fmt.Errorf("published runs of session %d: %w", sessionID, err)
	}
	return n > 0, nil
}

// WithdrawCandidatureTx makes an active candidature withdrawn (désistement,
// SEL-2) with its history line; it reports whether it changed.
func (s *Store) WithdrawCandidatureTx(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor int64, note string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE candidatures SET status = 'withdrawn' WHERE id = $1 AND status IN `+activeStatusesSQL, id)
	if err != nil {
		return false, fmt.Errorf("withdraw candidature %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, s.InsertCandidatureEvent(ctx, tx, id, at, domain.CandidatureWithdrawn, actor, note)
}

// LockFormationTx serialises the convocations of a formation: on PostgreSQL
// the formation's row is locked until the transaction ends, so that two
// instances sending at once never convoke one candidature twice nor give one
// seat twice; SQLite's single writer already serialises them.
func (s *Store) LockFormationTx(ctx context.Context, tx *sql.Tx, formationID int64) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM formations WHERE id = $1 FOR UPDATE`, formationID).Scan(&id); err != nil {
		return fmt.Errorf("lock formation %d: %w", formationID, err)
	}
	return nil
}
