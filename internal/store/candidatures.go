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

// LockPerson serialises the changes of one person's candidatures: on
// PostgreSQL the account row is locked until the transaction ends; SQLite has a
// single writer, so its write transaction is already exclusive. Every rule that
// counts a person's candidatures (CAN-1, CAN-3) is checked under this lock.
func (s *Store) LockPerson(ctx context.Context, tx *sql.Tx, accountID int64) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, accountID).Scan(&id); err != nil {
		return fmt.Errorf("lock person %d: %w", accountID, err)
	}
	return nil
}

const candidatureColumns = `id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa, job_seeker,
	subsidised, rules_version, half_tariff_claim, COALESCE(proof_id, 0), COALESCE(assisted_by, 0), created_at, cancelled_at,
	COALESCE(validation_key, ''), COALESCE(accepted_course_id, 0), accepts_redirect`

// activeStatusesSQL is domain.ActiveStatuses as an SQL list: the statuses
// that hold a formation and a slot (CAN-1..3), as the unique index lists them.
const activeStatusesSQL = `('submitted', 'first_day_test', 'accepted', 'waiting')`

// ofOpenYears keeps, after a condition on candidatures, those of sessions
// not archived: a course of a year that is over holds no formation nor slot
// any more (CAN-1..3), its candidature stays as history.
const ofOpenYears = ` AND session_id NOT IN (SELECT id FROM sessions WHERE archived_at IS NOT NULL)`

func scanCandidature(row rowScanner) (domain.Candidature, error) {
	var c domain.Candidature
	err := row.Scan(&c.ID, &c.AccountID, &c.CourseID, &c.FormationID, &c.SessionID, &c.Status, &c.Objective, &c.Motivation,
		&c.Social.RSA, &c.Social.JobSeeker, &c.Social.Subsidised, &c.RulesVersion, &c.HalfTariffClaim, &c.ProofID, &c.AssistedBy,
		timeCol{&c.CreatedAt}, nullTime{&c.CancelledAt}, &c.ValidationKey, &c.AcceptedCourseID, &c.AcceptsRedirect)
	return c, err
}

// Candidatures lists a person's candidatures, newest first (inside a
// transaction when tx is given).
func (s *Store) Candidatures(ctx context.Context, tx *sql.Tx, accountID int64) ([]domain.Candidature, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT `+candidatureColumns+` FROM candidatures WHERE account_id = $1 ORDER BY id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list candidatures of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.Candidature
	for rows.Next() {
		c, err := scanCandidature(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Candidature reads one candidature (in tx when given).
func (s *Store) Candidature(ctx context.Context, tx *sql.Tx, id int64) (domain.Candidature, error) {
	c, err := scanCandidature(s.querier(tx).QueryRowContext(ctx, `SELECT `+candidatureColumns+` FROM candidatures WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("candidature %d: %w", id, ErrNotFound)
	}
	return c, err
}

// InsertValidation records a validation key; its primary key makes a second
// validation with the same key fail even when two instances race.
func (s *Store) InsertValidation(ctx context.Context, tx *sql.Tx, key string, accountID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO validations (key, account_id, created_at) VALUES ($1, $2, $3)`,
		key, accountID, s.instantArg(now)); err != nil {
		return fmt.Errorf("record validation: %w", err)
	}
	return nil
}

// InsertCandidature creates a candidature and its first history event.
func (s *Store) InsertCandidature(ctx context.Context, tx *sql.Tx, c *domain.Candidature, validationKey string, actor int64) error {
	args := []any{c.AccountID, c.CourseID, c.FormationID, c.SessionID, string(c.Status), string(c.Objective), c.Motivation,
		c.Social.RSA, c.Social.JobSeeker, c.Social.Subsidised, c.RulesVersion, c.HalfTariffClaim, nullID(c.ProofID),
		nullID(c.AssistedBy), validationKey, s.instantArg(c.CreatedAt), c.AcceptsRedirect}
	const insert = `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
		motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at,
		accepts_redirect)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`
	if err := tx.QueryRowContext(ctx, insert, args...).Scan(&c.ID); err != nil {
		return fmt.Errorf("insert candidature of %d for course %d: %w", c.AccountID, c.CourseID, err)
	}
	return s.InsertCandidatureEvent(ctx, tx, c.ID, c.CreatedAt, c.Status, actor, validatedNote(c))
}

// InsertCandidatureEvent appends to a candidature's history. The candidature
// id is read from the candidatures table in the INSERT: on PostgreSQL no
// foreign key checks it (migration 00005), and for a candidature that does
// not exist the NOT NULL constraint refuses the event.
func (s *Store) InsertCandidatureEvent(ctx context.Context, tx *sql.Tx, id int64, at time.Time, status domain.CandidatureStatus, actor int64, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
		VALUES ((SELECT id FROM candidatures WHERE id = $1), $2, $3, $4, $5)`, id, s.instantArg(at), string(status), nullID(actor), note)
	if err != nil {
		return fmt.Errorf("record event of candidature %d: %w", id, err)
	}
	return nil
}

// CancelCandidature marks a candidature cancelled if it is still submitted; it
// reports whether this call changed it (a second cancel changes nothing).
func (s *Store) CancelCandidature(ctx context.Context, tx *sql.Tx, id int64, at time.Time, actor int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE candidatures SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status = 'submitted'`,
		s.instantArg(at), id)
	if err != nil {
		return false, fmt.Errorf("cancel candidature %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, s.InsertCandidatureEvent(ctx, tx, id, at, domain.CandidatureCancelled, actor, "candidature annulée")
}

// CandidatureHistory lists the events of a person's candidatures, by candidature.
func (s *Store) CandidatureHistory(ctx context.Context, accountID int64) (map[int64][]domain.CandidatureEvent, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.candidature_id, e.at, e.status, e.note FROM candidature_events e
		JOIN candidatures c ON c.id = e.candidature_id WHERE c.account_id = $1 ORDER BY e.at, e.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("read candidature history of %d: %w", accountID, err)
	}
	defer rows.Close()
	out := map[int64][]domain.CandidatureEvent{}
	for rows.Next() {
		var id int64
		var e domain.CandidatureEvent
		if err := rows.Scan(&id, timeCol{&e.At}, &e.Status, &e.Note); err != nil {
			return nil, err
		}
		out[id] = append(out[id], e)
	}
	return out, rows.Err()
}
