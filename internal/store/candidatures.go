package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ReadBasket reads a person's basket without writing: its current token ("" when
// the person never changed a basket: the token is made by the first change) and
// its course IDs in the order added. Token and courses come from one statement,
// so they belong together: a validation carrying this token validates exactly
// these courses, and a basket edited in another tab meanwhile is not validated
// blind.
func (s *Store) ReadBasket(ctx context.Context, accountID int64) (token string, courseIDs []int64, err error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT b.token, i.course_id FROM baskets b
		LEFT JOIN basket_items i ON i.account_id = b.account_id
		WHERE b.account_id = $1 ORDER BY i.added_at, i.course_id`, accountID)
	if err != nil {
		return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var course sql.NullInt64
		if err := rows.Scan(&token, &course); err != nil {
			return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
		}
		if course.Valid {
			courseIDs = append(courseIDs, course.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	return token, courseIDs, nil
}

// RotateBasketToken gives the basket a new token (upsert, same on both engines).
func (s *Store) RotateBasketToken(ctx context.Context, tx *sql.Tx, accountID int64, now time.Time) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO baskets (account_id, token, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`,
		accountID, token, s.instantArg(now))
	if err != nil {
		return "", fmt.Errorf("renew basket token of %d: %w", accountID, err)
	}
	return token, nil
}

// BasketCourses lists the course IDs in a person's basket, in the order added.
func (s *Store) BasketCourses(ctx context.Context, tx *sql.Tx, accountID int64) ([]int64, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT course_id FROM basket_items WHERE account_id = $1 ORDER BY added_at, course_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("read basket of %d: %w", accountID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Holdings reads, in one round trip, the courses in a person's basket (in the
// order added) and the courses of their active candidatures (CAN-1..3 count
// both).
func (s *Store) Holdings(ctx context.Context, tx *sql.Tx, accountID int64) (basket, active []int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT 1, course_id, added_at FROM basket_items WHERE account_id = $1
		UNION ALL SELECT 2, course_id, NULL FROM candidatures WHERE account_id = $1 AND status = 'submitted'
		ORDER BY 1, 3, 2`, accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("read holdings of %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var id int64
		var added any
		if err := rows.Scan(&kind, &id, &added); err != nil {
			return nil, nil, err
		}
		if kind == 1 {
			basket = append(basket, id)
		} else {
			active = append(active, id)
		}
	}
	return basket, active, rows.Err()
}

// AddBasketItem puts a course in the basket (a second add is a no-op).
func (s *Store) AddBasketItem(ctx context.Context, tx *sql.Tx, accountID, courseID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO basket_items (account_id, course_id, added_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, course_id) DO NOTHING`, accountID, courseID, s.instantArg(now))
	if err != nil {
		return fmt.Errorf("add course %d to basket of %d: %w", courseID, accountID, err)
	}
	return nil
}

// RemoveBasketItem takes a course out of the basket.
func (s *Store) RemoveBasketItem(ctx context.Context, tx *sql.Tx, accountID, courseID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM basket_items WHERE account_id = $1 AND course_id = $2`, accountID, courseID); err != nil {
		return fmt.Errorf("remove course %d from basket of %d: %w", courseID, accountID, err)
	}
	return nil
}

// ClearBasket empties the basket after a validation.
func (s *Store) ClearBasket(ctx context.Context, tx *sql.Tx, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM basket_items WHERE account_id = $1`, accountID); err != nil {
		return fmt.Errorf("clear basket of %d: %w", accountID, err)
	}
	return nil
}

const candidatureColumns = `id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa, job_seeker,
	subsidised, rules_version, half_tariff_claim, COALESCE(proof_id, 0), COALESCE(assisted_by, 0), created_at, cancelled_at`

func scanCandidature(row rowScanner) (domain.Candidature, error) {
	var c domain.Candidature
	err := row.Scan(&c.ID, &c.AccountID, &c.CourseID, &c.FormationID, &c.SessionID, &c.Status, &c.Objective, &c.Motivation,
		&c.Social.RSA, &c.Social.JobSeeker, &c.Social.Subsidised, &c.RulesVersion, &c.HalfTariffClaim, &c.ProofID, &c.AssistedBy,
		timeCol{&c.CreatedAt}, nullTime{&c.CancelledAt})
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

// Candidature reads one candidature.
func (s *Store) Candidature(ctx context.Context, tx *sql.Tx, id int64) (domain.Candidature, error) {
	c, err := scanCandidature(tx.QueryRowContext(ctx, `SELECT `+candidatureColumns+` FROM candidatures WHERE id = $1`, id))
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
		nullID(c.AssistedBy), validationKey, s.instantArg(c.CreatedAt)}
	const insert = `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
		motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`
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

// CurrentRules is the latest published version ("" Version when none).
func (s *Store) CurrentRules(ctx context.Context) (domain.Rules, error) {
	var r domain.Rules
	err := s.db.R.QueryRowContext(ctx, `SELECT version, published_at, body FROM internal_rules ORDER BY published_at DESC, version DESC LIMIT 1`).
		Scan(&r.Version, timeCol{&r.Published}, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Rules{}, nil
	}
	if err != nil {
		return r, fmt.Errorf("read internal rules: %w", err)
	}
	return r, nil
}

// PublishRules adds a version of the internal rules.
func (s *Store) PublishRules(ctx context.Context, tx *sql.Tx, r domain.Rules) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO internal_rules (version, published_at, body) VALUES ($1, $2, $3)`,
		r.Version, s.instantArg(r.Published), r.Body); err != nil {
		return fmt.Errorf("publish internal rules %s: %w", r.Version, err)
	}
	return nil
}

// InsertProof stores a proof and sets its ID.
func (s *Store) InsertProof(ctx context.Context, tx *sql.Tx, p *domain.Proof) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO proofs (account_id, content_type, size_bytes, sha256, data, issue_date, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.AccountID, p.ContentType, len(p.Data), p.SHA256, p.Data,
		dayArg(p.IssueDate), s.instantArg(p.UploadedAt)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store proof of %d: %w", p.AccountID, err)
	}
	return nil
}

// InsertMessage keeps an email before it is sent (same transaction as what it
// tells about), and sets its ID.
func (s *Store) InsertMessage(ctx context.Context, tx *sql.Tx, m *domain.Message) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, m.AccountID, m.Kind, m.Subject, m.Text, m.HTML, m.MessageID,
		s.instantArg(m.CreatedAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("keep message for %d: %w", m.AccountID, err)
	}
	return nil
}

const messageColumns = `id, account_id, kind, subject, body_text, body_html, message_id, created_at, sent_at`

func scanMessage(row rowScanner) (domain.Message, error) {
	var m domain.Message
	err := row.Scan(&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, nullTime{&m.SentAt})
	return m, err
}

// MessageByID reads one message.
func (s *Store) MessageByID(ctx context.Context, id int64) (domain.Message, error) {
	m, err := scanMessage(s.db.R.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	return m, err
}

// Messages lists a person's emails, newest first.
func (s *Store) Messages(ctx context.Context, accountID int64) ([]domain.Message, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE account_id = $1 ORDER BY created_at DESC, id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list messages of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkMessageSent records that the email went out.
func (s *Store) MarkMessageSent(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL`, s.instantArg(at), id); err != nil {
		return fmt.Errorf("mark message %d sent: %w", id, err)
	}
	return nil
}

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
