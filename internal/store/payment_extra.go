package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
)

// Third parties' payment links (PAY-4) and the attestations asked for in
// writing (PAY-7).

// PaymentLink is a one-use link a learner gives a third party to pay their
// fee. Only the SHA-256 of its token is kept: the token itself is shown once.
type PaymentLink struct {
	ID          int64
	EnrolmentID int64
	TokenHash   string // hex SHA-256 of the token
	CreatedAt   time.Time
	UsedAt      time.Time // zero until its payment is booked
	PayerName   string    // who paid through it, once used
}

const linkColumns = `id, enrolment_id, token_hash, created_at, used_at, payer_name`

func scanLink(row rowScanner) (PaymentLink, error) {
	var l PaymentLink
	err := row.Scan(&l.ID, &l.EnrolmentID, &l.TokenHash, timeCol{&l.CreatedAt}, nullTime{&l.UsedAt}, &l.PayerName)
	return l, err
}

// InsertLink records a new payment link and sets its ID.
func (s *Store) InsertLink(ctx context.Context, tx *sql.Tx, l *PaymentLink) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO payment_links (enrolment_id, token_hash, created_at) VALUES ($1, $2, $3)
		RETURNING id`, l.EnrolmentID, l.TokenHash, s.instantArg(l.CreatedAt)).Scan(&l.ID)
	if err != nil {
		return fmt.Errorf("insert a payment link of enrolment %d: %w", l.EnrolmentID, err)
	}
	return nil
}

// LinkByHash finds a link by its token's hash: the one lookup a token is
// checked by (an index, never a scan of the links).
func (s *Store) LinkByHash(ctx context.Context, tokenHash string) (PaymentLink, error) {
	l, err := scanLink(s.db.R.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE token_hash = $1`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("payment link: %w", ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("payment link: %w", err)
	}
	return l, nil
}

// LatestLink reads an enrolment's newest link (in tx when given); ok is
// false when it has none. Only the newest link of an enrolment is live: a
// new one replaces the previous.
func (s *Store) LatestLink(ctx context.Context, tx *sql.Tx, enrolmentID int64) (PaymentLink, bool, error) {
	l, err := scanLink(s.querier(tx).QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE enrolment_id = $1
		ORDER BY id DESC LIMIT 1`, enrolmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("payment link of enrolment %d: %w", enrolmentID, err)
	}
	return l, true, nil
}

// Attestation is an attestation asked for in writing (PAY-7): of training
// cost or of payment, one of each per candidature.
type Attestation struct {
	ID            int64
	CandidatureID int64
	AccountID     int64
	Kind          string // "cost" or "payment"
	Number        string
	RequestedAt   time.Time
}

const attestationColumns = `id, candidature_id, account_id, kind, number, requested_at`

func scanAttestation(row rowScanner) (Attestation, error) {
	var a Attestation
	err := row.Scan(&a.ID, &a.CandidatureID, &a.AccountID, &a.Kind, &a.Number, timeCol{&a.RequestedAt})
	return a, err
}

// InsertAttestation records a request; created is false when the
// candidature had one of that kind already (then a is left as it was).
func (s *Store) InsertAttestation(ctx context.Context, tx *sql.Tx, a *Attestation) (created bool, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO attestations (candidature_id, account_id, kind, number, requested_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (candidature_id, kind) DO NOTHING RETURNING id`,
		a.CandidatureID, a.AccountID, a.Kind, a.Number, s.instantArg(a.RequestedAt)).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert the %s attestation of candidature %d: %w", a.Kind, a.CandidatureID, err)
	}
	return true, nil
}

// AttestationOf reads a candidature's attestation of a kind (in tx when
// given); ok is false when none was asked for.
func (s *Store) AttestationOf(ctx context.Context, tx *sql.Tx, candidatureID int64, kind string) (Attestation, bool, error) {
	a, err := scanAttestation(s.querier(tx).QueryRowContext(ctx, `SELECT `+attestationColumns+` FROM attestations
		WHERE candidature_id = $1 AND kind = $2`, candidatureID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("%s attestation of candidature %d: %w", kind, candidatureID, err)
	}
	return a, true, nil
}

// AttestationByID reads one attestation.
func (s *Store) AttestationByID(ctx context.Context, id int64) (Attestation, error) {
	a, err := scanAttestation(s.db.R.QueryRowContext(ctx, `SELECT `+attestationColumns+` FROM attestations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("attestation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("attestation %d: %w", id, err)
	}
	return a, nil
}

// DueEnrolment is an enrolment whose fee is still due, with its learner's
// name, for the director's queue of unpaid fees (PAY-1).
type DueEnrolment struct {
	domain.Enrolment
	FirstName, LastName string
}

// scanWith scans a row's first columns with a scanner of its own and the
// rest into extra.
type scanWith struct {
	row   rowScanner
	extra []any
}

func (x scanWith) Scan(dest ...any) error { return x.row.Scan(append(dest, x.extra...)...) }

// DueEnrolments lists the enrolments still due (neither paid nor freed) of
// the courses of the given establishments, or of every course when
// establishmentIDs is nil, by id; the caller sorts them by last day, which
// is the later of three dates.
func (s *Store) DueEnrolments(ctx context.Context, establishmentIDs []int64) ([]DueEnrolment, error) {
	if establishmentIDs != nil && len(establishmentIDs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + enrolmentColumns + `, a.first_name, a.last_name` + enrolmentFrom +
		` JOIN accounts a ON a.id = e.account_id WHERE e.state = 'due'`
	var args []any
	if establishmentIDs != nil {
		marks := make([]string, len(establishmentIDs))
		for i, id := range establishmentIDs {
			args = append(args, id)
			marks[i] = "$" + strconv.Itoa(i+1)
		}
		q += ` AND c.establishment_id IN (` + strings.Join(marks, ", ") + `)`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("due enrolments: %w", err)
	}
	defer rows.Close()
	var out []DueEnrolment
	for rows.Next() {
		var d DueEnrolment
		if d.Enrolment, err = scanEnrolment(scanWith{rows, []any{&d.FirstName, &d.LastName}}); err != nil {
			return nil, fmt.Errorf("due enrolments: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
