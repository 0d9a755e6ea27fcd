package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cma/internal/db"
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

const messageColumns = `id, account_id, kind, subject, body_text, body_html, message_id, created_at, sent_at, refused_at, refused_reason,
	attempts, last_error, last_attempt_at, resends, COALESCE(render_ref, 0)`

func scanMessage(row rowScanner, more ...any) (domain.Message, error) {
	var m domain.Message
	err := row.Scan(append([]any{&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, nullTime{&m.SentAt},
		nullTime{&m.RefusedAt}, &m.RefusedReason, &m.Attempts, &m.LastError, nullTime{&m.LastAttemptAt}, &m.Resends, &m.RenderRef}, more...)...)
	return m, err
}

// MessageByID reads one message.
func (s *Store) MessageByID(ctx context.Context, id int64) (domain.Message, error) {
	m, err := scanMessage(s.db.R.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, err
	}
	err = s.materialise(ctx, &m)
	return m, err
}

// MessagesToSend claims, until claimUntil, those of the messages ids that are
// neither sent, nor refused, nor claimed by another send still under way, and
// reads them with their recipients' current addresses: what the email worker
// needs for one job's group. Two jobs holding the same message at once (its
// retry and a resend) thus send it once. A message that does not exist (or no
// longer) is simply not returned. The outcome (MarkMessages…) ends the claim.
// busy counts the messages left because another send holds them: the caller
// tries them again later, as a crashed send's claim only lapses at its end.
func (s *Store) MessagesToSend(ctx context.Context, ids []int64, now, claimUntil time.Time) (msgs []domain.Outgoing, busy int, err error) {
	if len(ids) == 0 {
		return nil, 0, nil
	}
	claimed, err := s.claimMessages(ctx, ids, now, claimUntil)
	if err != nil {
		return nil, 0, err
	}
	if len(claimed) < len(ids) {
		var unsent int
		if err := s.db.W.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE id `+s.inList(1, "bigint")+`
			AND sent_at IS NULL AND refused_at IS NULL`, s.listArg(ids)).Scan(&unsent); err != nil {
			return nil, 0, fmt.Errorf("count messages claimed elsewhere: %w", err)
		}
		busy = unsent - len(claimed)
	}
	if len(claimed) == 0 {
		return nil, busy, nil
	}
	msgs, err = s.readOutgoing(ctx, claimed)
	return msgs, busy, err
}

// readOutgoing reads claimed messages with their recipients' addresses.
func (s *Store) readOutgoing(ctx context.Context, claimed []int64) ([]domain.Outgoing, error) {
	rows, err := s.db.W.QueryContext(ctx, `SELECT m.id, m.account_id, m.kind, m.subject, m.body_text, m.body_html, m.message_id,
		m.created_at, COALESCE(m.render_ref, 0), a.email FROM messages m JOIN accounts a ON a.id = m.account_id
		WHERE m.id `+s.inList(1, "bigint")+` ORDER BY m.id`, s.listArg(claimed))
	if err != nil {
		return nil, fmt.Errorf("read %d messages to send: %w", len(claimed), err)
	}
	defer rows.Close()
	var out []domain.Outgoing
	for rows.Next() {
		var m domain.Outgoing
		if err := rows.Scan(&m.ID, &m.AccountID, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.MessageID, timeCol{&m.CreatedAt}, &m.RenderRef, &m.To); err != nil {
			return nil, fmt.Errorf("read messages to send: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages to send: %w", err)
	}
	rows.Close()
	ms := make([]*domain.Message, len(out))
	for i := range out {
		ms[i] = &out[i].Message
	}
	if err := s.materialise(ctx, ms...); err != nil {
		return nil, err
	}
	return out, nil
}

// claimMessages marks the sendable messages of ids as being sent until
// claimUntil, in one statement, and returns those it claimed.
func (s *Store) claimMessages(ctx context.Context, ids []int64, now, claimUntil time.Time) ([]int64, error) {
	rows, err := s.db.W.QueryContext(ctx, `UPDATE messages SET sending_until = $1
		WHERE id `+s.inList(2, "bigint")+` AND sent_at IS NULL AND refused_at IS NULL
		AND (sending_until IS NULL OR sending_until < $3) RETURNING id`,
		s.instantArg(claimUntil), s.listArg(ids), s.instantArg(now))
	if err != nil {
		return nil, fmt.Errorf("claim %d messages to send: %w", len(ids), err)
	}
	defer rows.Close()
	var claimed []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("claim messages to send: %w", err)
		}
		claimed = append(claimed, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim messages to send: %w", err)
	}
	return claimed, nil
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ms := make([]*domain.Message, len(out))
	for i := range out {
		ms[i] = &out[i]
	}
	return out, s.materialise(ctx, ms...)
}

// MarkMessagesSent records that the emails went out, in one statement: the
// email workers send many at once, and a commit each would cost more than the
// sending.
func (s *Store) MarkMessagesSent(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET sent_at = $1, attempts = attempts + 1, last_attempt_at = $1, sending_until = NULL
		WHERE id `+s.inList(2, "bigint")+` AND sent_at IS NULL`,
		s.instantArg(at), s.listArg(ids)); err != nil {
		return fmt.Errorf("mark %d messages sent: %w", len(ids), err)
	}
	return nil
}

// MarkMessageRefused records that the relay refused message id for good, so
// that it is never sent again (a message already sent stays sent).
func (s *Store) MarkMessageRefused(ctx context.Context, id int64, at time.Time, reason string) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET refused_at = $1, refused_reason = $2,
		attempts = attempts + 1, last_error = $2, last_attempt_at = $1, sending_until = NULL WHERE id = $3 AND sent_at IS NULL`,
		s.instantArg(at), reason, id); err != nil {
		return fmt.Errorf("mark message %d refused: %w", id, err)
	}
	return nil
}

// MarkMessageFailed records a failed attempt that will be retried: one more
// attempt, its error (the relay's answer) and when, for the central service.
func (s *Store) MarkMessageFailed(ctx context.Context, id int64, at time.Time, reason string) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET attempts = attempts + 1, last_error = $1, last_attempt_at = $2, sending_until = NULL
		WHERE id = $3 AND sent_at IS NULL`, reason, s.instantArg(at), id); err != nil {
		return fmt.Errorf("record failed attempt of message %d: %w", id, err)
	}
	return nil
}

// OutboxQuery filters the platform's emails for the central service. Zero
// values mean "any".
type OutboxQuery struct {
	State         string // domain.MessagePending, MessageRefused, MessageSent, or OutboxUnsent (the first two)
	Kind          string // "confirmation", "cancellation"…
	Recipient     string // part of the recipient's email or name
	Limit, Offset int
}

// OutboxUnsent selects the emails not sent, pending or refused.
const OutboxUnsent = "unsent"

// OutboxMessage is an email with its recipient, as the outbox page lists it.
type OutboxMessage struct {
	domain.Message
	Email, FirstName, LastName string
}

// SearchOutbox lists emails, and how many match: pending ones oldest first
// (the longest waiting on top), the others newest first.
func (s *Store) SearchOutbox(ctx context.Context, q OutboxQuery) ([]OutboxMessage, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { // $N: the value's placeholder, as often as needed
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$N", fmt.Sprintf("$%d", len(args))))
	}
	order := "m.created_at DESC, m.id DESC"
	switch q.State {
	case OutboxUnsent:
		where = append(where, "m.sent_at IS NULL")
		order = "m.created_at, m.id"
	case domain.MessagePending:
		where = append(where, "m.sent_at IS NULL AND m.refused_at IS NULL")
		order = "m.created_at, m.id"
	case domain.MessageRefused:
		where = append(where, "m.sent_at IS NULL AND m.refused_at IS NOT NULL")
		order = "m.refused_at DESC, m.id DESC"
	case domain.MessageSent:
		where = append(where, "m.sent_at IS NOT NULL")
		order = "m.sent_at DESC, m.id DESC"
	}
	if q.Kind != "" {
		add("m.kind = $N", q.Kind)
	}
	if r := strings.TrimSpace(q.Recipient); r != "" {
		add("(lower(a.email) LIKE $N OR lower(a.first_name || ' ' || a.last_name) LIKE $N)", "%"+strings.ToLower(r)+"%")
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	from := ` FROM messages m JOIN accounts a ON a.id = m.account_id WHERE ` + cond
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count outbox: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit, q.Offset)
	var cols []string
	for _, c := range strings.Split(strings.TrimSuffix(messageColumns, ", COALESCE(render_ref, 0)"), ",") {
		cols = append(cols, "m."+strings.TrimSpace(c))
	}
	cols = append(cols, "COALESCE(m.render_ref, 0)")
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+`, a.email, a.first_name, a.last_name`+from+
		fmt.Sprintf(` ORDER BY %s LIMIT $%d OFFSET $%d`, order, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var o OutboxMessage
		if o.Message, err = scanMessage(rows, &o.Email, &o.FirstName, &o.LastName); err != nil {
			return nil, 0, fmt.Errorf("search outbox: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	ms := make([]*domain.Message, len(out))
	for i := range out {
		ms[i] = &out[i].Message
	}
	return out, total, s.materialise(ctx, ms...)
}

// OutboxCounts is how many emails are pending and refused.
func (s *Store) OutboxCounts(ctx context.Context) (pending, refused int, err error) {
	err = s.db.R.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN refused_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN refused_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM messages WHERE sent_at IS NULL`).Scan(&pending, &refused)
	if err != nil {
		return 0, 0, fmt.Errorf("count outbox: %w", err)
	}
	return pending, refused, nil
}

// ReopenMessage clears a refusal of message id in tx so that it is sent
// again, if it is not sent and has been resent resends times so far (what the
// page showed): a second click on the same page changes nothing and returns
// false, as does a message sent meanwhile.
func (s *Store) ReopenMessage(ctx context.Context, tx *sql.Tx, id int64, resends int) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE messages SET refused_at = NULL, refused_reason = '', resends = resends + 1
		WHERE id = $1 AND sent_at IS NULL AND resends = $2`, id, resends)
	if err != nil {
		return false, fmt.Errorf("reopen message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("reopen message %d: %w", id, err)
	}
	return n == 1, nil
}

// InsertMessagesTx keeps many messages in their persons' spaces in one
// statement per chunk on PostgreSQL (row by row on SQLite) and sets their
// IDs; the caller queues them (outbox.Queue) in the same transaction.
func (s *Store) InsertMessagesTx(ctx context.Context, tx *sql.Tx, msgs []*domain.Message) error {
	if s.db.Dialect != db.Postgres {
		for _, m := range msgs {
			if err := s.InsertMessage(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}
	for chunk := range slices.Chunk(msgs, 5000) {
		n := len(chunk)
		acc := make([]int64, n)
		kind, subject, text, html, mid := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		at := make([]time.Time, n)
		for i, m := range chunk {
			acc[i], kind[i], subject[i], text[i], html[i], mid[i], at[i] = m.AccountID, m.Kind, m.Subject, m.Text, m.HTML, m.MessageID, m.CreatedAt.UTC()
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
			RETURNING id, message_id`, acc, kind, subject, text, html, mid, at)
		if err != nil {
			return fmt.Errorf("keep %d messages: %w", n, err)
		}
		byMID := make(map[string]*domain.Message, n)
		for _, m := range chunk {
			byMID[m.MessageID] = m
		}
		for rows.Next() {
			var id int64
			var m string
			if err := rows.Scan(&id, &m); err != nil {
				rows.Close()
				return err
			}
			if x, ok := byMID[m]; ok {
				x.ID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
