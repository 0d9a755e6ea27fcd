package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

// DuplicateReview is a new account held because it looks like an existing
// person's (same last name, first name and birth date; ACC-3).
type DuplicateReview struct {
	ID       int64
	Held     domain.Account
	Existing domain.Account
	Status   string // pending, merged, dismissed
	Created  time.Time
}

// InsertDuplicateReview records a probable duplicate for staff to decide.
func (s *Store) InsertDuplicateReview(ctx context.Context, tx *sql.Tx, heldID, existingID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO duplicate_reviews (held_account_id, existing_account_id, status, created_at, reason)
		VALUES ($1, $2, 'pending', $3, '')`, heldID, existingID, s.instantArg(at))
	if err != nil {
		return fmt.Errorf("record probable duplicate %d of %d: %w", heldID, existingID, err)
	}
	return nil
}

// PendingDuplicates lists the reviews waiting for a decision, oldest first.
func (s *Store) PendingDuplicates(ctx context.Context) ([]DuplicateReview, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, held_account_id, existing_account_id, status, created_at
		FROM duplicate_reviews WHERE status = 'pending' ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list probable duplicates: %w", err)
	}
	type ids struct{ id, held, existing int64 }
	var refs []ids
	var out []DuplicateReview
	for rows.Next() {
		var r DuplicateReview
		var ref ids
		if err := rows.Scan(&ref.id, &ref.held, &ref.existing, &r.Status, timeCol{&r.Created}); err != nil {
			rows.Close()
			return nil, err
		}
		r.ID = ref.id
		refs = append(refs, ref)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, ref := range refs {
		if out[i].Held, err = s.Account(ctx, ref.held); err != nil {
			return nil, err
		}
		if out[i].Existing, err = s.Account(ctx, ref.existing); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ErrAlreadyDecided is returned when a review was decided meanwhile (another
// staff member, a second click).
var ErrAlreadyDecided = errors.New("already decided")

// DecideDuplicate closes a pending review. Only one decision wins: the update is
// conditional on the review still being pending.
func (s *Store) DecideDuplicate(ctx context.Context, tx *sql.Tx, id int64, status string, by int64, reason string, at time.Time) (DuplicateReview, error) {
	var r DuplicateReview
	var held, existing int64
	err := tx.QueryRowContext(ctx, `UPDATE duplicate_reviews SET status = $1, decided_by = $2, decided_at = $3, reason = $4
		WHERE id = $5 AND status = 'pending' RETURNING held_account_id, existing_account_id`,
		status, by, s.instantArg(at), reason, id).Scan(&held, &existing)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("review %d: %w", id, ErrAlreadyDecided)
	}
	if err != nil {
		return r, fmt.Errorf("decide review %d: %w", id, err)
	}
	r.ID, r.Status = id, status
	if r.Held, err = s.AccountTx(ctx, tx, held); err != nil {
		return r, err
	}
	r.Existing, err = s.AccountTx(ctx, tx, existing)
	return r, err
}
