package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

// The régie's journal read for its pages and exports, and its daily
// closings (PAY-1, PAY-2). Counts and sums are computed by the database, in
// integer cents, never added up in Go.

// establishmentClause restricts a ledger query to one establishment, or to
// every one when id is 0 (the régisseur's and the central service's
// exports); arg is the placeholder's number.
func establishmentClause(alias string, id int64, arg int) (string, []any) {
	if id == 0 {
		return "", nil
	}
	return fmt.Sprintf(" AND %sestablishment_id = $%d", alias, arg), []any{id}
}

// LedgerTotals sums an establishment's journal (0: every establishment)
// per day and mode between two days, inclusive, by day, establishment and
// mode.
func (s *Store) LedgerTotals(ctx context.Context, establishmentID int64, from, to time.Time) ([]domain.LedgerTotal, error) {
	where, args := establishmentClause("", establishmentID, 3)
	rows, err := s.db.R.QueryContext(ctx, `SELECT establishment_id, day, mode, COUNT(*), CAST(SUM(amount_cents) AS BIGINT)
		FROM ledger_entries WHERE day >= $1 AND day <= $2`+where+`
		GROUP BY establishment_id, day, mode ORDER BY day, establishment_id, mode`,
		append([]any{dayArg(from), dayArg(to)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("ledger totals of establishment %d: %w", establishmentID, err)
	}
	defer rows.Close()
	var out []domain.LedgerTotal
	for rows.Next() {
		var t domain.LedgerTotal
		if err := rows.Scan(&t.EstablishmentID, timeCol{&t.Day}, &t.Mode, &t.Entries, &t.TotalCents); err != nil {
			return nil, fmt.Errorf("ledger totals of establishment %d: %w", establishmentID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const closingColumns = `l.establishment_id, l.day, l.mode, l.entries, l.total_cents, l.signed_by, a.first_name, a.last_name,
	l.signed_at FROM ledger_closings l JOIN accounts a ON a.id = l.signed_by`

func scanClosing(row rowScanner) (domain.LedgerClosing, error) {
	var c domain.LedgerClosing
	var first, last string
	err := row.Scan(&c.EstablishmentID, timeCol{&c.Day}, &c.Mode, &c.Entries, &c.TotalCents, &c.SignedBy, &first, &last,
		timeCol{&c.SignedAt})
	c.SignedByName = first + " " + last
	return c, err
}

// LedgerClosings lists the closings of an establishment (0: every
// establishment) between two days, inclusive, by day, establishment and mode.
func (s *Store) LedgerClosings(ctx context.Context, establishmentID int64, from, to time.Time) ([]domain.LedgerClosing, error) {
	where, args := establishmentClause("l.", establishmentID, 3)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+closingColumns+` WHERE l.day >= $1 AND l.day <= $2`+where+`
		ORDER BY l.day, l.establishment_id, l.mode`, append([]any{dayArg(from), dayArg(to)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("ledger closings of establishment %d: %w", establishmentID, err)
	}
	defer rows.Close()
	var out []domain.LedgerClosing
	for rows.Next() {
		c, err := scanClosing(rows)
		if err != nil {
			return nil, fmt.Errorf("ledger closings of establishment %d: %w", establishmentID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CloseLedgerDay writes, in tx, the closing of one day and mode of an
// establishment, its count and total computed by the same statement from
// the journal's entries; created is false when that day and mode were
// already closed, and then nothing changes. It returns the closing as it
// stands.
func (s *Store) CloseLedgerDay(ctx context.Context, tx *sql.Tx, establishmentID int64, day time.Time, mode domain.PaymentMode,
	by int64, at time.Time) (c domain.LedgerClosing, created bool, err error) {
	var one int
	err = tx.QueryRowContext(ctx, `INSERT INTO ledger_closings (establishment_id, day, mode, entries, total_cents, signed_by, signed_at)
		VALUES ($1, $2, $3,
			(SELECT COUNT(*) FROM ledger_entries WHERE establishment_id = $1 AND day = $2 AND mode = $3),
			(SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE establishment_id = $1 AND day = $2 AND mode = $3),
			$4, $5)
		ON CONFLICT (establishment_id, day, mode) DO NOTHING RETURNING 1`,
		establishmentID, dayArg(day), string(mode), by, s.instantArg(at)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return c, false, fmt.Errorf("close the ledger of establishment %d on %s (%s): %w", establishmentID, dayArg(day), mode, err)
	default:
		created = true
	}
	c, err = scanClosing(tx.QueryRowContext(ctx, `SELECT `+closingColumns+`
		WHERE l.establishment_id = $1 AND l.day = $2 AND l.mode = $3`, establishmentID, dayArg(day), string(mode)))
	if err != nil {
		return c, false, fmt.Errorf("closing of establishment %d on %s (%s): %w", establishmentID, dayArg(day), mode, err)
	}
	return c, created, nil
}

// LedgerLine is a journal entry as the régie's page and exports show it,
// with the name of the staff member who recorded it (none for a card paid
// online).
type LedgerLine struct {
	domain.LedgerEntry
	RecordedByName string
}

// LedgerLines lists the journal of an establishment (0: every
// establishment) between two days, inclusive, by day, establishment and the
// order written.
func (s *Store) LedgerLines(ctx context.Context, establishmentID int64, from, to time.Time) ([]LedgerLine, error) {
	where, args := establishmentClause("l.", establishmentID, 3)
	rows, err := s.db.R.QueryContext(ctx, `SELECT l.id, l.establishment_id, l.day, l.mode, l.kind, l.amount_cents,
		COALESCE(l.payment_id, 0), l.reference, l.label, l.recorded_at, COALESCE(l.recorded_by, 0),
		COALESCE(a.first_name, ''), COALESCE(a.last_name, '')
		FROM ledger_entries l LEFT JOIN accounts a ON a.id = l.recorded_by
		WHERE l.day >= $1 AND l.day <= $2`+where+` ORDER BY l.day, l.establishment_id, l.id`,
		append([]any{dayArg(from), dayArg(to)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("ledger of establishment %d: %w", establishmentID, err)
	}
	defer rows.Close()
	var out []LedgerLine
	for rows.Next() {
		var l LedgerLine
		var first, last string
		if err := rows.Scan(&l.ID, &l.EstablishmentID, timeCol{&l.Day}, &l.Mode, &l.Kind, &l.AmountCents, &l.PaymentID,
			&l.Reference, &l.Label, timeCol{&l.RecordedAt}, &l.RecordedBy, &first, &last); err != nil {
			return nil, fmt.Errorf("ledger of establishment %d: %w", establishmentID, err)
		}
		if first != "" || last != "" {
			l.RecordedByName = first + " " + last
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ChequeLine is a cheque taken at an establishment's desk, for its
// remittance slip.
type ChequeLine struct {
	Number, Bank, Drawer string
	FirstName, LastName  string
	Receipt              string
	AmountCents          int64
}

// ChequesOfDay lists the cheques an establishment's desk took on day (the
// journal's Paris civil day), in the order written.
func (s *Store) ChequesOfDay(ctx context.Context, establishmentID int64, day time.Time) ([]ChequeLine, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT p.cheque_number, p.cheque_bank, p.cheque_drawer, a.first_name, a.last_name,
		p.receipt_number, p.amount_cents FROM ledger_entries l JOIN payments p ON p.id = l.payment_id
		JOIN accounts a ON a.id = p.account_id
		WHERE l.establishment_id = $1 AND l.day = $2 AND l.mode = 'cheque' AND l.kind = 'payment' ORDER BY l.id`,
		establishmentID, dayArg(day))
	if err != nil {
		return nil, fmt.Errorf("cheques of establishment %d: %w", establishmentID, err)
	}
	defer rows.Close()
	var out []ChequeLine
	for rows.Next() {
		var c ChequeLine
		if err := rows.Scan(&c.Number, &c.Bank, &c.Drawer, &c.FirstName, &c.LastName, &c.Receipt, &c.AmountCents); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
