package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
)

// Refunds due (REF-2): a payment to give back in full to whoever paid it,
// one per payment.

// InsertRefundDue records, in tx, payment p as to be refunded in full to
// payer for reason; false when that payment already has a refund due (a
// payment is never refunded twice).
func (s *Store) InsertRefundDue(ctx context.Context, tx *sql.Tx, p domain.Payment, payer string, reason domain.RefundReason,
	at time.Time, by int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO refunds_due (payment_id, enrolment_id, account_id, course_id, establishment_id,
		amount_cents, payer_name, reason, state, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'due', $9, $10)
		ON CONFLICT (payment_id) DO NOTHING`, p.ID, p.EnrolmentID, p.AccountID, p.CourseID, p.EstablishmentID, p.AmountCents, payer,
		string(reason), s.instantArg(at), by)
	return affectedOne(res, err, "refund due of payment %d", p.ID)
}

// CancelRefundDue cancels, in tx, the refund still due of an enrolment's
// payment, with the reason; false when there is none.
func (s *Store) CancelRefundDue(ctx context.Context, tx *sql.Tx, enrolmentID int64, at time.Time, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE refunds_due SET state = 'cancelled', cancelled_at = $1, cancelled_reason = $2
		WHERE enrolment_id = $3 AND state = 'due'`, s.instantArg(at), reason, enrolmentID)
	return affectedOne(res, err, "cancel the refund due of enrolment %d", enrolmentID)
}

// RefundsQuery selects refunds due: of some establishments (nil: all), of
// one person (0: anyone), in some states (none: all).
type RefundsQuery struct {
	EstablishmentIDs []int64
	AccountID        int64
	States           []domain.RefundState
}

// RefundsDue lists refunds due as q says, the oldest first, with the
// learner's name, the course's code and how the payment was made.
func (s *Store) RefundsDue(ctx context.Context, q RefundsQuery) ([]domain.RefundDue, error) {
	if q.EstablishmentIDs != nil && len(q.EstablishmentIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.EstablishmentIDs != nil {
		where = append(where, "r.establishment_id "+s.inList(len(args)+1, "bigint"))
		args = append(args, s.listArg(q.EstablishmentIDs))
	}
	if q.AccountID != 0 {
		where = append(where, "r.account_id = "+arg(q.AccountID))
	}
	if len(q.States) > 0 {
		states := make([]string, len(q.States))
		for i, st := range q.States {
			states[i] = string(st)
		}
		where = append(where, "r.state "+s.inList(len(args)+1, "text"))
		args = append(args, s.listArg(states))
	}
	query := `SELECT r.id, r.payment_id, r.enrolment_id, r.account_id, r.course_id, r.establishment_id, r.amount_cents, r.payer_name,
		p.mode, p.paid_at, r.reason, r.state, r.created_at, r.created_by, r.cancelled_at, r.cancelled_reason,
		a.first_name, a.last_name, c.code
		FROM refunds_due r JOIN payments p ON p.id = r.payment_id JOIN accounts a ON a.id = r.account_id JOIN courses c ON c.id = r.course_id`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.R.QueryContext(ctx, query+` ORDER BY r.created_at, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("refunds due: %w", err)
	}
	defer rows.Close()
	var out []domain.RefundDue
	for rows.Next() {
		var r domain.RefundDue
		if err := rows.Scan(&r.ID, &r.PaymentID, &r.EnrolmentID, &r.AccountID, &r.CourseID, &r.EstablishmentID, &r.AmountCents,
			&r.PayerName, &r.Mode, timeCol{&r.PaidAt}, &r.Reason, &r.State, timeCol{&r.CreatedAt}, &r.CreatedBy,
			nullTime{&r.CancelledAt}, &r.CancelledReason, &r.FirstName, &r.LastName, &r.CourseCode); err != nil {
			return nil, fmt.Errorf("refunds due: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReopenEnrolment puts back, in tx, an enrolment freed when its course did
// not open into the course the learner moved to, joined that day and due
// again until payUntil: the same fee (PAY-3), a new window (PAY-1). False
// when it was not freed. (The audit trail keeps the freeing.)
func (s *Store) ReopenEnrolment(ctx context.Context, tx *sql.Tx, id, courseID int64, joined, payUntil time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET state = 'due', course_id = $1, joined_on = $2, pay_until = $3,
		extended_until = NULL, extended_by = NULL, freed_at = NULL, freed_by = NULL, freed_reason = '' WHERE id = $4 AND state = 'freed'`,
		courseID, dayArg(joined), dayArg(payUntil), id)
	return affectedOne(res, err, "reopen enrolment %d", id)
}
