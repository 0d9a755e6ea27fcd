package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sign-on identities (ACC-3): the (issuer, subject) pairs linked to accounts,
// and the staff sign-ins held for the central service because they could not
// be linked on their own.

// IdentityLink is one sign-on identity linked to an account.
type IdentityLink struct {
	Issuer, Subject string
	AccountID       int64
	LinkedAt        time.Time // zero for links made before the date was kept
}

// IdentitiesOf lists the identities linked to an account, oldest link first.
// tx may be nil (the read pool).
func (s *Store) IdentitiesOf(ctx context.Context, tx *sql.Tx, accountID int64) ([]IdentityLink, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT issuer, subject, account_id, linked_at FROM account_identities
		WHERE account_id = $1 ORDER BY linked_at, issuer, subject`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list identities of %d: %w", accountID, err)
	}
	return scanIdentityLinks(rows)
}

func scanIdentityLinks(rows *sql.Rows) ([]IdentityLink, error) {
	defer rows.Close()
	var out []IdentityLink
	for rows.Next() {
		var l IdentityLink
		if err := rows.Scan(&l.Issuer, &l.Subject, &l.AccountID, nullTime{&l.LinkedAt}); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CandidateIdentitiesByEmail lists the identities linked to candidate
// accounts (merged ones aside) that use an email address: the accounts a
// staff member's first sign-in made before staff sign-ins were held.
func (s *Store) CandidateIdentitiesByEmail(ctx context.Context, email string) ([]IdentityLink, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT i.issuer, i.subject, i.account_id, i.linked_at
		FROM account_identities i JOIN accounts a ON a.id = i.account_id
		WHERE a.email = $1 AND a.kind = 'candidate' AND a.status <> 'merged' ORDER BY a.id, i.issuer, i.subject`,
		strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, fmt.Errorf("identities of candidates with %s: %w", email, err)
	}
	return scanIdentityLinks(rows)
}

// IdentityOwner is the account an identity is linked to, ErrNotFound when none.
func (s *Store) IdentityOwner(ctx context.Context, tx *sql.Tx, issuer, subject string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT account_id FROM account_identities WHERE issuer = $1 AND subject = $2`,
		issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("owner of identity %s %s: %w", issuer, subject, err)
	}
	return id, nil
}

// MoveIdentity links an identity, linked to account from, to account to
// instead; false when it was not linked to from (moved meanwhile).
func (s *Store) MoveIdentity(ctx context.Context, tx *sql.Tx, issuer, subject string, from, to int64, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE account_identities SET account_id = $1, linked_at = $2
		WHERE issuer = $3 AND subject = $4 AND account_id = $5`, to, s.instantArg(at), issuer, subject, from)
	if err != nil {
		return false, fmt.Errorf("move identity %s %s to %d: %w", issuer, subject, to, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UnlinkIdentity removes an identity's link to an account; false when it was
// not linked to it (unlinked meanwhile).
func (s *Store) UnlinkIdentity(ctx context.Context, tx *sql.Tx, issuer, subject string, accountID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM account_identities WHERE issuer = $1 AND subject = $2 AND account_id = $3`,
		issuer, subject, accountID)
	if err != nil {
		return false, fmt.Errorf("unlink identity %s %s from %d: %w", issuer, subject, accountID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountIdentities is how many identities are linked to an account.
func (s *Store) CountIdentities(ctx context.Context, tx *sql.Tx, accountID int64) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_identities WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count identities of %d: %w", accountID, err)
	}
	return n, nil
}

// CountCandidaturesOf is how many candidatures an account has ever filed.
func (s *Store) CountCandidaturesOf(ctx context.Context, tx *sql.Tx, accountID int64) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM candidatures WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count candidatures of %d: %w", accountID, err)
	}
	return n, nil
}

// The states of a held staff sign-in.
const (
	SignInPending   = "pending"   // waiting for the central service
	SignInLinked    = "linked"    // linked to the staff account
	SignInCandidate = "candidate" // refused: the person is a candidate, their next sign-in makes a candidate account
	SignInRefused   = "refused"   // refused: the identity signs in nowhere
)

// StaffSignInRequest is a staff sign-in held for the central service.
type StaffSignInRequest struct {
	ID                  int64
	Issuer, Subject     string
	StaffAccountID      int64
	Email               string
	FirstName, LastName string
	Status              string
	Created, LastTry    time.Time
	Attempts            int
	DecidedBy           int64
	Decided             time.Time
	Reason              string
}

const staffSignInColumns = `id, issuer, subject, staff_account_id, email, first_name, last_name, status, created_at,
	last_attempt_at, attempts, decided_by, decided_at, reason`

func scanStaffSignIn(row rowScanner) (StaffSignInRequest, error) {
	var r StaffSignInRequest
	var by sql.NullInt64
	err := row.Scan(&r.ID, &r.Issuer, &r.Subject, &r.StaffAccountID, &r.Email, &r.FirstName, &r.LastName, &r.Status,
		timeCol{&r.Created}, timeCol{&r.LastTry}, &r.Attempts, &by, nullTime{&r.Decided}, &r.Reason)
	r.DecidedBy = by.Int64
	return r, err
}

// HoldStaffSignIn records a held staff sign-in, once per identity: a second
// attempt (or one at the same moment on another instance: the unique key
// settles it) counts on the same request and keeps the email and names it
// brings while the request is pending. created says whether this call made it.
func (s *Store) HoldStaffSignIn(ctx context.Context, tx *sql.Tx, r StaffSignInRequest) (created bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO staff_signin_requests (issuer, subject, staff_account_id, email, first_name,
		last_name, status, created_at, last_attempt_at, attempts, reason) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, 1, '')
		ON CONFLICT (issuer, subject) DO NOTHING`, r.Issuer, r.Subject, r.StaffAccountID, strings.ToLower(r.Email),
		r.FirstName, r.LastName, s.instantArg(r.Created))
	if err != nil {
		return false, fmt.Errorf("hold staff sign-in %s %s: %w", r.Issuer, r.Subject, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE staff_signin_requests SET attempts = attempts + 1, last_attempt_at = $1,
		email = $2, first_name = $3, last_name = $4, staff_account_id = $5
		WHERE issuer = $6 AND subject = $7 AND status = 'pending'`, s.instantArg(r.Created), strings.ToLower(r.Email),
		r.FirstName, r.LastName, r.StaffAccountID, r.Issuer, r.Subject)
	if err != nil {
		return false, fmt.Errorf("count staff sign-in attempt %s %s: %w", r.Issuer, r.Subject, err)
	}
	return false, nil
}

// StaffSignInByIdentity is the request of an identity, ErrNotFound when none.
func (s *Store) StaffSignInByIdentity(ctx context.Context, tx *sql.Tx, issuer, subject string) (StaffSignInRequest, error) {
	r, err := scanStaffSignIn(tx.QueryRowContext(ctx, `SELECT `+staffSignInColumns+` FROM staff_signin_requests
		WHERE issuer = $1 AND subject = $2`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read staff sign-in %s %s: %w", issuer, subject, err)
	}
	return r, nil
}

// ForgetStaffSignIn deletes an identity's request (its identity was unlinked:
// its next sign-in starts afresh). The audit trail keeps the history.
func (s *Store) ForgetStaffSignIn(ctx context.Context, tx *sql.Tx, issuer, subject string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_signin_requests WHERE issuer = $1 AND subject = $2`, issuer, subject); err != nil {
		return fmt.Errorf("forget staff sign-in %s %s: %w", issuer, subject, err)
	}
	return nil
}

// PendingStaffSignIns lists a page of the requests waiting for a decision,
// oldest first, with how many wait; staffID 0 is every staff account's.
func (s *Store) PendingStaffSignIns(ctx context.Context, staffID int64, limit, offset int) ([]StaffSignInRequest, int, error) {
	where, args := `status = 'pending'`, []any{}
	if staffID != 0 {
		where, args = where+` AND staff_account_id = $1`, append(args, staffID)
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM staff_signin_requests WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count held staff sign-ins: %w", err)
	}
	args = append(args, limit, offset)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+staffSignInColumns+` FROM staff_signin_requests WHERE `+where+
		fmt.Sprintf(` ORDER BY created_at, id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list held staff sign-ins: %w", err)
	}
	defer rows.Close()
	var out []StaffSignInRequest
	for rows.Next() {
		r, err := scanStaffSignIn(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// DecideStaffSignIn closes a pending request; only one decision wins (the
// update is conditional on the request still pending), the others are
// ErrAlreadyDecided.
func (s *Store) DecideStaffSignIn(ctx context.Context, tx *sql.Tx, id int64, status string, by int64, reason string, at time.Time) (StaffSignInRequest, error) {
	r, err := scanStaffSignIn(tx.QueryRowContext(ctx, `UPDATE staff_signin_requests SET status = $1, decided_by = $2,
		decided_at = $3, reason = $4 WHERE id = $5 AND status = 'pending' RETURNING `+staffSignInColumns,
		status, by, s.instantArg(at), reason, id))
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff_signin_requests WHERE id = $1`, id).Scan(&n); err != nil {
			return r, fmt.Errorf("read staff sign-in %d: %w", id, err)
		}
		if n == 0 {
			return r, fmt.Errorf("staff sign-in %d: %w", id, ErrNotFound)
		}
		return r, fmt.Errorf("staff sign-in %d: %w", id, ErrAlreadyDecided)
	}
	if err != nil {
		return r, fmt.Errorf("decide staff sign-in %d: %w", id, err)
	}
	return r, nil
}

// SettleStaffSignIn marks an identity's pending request linked when the
// central service links that identity from a person's file, or when the
// provider says its email is verified at a later sign-in (by 0: the
// platform).
func (s *Store) SettleStaffSignIn(ctx context.Context, tx *sql.Tx, issuer, subject string, by int64, reason string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff_signin_requests SET status = 'linked', decided_by = $1, decided_at = $2, reason = $3
		WHERE issuer = $4 AND subject = $5 AND status = 'pending'`, nullID(by), s.instantArg(at), reason, issuer, subject)
	if err != nil {
		return fmt.Errorf("settle staff sign-in %s %s: %w", issuer, subject, err)
	}
	return nil
}

// EndSessionsTx ends every session of an account inside a transaction
// (SignOutEverywhere's, for a change made with others).
func (s *Store) EndSessionsTx(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("end sessions of %d: %w", id, err)
	}
	return nil
}
