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

const messageColumns = `id, account_id, kind, subject, body_text, body_html, message_id, created_at, sent_at, refused_at, refused_reason`

func scanMessage(row rowScanner) (domain.Message, error) {
	var m domain.Message
	err := row.Scan(&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, nullTime{&m.SentAt},
		nullTime{&m.RefusedAt}, &m.RefusedReason)
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

// MessagesToSend reads, in one query, those of the messages ids that are
// neither sent nor refused, with their recipients' current addresses: what the
// email worker needs for one job's group. A message that does not exist (or no
// longer) is simply not returned.
func (s *Store) MessagesToSend(ctx context.Context, ids []int64) ([]domain.Outgoing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT m.id, m.account_id, m.kind, m.subject, m.body_text, m.body_html, m.message_id,
		m.created_at, a.email FROM messages m JOIN accounts a ON a.id = m.account_id
		WHERE m.id `+s.inList(1, "bigint")+` AND m.sent_at IS NULL AND m.refused_at IS NULL ORDER BY m.id`, s.listArg(ids))
	if err != nil {
		return nil, fmt.Errorf("read %d messages to send: %w", len(ids), err)
	}
	defer rows.Close()
	var out []domain.Outgoing
	for rows.Next() {
		var m domain.Outgoing
		if err := rows.Scan(&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, &m.To); err != nil {
			return nil, fmt.Errorf("read messages to send: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages to send: %w", err)
	}
	return out, nil
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

// MarkMessageRefused records that the relay refused message id for good, so
// that it is never sent again (a message already sent stays sent).
func (s *Store) MarkMessageRefused(ctx context.Context, id int64, at time.Time, reason string) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET refused_at = $1, refused_reason = $2 WHERE id = $3 AND sent_at IS NULL`,
		s.instantArg(at), reason, id); err != nil {
		return fmt.Errorf("mark message %d refused: %w", id, err)
	}
	return nil
}
