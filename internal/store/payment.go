package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

// Enrolment and payment (PAY-1..8, CAN-9): the enrolments confirmed, the
// half-tariff checks, the PayFiP operations, the one payment of each
// enrolment, the régie's append-only journal and the learner cards.

// ErrAlreadyPaid is a second payment of the same enrolment: the fee is paid
// once (PAY-1), whoever raced to pay it.
var ErrAlreadyPaid = errors.New("store: the enrolment is already paid")

const enrolmentColumns = `e.id, e.candidature_id, e.account_id, e.course_id, e.full_cents, e.due_cents, e.half_tariff,
	e.joined_on, e.pay_until, e.extended_until, c.pay_extended_until, e.state, e.confirmed_at, e.confirmed_by, e.freed_at,
	e.freed_reason, ca.half_tariff_claim, COALESCE(h.decision, '')`

const enrolmentFrom = ` FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN candidatures ca ON ca.id = e.candidature_id
	LEFT JOIN half_tariff_checks h ON h.candidature_id = e.candidature_id`

func scanEnrolment(row rowScanner) (domain.Enrolment, error) {
	var e domain.Enrolment
	var claim bool
	var decision string
	err := row.Scan(&e.ID, &e.CandidatureID, &e.AccountID, &e.CourseID, &e.Fee.FullCents, &e.Fee.DueCents, &e.Fee.HalfTariff,
		timeCol{&e.JoinedOn}, timeCol{&e.PayUntil}, nullTime{&e.ExtendedUntil}, nullTime{&e.CourseExtendedUntil}, &e.State,
		timeCol{&e.ConfirmedAt}, &e.ConfirmedBy, nullTime{&e.FreedAt}, &e.FreedReason, &claim, &decision)
	// A claim not checked yet leaves the fee pending (CAN-9): nobody pays
	// before the amount is known.
	e.Fee.Pending = claim && decision == "" && e.State == domain.EnrolmentDue
	return e, err
}

func (s *Store) enrolments(ctx context.Context, q querier, where string, args ...any) ([]domain.Enrolment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+enrolmentColumns+enrolmentFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("enrolments: %w", err)
	}
	defer rows.Close()
	var out []domain.Enrolment
	for rows.Next() {
		e, err := scanEnrolment(rows)
		if err != nil {
			return nil, fmt.Errorf("enrolments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Enrolment reads one enrolment (in tx when given).
func (s *Store) Enrolment(ctx context.Context, tx *sql.Tx, id int64) (domain.Enrolment, error) {
	found, err := s.enrolments(ctx, s.querier(tx), `e.id = $1`, id)
	if err != nil {
		return domain.Enrolment{}, err
	}
	if len(found) == 0 {
		return domain.Enrolment{}, fmt.Errorf("enrolment %d: %w", id, ErrNotFound)
	}
	return found[0], nil
}

// EnrolmentOf reads the enrolment of a candidature; ok is false when it was
// not confirmed.
func (s *Store) EnrolmentOf(ctx context.Context, tx *sql.Tx, candidatureID int64) (domain.Enrolment, bool, error) {
	found, err := s.enrolments(ctx, s.querier(tx), `e.candidature_id = $1`, candidatureID)
	if err != nil || len(found) == 0 {
		return domain.Enrolment{}, false, err
	}
	return found[0], true, nil
}

// AccountEnrolments lists a person's enrolments, newest first.
func (s *Store) AccountEnrolments(ctx context.Context, accountID int64) ([]domain.Enrolment, error) {
	return s.enrolments(ctx, s.db.R, `e.account_id = $1 ORDER BY e.id DESC`, accountID)
}

// CourseEnrolments lists a course's enrolments.
func (s *Store) CourseEnrolments(ctx context.Context, tx *sql.Tx, courseID int64) ([]domain.Enrolment, error) {
	return s.enrolments(ctx, s.querier(tx), `e.course_id = $1 ORDER BY e.id`, courseID)
}

// CourseTariff reads, in tx, a course's full tariff in cents.
func (s *Store) CourseTariff(ctx context.Context, tx *sql.Tx, courseID int64) (int64, error) {
	var cents int64
	err := tx.QueryRowContext(ctx, `SELECT price_cents FROM courses WHERE id = $1`, courseID).Scan(&cents)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("tariff of course %d: %w", courseID, err)
	}
	return cents, nil
}

// AcceptedOn reads, in tx, the instant a candidature was last accepted in a
// course (the published run, or an offer accepted): the day the learner
// joined, from which their payment window runs (PAY-1). Zero when its
// history holds no acceptance.
func (s *Store) AcceptedOn(ctx context.Context, tx *sql.Tx, candidatureID int64) (time.Time, error) {
	var at time.Time
	err := tx.QueryRowContext(ctx, `SELECT MAX(at) FROM candidature_events WHERE candidature_id = $1 AND status = 'accepted'`,
		candidatureID).Scan(nullTime{&at})
	if err != nil {
		return time.Time{}, fmt.Errorf("acceptance of candidature %d: %w", candidatureID, err)
	}
	return at, nil
}

// InsertEnrolment records a confirmed enrolment (due) and sets its ID; ok
// is false when the candidature's enrolment was already confirmed (the
// unique candidature), which then stands.
func (s *Store) InsertEnrolment(ctx context.Context, tx *sql.Tx, e *domain.Enrolment) (ok bool, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO enrolments (candidature_id, account_id, course_id, full_cents, due_cents,
		half_tariff, joined_on, pay_until, state, confirmed_at, confirmed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'due', $9, $10)
		ON CONFLICT (candidature_id) DO NOTHING RETURNING id`,
		e.CandidatureID, e.AccountID, e.CourseID, e.Fee.FullCents, e.Fee.DueCents, e.Fee.HalfTariff, dayArg(e.JoinedOn),
		dayArg(e.PayUntil), s.instantArg(e.ConfirmedAt), e.ConfirmedBy).Scan(&e.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert the enrolment of candidature %d: %w", e.CandidatureID, err)
	}
	e.State = domain.EnrolmentDue
	return true, nil
}

// HalfTariffCheckOf reads a candidature's proof check (in tx when given); ok
// is false when it was not checked.
func (s *Store) HalfTariffCheckOf(ctx context.Context, tx *sql.Tx, candidatureID int64) (domain.HalfTariffCheck, bool, error) {
	h := domain.HalfTariffCheck{CandidatureID: candidatureID}
	err := s.querier(tx).QueryRowContext(ctx, `SELECT decision, reason, checked_by, checked_at FROM half_tariff_checks
		WHERE candidature_id = $1`, candidatureID).Scan(&h.Decision, &h.Reason, &h.CheckedBy, timeCol{&h.CheckedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("half-tariff check of candidature %d: %w", candidatureID, err)
	}
	return h, true, nil
}

// SaveHalfTariffCheck records a proof's check, replacing an earlier one.
func (s *Store) SaveHalfTariffCheck(ctx context.Context, tx *sql.Tx, h domain.HalfTariffCheck) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO half_tariff_checks (candidature_id, decision, reason, checked_by, checked_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (candidature_id) DO UPDATE SET decision = excluded.decision,
		reason = excluded.reason, checked_by = excluded.checked_by, checked_at = excluded.checked_at`,
		h.CandidatureID, string(h.Decision), h.Reason, h.CheckedBy, s.instantArg(h.CheckedAt))
	if err != nil {
		return fmt.Errorf("save the half-tariff check of candidature %d: %w", h.CandidatureID, err)
	}
	return nil
}

// SetEnrolmentDue changes, in tx, the fee of an enrolment not paid yet (a
// proof checked after the confirmation); ok is false when it is paid or
// freed, and then nothing changes: no retroactive half tariff (PAY-5).
func (s *Store) SetEnrolmentDue(ctx context.Context, tx *sql.Tx, id int64, dueCents int64, half bool) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET due_cents = $1, half_tariff = $2 WHERE id = $3 AND state = 'due'`,
		dueCents, half, id)
	return affectedOne(res, err, "set the fee of enrolment %d", id)
}

// ExtendEnrolment sets a learner's own last day to pay (PAY-1).
func (s *Store) ExtendEnrolment(ctx context.Context, tx *sql.Tx, id int64, until time.Time, by int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET extended_until = $1, extended_by = $2 WHERE id = $3 AND state = 'due'`,
		dayArg(until), by, id)
	return affectedOne(res, err, "extend enrolment %d", id)
}

// ExtendCourseWindow sets the last day to pay for every learner of a course.
func (s *Store) ExtendCourseWindow(ctx context.Context, tx *sql.Tx, courseID int64, until time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE courses SET pay_extended_until = $1 WHERE id = $2`, dayArg(until), courseID); err != nil {
		return fmt.Errorf("extend the payment window of course %d: %w", courseID, err)
	}
	return nil
}

// FreeEnrolment ends an unpaid enrolment whose window passed (the director
// freed the seat); ok is false when it was paid or freed meanwhile.
func (s *Store) FreeEnrolment(ctx context.Context, tx *sql.Tx, id int64, at time.Time, by int64, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET state = 'freed', freed_at = $1, freed_by = $2, freed_reason = $3
		WHERE id = $4 AND state = 'due'`, s.instantArg(at), by, reason, id)
	return affectedOne(res, err, "free enrolment %d", id)
}

// MoveEnrolment follows a learner moved to another course (a day change, an
// equivalent course): what they paid or owe follows them (PAY-3).
func (s *Store) MoveEnrolment(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET course_id = $1 WHERE candidature_id = $2`, courseID, candidatureID); err != nil {
		return fmt.Errorf("move the enrolment of candidature %d: %w", candidatureID, err)
	}
	return nil
}

func affectedOne(res sql.Result, err error, what string, id int64) (bool, error) {
	if err != nil {
		return false, fmt.Errorf(what+": %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf(what+": %w", id, err)
	}
	return n == 1, nil
}

// InsertPayFiPOperation records a new PayFiP attempt (pending).
func (s *Store) InsertPayFiPOperation(ctx context.Context, tx *sql.Tx, op domain.PayFiPOperation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payfip_operations (idop, enrolment_id, refdet, amount_cents, mel, payer_name,
		link_id, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`,
		op.IDOp, op.EnrolmentID, op.Refdet, op.AmountCents, op.Mel, op.PayerName, nullID(op.LinkID), s.instantArg(op.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert PayFiP operation %s: %w", op.IDOp, err)
	}
	return nil
}

const payfipColumns = `idop, enrolment_id, refdet, amount_cents, mel, payer_name, COALESCE(link_id, 0), state, resultrans,
	created_at, settled_at, note`

func scanPayFiP(row rowScanner) (domain.PayFiPOperation, error) {
	var op domain.PayFiPOperation
	err := row.Scan(&op.IDOp, &op.EnrolmentID, &op.Refdet, &op.AmountCents, &op.Mel, &op.PayerName, &op.LinkID, &op.State,
		&op.Resultrans, timeCol{&op.CreatedAt}, nullTime{&op.SettledAt}, &op.Note)
	return op, err
}

// PayFiPOperation reads one operation (in tx when given).
func (s *Store) PayFiPOperation(ctx context.Context, tx *sql.Tx, idop string) (domain.PayFiPOperation, error) {
	op, err := scanPayFiP(s.querier(tx).QueryRowContext(ctx, `SELECT `+payfipColumns+` FROM payfip_operations WHERE idop = $1`, idop))
	if errors.Is(err, sql.ErrNoRows) {
		return op, fmt.Errorf("PayFiP operation %q: %w", idop, ErrNotFound)
	}
	if err != nil {
		return op, fmt.Errorf("PayFiP operation %q: %w", idop, err)
	}
	return op, nil
}

// PayFiPUnderWay reports, in tx, whether an online payment of the
// enrolment started after since is still waiting for its result.
func (s *Store) PayFiPUnderWay(ctx context.Context, tx *sql.Tx, enrolmentID int64, since time.Time) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payfip_operations WHERE enrolment_id = $1 AND state = 'pending'
		AND created_at > $2`, enrolmentID, s.instantArg(since)).Scan(&n); err != nil {
		return false, fmt.Errorf("PayFiP operations under way of enrolment %d: %w", enrolmentID, err)
	}
	return n > 0, nil
}

// EnrolmentOperations lists an enrolment's PayFiP attempts, newest first.
func (s *Store) EnrolmentOperations(ctx context.Context, enrolmentID int64) ([]domain.PayFiPOperation, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+payfipColumns+` FROM payfip_operations WHERE enrolment_id = $1
		ORDER BY created_at DESC, idop`, enrolmentID)
	if err != nil {
		return nil, fmt.Errorf("PayFiP operations of enrolment %d: %w", enrolmentID, err)
	}
	defer rows.Close()
	var out []domain.PayFiPOperation
	for rows.Next() {
		op, err := scanPayFiP(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, op)
	}
	return out, rows.Err()
}

// PendingPayFiPOperations lists the operations still pending created before
// before, oldest first: reconciliation asks PayFiP about each.
func (s *Store) PendingPayFiPOperations(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT idop FROM payfip_operations WHERE state = 'pending' AND created_at < $1
		ORDER BY created_at LIMIT $2`, s.instantArg(before), limit)
	if err != nil {
		return nil, fmt.Errorf("pending PayFiP operations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SettlePayFiPOperation ends a pending operation with what PayFiP said; ok
// is false when it was already settled (a notification replayed, or raced
// by the browser's return or by reconciliation), and then nothing changes.
func (s *Store) SettlePayFiPOperation(ctx context.Context, tx *sql.Tx, idop string, state domain.PayFiPState, resultrans,
	note string, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE payfip_operations SET state = $1, resultrans = $2, note = $3, settled_at = $4,
		asked_at = $4 WHERE idop = $5 AND state = 'pending'`, string(state), resultrans, note, s.instantArg(at), idop)
	if err != nil {
		return false, fmt.Errorf("settle PayFiP operation %s: %w", idop, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("settle PayFiP operation %s: %w", idop, err)
	}
	return n == 1, nil
}

// MarkPayFiPAsked notes when PayFiP was last asked about a pending operation.
func (s *Store) MarkPayFiPAsked(ctx context.Context, idop string, at time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE payfip_operations SET asked_at = $1 WHERE idop = $2 AND state = 'pending'`,
		s.instantArg(at), idop); err != nil {
		return fmt.Errorf("note PayFiP operation %s asked: %w", idop, err)
	}
	return nil
}

// PaymentTarget is what booking a payment writes beside the payment: the
// establishment and the session's year of the course paid for.
type PaymentTarget struct {
	EstablishmentID int64
	SessionYear     int
	CourseCode      string
}

// PaymentTargetOf reads, in tx, the establishment and session year of a course.
func (s *Store) PaymentTargetOf(ctx context.Context, tx *sql.Tx, courseID int64) (PaymentTarget, error) {
	var t PaymentTarget
	var first time.Time
	err := s.querier(tx).QueryRowContext(ctx, `SELECT c.establishment_id, se.first_day, c.code FROM courses c
		JOIN sessions se ON se.id = c.session_id WHERE c.id = $1`, courseID).Scan(&t.EstablishmentID, timeCol{&first}, &t.CourseCode)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("course %d: %w", courseID, err)
	}
	t.SessionYear = first.Year()
	return t, nil
}

// BookPayment writes, in tx, the one payment of an enrolment (PAY-1) and its
// journal entry, and sets the payment's ID and receipt number. The enrolment
// goes from due to paid first: a second booking, whoever raced, finds it
// paid and gets ErrAlreadyPaid with nothing written.
func (s *Store) BookPayment(ctx context.Context, tx *sql.Tx, p *domain.Payment, t PaymentTarget, label string) error {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET state = 'paid' WHERE id = $1 AND state = 'due'`, p.EnrolmentID)
	if paid, err := affectedOne(res, err, "mark enrolment %d paid", p.EnrolmentID); err != nil {
		return err
	} else if !paid {
		return ErrAlreadyPaid
	}
	// The receipt number needs the payment's ID: a placeholder first, unique
	// on its own, then the number.
	err = tx.QueryRowContext(ctx, `INSERT INTO payments (enrolment_id, account_id, course_id, establishment_id, amount_cents,
		mode, half_tariff, payer_name, idop, numauto, cheque_number, cheque_bank, cheque_drawer, receipt_number, recorded_by, paid_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		p.EnrolmentID, p.AccountID, p.CourseID, t.EstablishmentID, p.AmountCents, string(p.Mode), p.HalfTariff, p.PayerName,
		nullString(p.IDOp), p.Numauto, p.ChequeNumber, p.ChequeBank, p.ChequeDrawer, fmt.Sprintf("pending-%d", p.EnrolmentID),
		nullID(p.RecordedBy), s.instantArg(p.PaidAt)).Scan(&p.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return ErrAlreadyPaid
		}
		return fmt.Errorf("insert the payment of enrolment %d: %w", p.EnrolmentID, err)
	}
	p.EstablishmentID = t.EstablishmentID
	p.ReceiptNumber = domain.ReceiptNumber(t.SessionYear, t.EstablishmentID, p.ID)
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET receipt_number = $1 WHERE id = $2`, p.ReceiptNumber, p.ID); err != nil {
		return fmt.Errorf("number payment %d: %w", p.ID, err)
	}
	e := domain.LedgerEntry{EstablishmentID: t.EstablishmentID, Day: parisDay(p.PaidAt), Mode: p.Mode, Kind: domain.LedgerPayment,
		AmountCents: p.AmountCents, PaymentID: p.ID, Reference: p.ReceiptNumber, Label: label, RecordedAt: p.PaidAt,
		RecordedBy: p.RecordedBy}
	return s.InsertLedgerEntry(ctx, tx, &e)
}

// parisDay is the Paris civil date of an instant, at 00:00 UTC.
func parisDay(t time.Time) time.Time {
	y, m, d := t.In(domain.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InsertLedgerEntry appends an entry to the régie's journal and sets its ID.
func (s *Store) InsertLedgerEntry(ctx context.Context, tx *sql.Tx, e *domain.LedgerEntry) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO ledger_entries (establishment_id, day, mode, kind, amount_cents, payment_id,
		reference, label, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.EstablishmentID, dayArg(e.Day), string(e.Mode), e.Kind, e.AmountCents, nullID(e.PaymentID), e.Reference, e.Label,
		s.instantArg(e.RecordedAt), nullID(e.RecordedBy)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append to the ledger: %w", err)
	}
	return nil
}

const paymentColumns = `id, enrolment_id, account_id, course_id, establishment_id, amount_cents, mode, half_tariff, payer_name,
	COALESCE(idop, ''), numauto, cheque_number, cheque_bank, cheque_drawer, receipt_number, COALESCE(recorded_by, 0), paid_at`

func scanPayment(row rowScanner) (domain.Payment, error) {
	var p domain.Payment
	err := row.Scan(&p.ID, &p.EnrolmentID, &p.AccountID, &p.CourseID, &p.EstablishmentID, &p.AmountCents, &p.Mode,
		&p.HalfTariff, &p.PayerName, &p.IDOp, &p.Numauto, &p.ChequeNumber, &p.ChequeBank, &p.ChequeDrawer, &p.ReceiptNumber,
		&p.RecordedBy, timeCol{&p.PaidAt})
	return p, err
}

// PaymentOf reads an enrolment's payment (in tx when given); ok is false
// when it is not paid.
func (s *Store) PaymentOf(ctx context.Context, tx *sql.Tx, enrolmentID int64) (domain.Payment, bool, error) {
	p, err := scanPayment(s.querier(tx).QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE enrolment_id = $1`,
		enrolmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("payment of enrolment %d: %w", enrolmentID, err)
	}
	return p, true, nil
}

// CoursePayments lists the payments of a course's enrolments, by enrolment.
func (s *Store) CoursePayments(ctx context.Context, courseID int64) (map[int64]domain.Payment, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE enrolment_id IN
		(SELECT id FROM enrolments WHERE course_id = $1)`, courseID)
	if err != nil {
		return nil, fmt.Errorf("payments of course %d: %w", courseID, err)
	}
	defer rows.Close()
	out := map[int64]domain.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out[p.EnrolmentID] = p
	}
	return out, rows.Err()
}

// LedgerEntries lists an establishment's journal between two days
// (inclusive), in the order written.
func (s *Store) LedgerEntries(ctx context.Context, establishmentID int64, from, to time.Time) ([]domain.LedgerEntry, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, establishment_id, day, mode, kind, amount_cents, COALESCE(payment_id, 0),
		reference, label, recorded_at, COALESCE(recorded_by, 0) FROM ledger_entries
		WHERE establishment_id = $1 AND day >= $2 AND day <= $3 ORDER BY id`, establishmentID, dayArg(from), dayArg(to))
	if err != nil {
		return nil, fmt.Errorf("ledger of establishment %d: %w", establishmentID, err)
	}
	defer rows.Close()
	var out []domain.LedgerEntry
	for rows.Next() {
		var e domain.LedgerEntry
		if err := rows.Scan(&e.ID, &e.EstablishmentID, timeCol{&e.Day}, &e.Mode, &e.Kind, &e.AmountCents, &e.PaymentID,
			&e.Reference, &e.Label, timeCol{&e.RecordedAt}, &e.RecordedBy); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// InsertCard issues a learner card and sets its ID; the previous valid card
// of the enrolment, if any, must have been revoked in the same transaction
// (the unique index holds one valid card per enrolment).
func (s *Store) InsertCard(ctx context.Context, tx *sql.Tx, c *domain.LearnerCard) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO learner_cards (enrolment_id, course_id, number, reprint, issued_at, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.EnrolmentID, c.CourseID, c.Number, c.Reprint, s.instantArg(c.IssuedAt),
		nullID(c.IssuedBy)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("issue a card for enrolment %d: %w", c.EnrolmentID, err)
	}
	return nil
}

// RevokeCards revokes the valid card of an enrolment, if any, and returns
// how many cards it printed before (for the next one's reprint number).
func (s *Store) RevokeCards(ctx context.Context, tx *sql.Tx, enrolmentID int64, at time.Time, by int64, reason string) (printed int, err error) {
	if _, err := tx.ExecContext(ctx, `UPDATE learner_cards SET revoked_at = $1, revoked_by = $2, revoked_reason = $3
		WHERE enrolment_id = $4 AND revoked_at IS NULL`, s.instantArg(at), nullID(by), reason, enrolmentID); err != nil {
		return 0, fmt.Errorf("revoke the card of enrolment %d: %w", enrolmentID, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM learner_cards WHERE enrolment_id = $1`, enrolmentID).Scan(&printed); err != nil {
		return 0, fmt.Errorf("cards of enrolment %d: %w", enrolmentID, err)
	}
	return printed, nil
}

const cardColumns = `id, enrolment_id, course_id, number, reprint, issued_at, COALESCE(issued_by, 0), revoked_at, revoked_reason`

func scanCard(row rowScanner) (domain.LearnerCard, error) {
	var c domain.LearnerCard
	err := row.Scan(&c.ID, &c.EnrolmentID, &c.CourseID, &c.Number, &c.Reprint, timeCol{&c.IssuedAt}, &c.IssuedBy,
		nullTime{&c.RevokedAt}, &c.RevokedReason)
	return c, err
}

// Card reads a learner card.
func (s *Store) Card(ctx context.Context, id int64) (domain.LearnerCard, error) {
	c, err := scanCard(s.db.R.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM learner_cards WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("card %d: %w", id, ErrNotFound)
	}
	return c, err
}

// ValidCardOf reads an enrolment's valid card (in tx when given); ok is
// false when it has none.
func (s *Store) ValidCardOf(ctx context.Context, tx *sql.Tx, enrolmentID int64) (domain.LearnerCard, bool, error) {
	c, err := scanCard(s.querier(tx).QueryRowContext(ctx, `SELECT `+cardColumns+` FROM learner_cards
		WHERE enrolment_id = $1 AND revoked_at IS NULL`, enrolmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("card of enrolment %d: %w", enrolmentID, err)
	}
	return c, true, nil
}

// SigningKey returns the secret named name, creating it (32 random bytes) on
// first use. Every instance reads the same row: what one signs, another
// verifies.
func (s *Store) SigningKey(ctx context.Context, name string, now time.Time) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", name, err)
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO signing_keys (name, secret, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, fresh, s.instantArg(now)); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", name, err)
	}
	var secret []byte
	if err := s.db.W.QueryRowContext(ctx, `SELECT secret FROM signing_keys WHERE name = $1`, name).Scan(&secret); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", name, err)
	}
	return secret, nil
}

// CourseLearner is a candidature accepted in a course, as its enrolment list
// shows it: the person, the half-tariff claim and its check.
type CourseLearner struct {
	CandidatureID, AccountID int64
	FirstName, LastName      string
	HalfTariffClaim          bool
	ProofID                  int64
	ProofIssued              time.Time
	ProofErased              bool
	Check                    domain.HalfTariffCheck // Decision "" when not checked
}

// CourseLearners lists the candidatures accepted in a course (the one chosen
// or a redirect), by name.
func (s *Store) CourseLearners(ctx context.Context, courseID int64) ([]CourseLearner, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.account_id, a.first_name, a.last_name, c.half_tariff_claim,
		COALESCE(c.proof_id, 0), p.issue_date, p.erased_at IS NOT NULL, COALESCE(h.decision, ''), COALESCE(h.reason, ''),
		COALESCE(h.checked_by, 0), h.checked_at
		FROM candidatures c JOIN accounts a ON a.id = c.account_id
		LEFT JOIN proofs p ON p.id = c.proof_id
		LEFT JOIN half_tariff_checks h ON h.candidature_id = c.id
		WHERE c.status = 'accepted' AND c.accepted_course_id = $1 ORDER BY a.last_name, a.first_name, c.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("learners of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []CourseLearner
	for rows.Next() {
		var l CourseLearner
		var erased sql.NullBool
		if err := rows.Scan(&l.CandidatureID, &l.AccountID, &l.FirstName, &l.LastName, &l.HalfTariffClaim, &l.ProofID,
			nullTime{&l.ProofIssued}, &erased, &l.Check.Decision, &l.Check.Reason, &l.Check.CheckedBy,
			nullTime{&l.Check.CheckedAt}); err != nil {
			return nil, fmt.Errorf("learners of course %d: %w", courseID, err)
		}
		l.ProofErased, l.Check.CandidatureID = erased.Bool, l.CandidatureID
		out = append(out, l)
	}
	return out, rows.Err()
}

// ProofFile reads a proof's bytes for staff checking it (CAN-9).
func (s *Store) ProofFile(ctx context.Context, id int64) (domain.Proof, error) {
	var p domain.Proof
	err := s.db.R.QueryRowContext(ctx, `SELECT id, account_id, content_type, data, sha256, issue_date, uploaded_at FROM proofs
		WHERE id = $1`, id).Scan(&p.ID, &p.AccountID, &p.ContentType, &p.Data, &p.SHA256, timeCol{&p.IssueDate}, timeCol{&p.UploadedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("proof %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("proof %d: %w", id, err)
	}
	return p, nil
}

// UseLink ends a third party's payment link once its payment is booked.
func (s *Store) UseLink(ctx context.Context, tx *sql.Tx, linkID int64, payerName string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE payment_links SET used_at = $1, payer_name = $2 WHERE id = $3 AND used_at IS NULL`,
		s.instantArg(at), payerName, linkID); err != nil {
		return fmt.Errorf("use payment link %d: %w", linkID, err)
	}
	return nil
}

// EnrolmentsEndingBy lists the enrolments still due, not reminded, whose
// own window or extension or course's extension ends by day (a civil date):
// the candidates for the reminder; the caller checks each one's LastDay.
func (s *Store) EnrolmentsEndingBy(ctx context.Context, day time.Time, limit int) ([]domain.Enrolment, error) {
	return s.enrolments(ctx, s.db.R, `e.state = 'due' AND e.reminded_at IS NULL AND (e.pay_until <= $1 OR e.extended_until <= $1
		OR c.pay_extended_until <= $1) ORDER BY e.id LIMIT $2`, dayArg(day), limit)
}

// MarkEnrolmentReminded notes, in tx, the reminder of a fee; ok is false
// when another instance sent it first, and then nothing is to be sent.
func (s *Store) MarkEnrolmentReminded(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE enrolments SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL AND state = 'due'`,
		s.instantArg(at), id)
	return affectedOne(res, err, "mark enrolment %d reminded", id)
}

// ClearEnrolmentReminder forgets, in tx, that a fee was reminded: its last
// day moved, and the eve of the new one reminds it again.
func (s *Store) ClearEnrolmentReminder(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET reminded_at = NULL WHERE id = $1 AND state = 'due'`, id); err != nil {
		return fmt.Errorf("clear the reminder of enrolment %d: %w", id, err)
	}
	return nil
}
