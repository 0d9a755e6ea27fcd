package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

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

// MessageToSend reads one message with its recipient's current address, in one
// query: what the email worker needs, once per message.
func (s *Store) MessageToSend(ctx context.Context, id int64) (domain.Message, string, error) {
	var m domain.Message
	var to string
	err := s.db.R.QueryRowContext(ctx, `SELECT m.id, m.account_id, m.kind, m.subject, m.body_text, m.body_html, m.message_id,
		m.created_at, m.sent_at, a.email FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1`, id).
		Scan(&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, nullTime{&m.SentAt}, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, "", fmt.Errorf("read message %d to send: %w", id, err)
	}
	return m, to, nil
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

// MarkMessagesSent records that the emails went out, in one statement: the
// email workers send many at once, and a commit each would cost more than the
// sending.
func (s *Store) MarkMessagesSent(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET sent_at = $1 WHERE id `+s.inList(2, "bigint")+` AND sent_at IS NULL`,
		s.instantArg(at), s.listArg(ids)); err != nil {
		return fmt.Errorf("mark %d messages sent: %w", len(ids), err)
	}
	return nil
}
