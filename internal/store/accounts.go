package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// querier is what both *sql.DB and *sql.Tx offer, so that reads run inside a
// transaction or straight on the read pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const accountColumns = `id, kind, status, email, first_name, last_name, birth_date, phone, address_line1, address_line2,
	postal_code, city, country, created_at, session_epoch, password_hash, totp_secret, totp_last_step`

type rowScanner interface{ Scan(dest ...any) error }

func scanAccount(row rowScanner) (domain.Account, error) {
	var a domain.Account
	dest := []any{&a.ID, &a.Kind, &a.Status, &a.Email, &a.FirstName, &a.LastName, nullTime{&a.BirthDate},
		&a.Phone, &a.Address.Line1, &a.Address.Line2, &a.Address.PostalCode, &a.Address.City, &a.Address.Country,
		timeCol{&a.CreatedAt}, &a.SessionEpoch, &a.PasswordHash, &a.TOTPSecret, &a.TOTPLastStep}
	if err := row.Scan(dest...); err != nil {
		return a, err
	}
	return a, nil
}

// scanAccounts reads every row of an accounts query (without grants) and closes it.
func scanAccounts(rows *sql.Rows) ([]domain.Account, error) {
	defer rows.Close()
	var out []domain.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// nullTime scans a nullable date or instant; NULL leaves the zero time.
type nullTime struct{ t *time.Time }

func (c nullTime) Scan(v any) error {
	if v == nil {
		*c.t = time.Time{}
		return nil
	}
	return timeCol{c.t}.Scan(v)
}

func (s *Store) nullDayArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dayArg(t)
}

func (s *Store) accountWhere(ctx context.Context, q querier, where string, args ...any) (domain.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("read account: %w", err)
	}
	return withGrants(ctx, q, a)
}

// withGrants adds a staff member's grants to an account just read; candidates
// have none, and are spared the query.
func withGrants(ctx context.Context, q querier, a domain.Account) (domain.Account, error) {
	var err error
	if a.Kind == domain.AccountStaff {
		a.Grants, err = grantsOf(ctx, q, a.ID)
	}
	return a, err
}

// Account reads an account with its grants.
func (s *Store) Account(ctx context.Context, id int64) (domain.Account, error) {
	return s.accountWhere(ctx, s.db.R, `id = $1`, id)
}

// LockAndReadPerson reads an account inside a write transaction and, on
// PostgreSQL, locks its row until the transaction ends (see LockPerson), in one
// round trip.
func (s *Store) LockAndReadPerson(ctx context.Context, tx *sql.Tx, id int64) (domain.Account, error) {
	if s.db.Dialect == db.Postgres {
		return s.accountWhere(ctx, tx, `id = $1 FOR UPDATE`, id)
	}
	return s.accountWhere(ctx, tx, `id = $1`, id)
}

// AccountTx reads an account inside a transaction.
func (s *Store) AccountTx(ctx context.Context, tx *sql.Tx, id int64) (domain.Account, error) {
	return s.accountWhere(ctx, tx, `id = $1`, id)
}

// AccountByIdentity finds the account a sign-on subject belongs to (ACC-3).
func (s *Store) AccountByIdentity(ctx context.Context, tx *sql.Tx, issuer, subject string) (domain.Account, error) {
	return s.accountWhere(ctx, tx, `id = (SELECT account_id FROM account_identities WHERE issuer = $1 AND subject = $2)`, issuer, subject)
}

// StaffByEmail finds an active or disabled staff account by email (local
// password sign-in, and linking a staff member's first sign-on).
func (s *Store) StaffByEmail(ctx context.Context, tx *sql.Tx, email string) (domain.Account, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	return s.accountWhere(ctx, q, `kind = 'staff' AND email = $1 ORDER BY id LIMIT 1`, strings.ToLower(email))
}

// AccountByEmail finds the account, of any kind, that uses an email address,
// merged accounts left aside: staff forms refuse a second account with the same
// address. tx may be nil (the read pool).
func (s *Store) AccountByEmail(ctx context.Context, tx *sql.Tx, email string) (domain.Account, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	return s.accountWhere(ctx, q, `email = $1 AND status <> 'merged' ORDER BY id LIMIT 1`, strings.ToLower(strings.TrimSpace(email)))
}

// HasIdentity reports whether an account is linked to any sign-on subject.
func (s *Store) HasIdentity(ctx context.Context, tx *sql.Tx, accountID int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_identities WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return false, fmt.Errorf("count identities of %d: %w", accountID, err)
	}
	return n > 0, nil
}

// CandidatesByIdentityKey lists the other candidate accounts with the same last
// name, first name and birth date (ACC-3).
func (s *Store) CandidatesByIdentityKey(ctx context.Context, tx *sql.Tx, key string, except int64) ([]domain.Account, error) {
	if key == "" {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE identity_key = $1 AND kind = 'candidate' AND id <> $2 AND status = 'active' ORDER BY id`, key, except)
	if err != nil {
		return nil, fmt.Errorf("find same identity: %w", err)
	}
	return scanAccounts(rows)
}

// InsertAccount creates an account and sets its ID.
func (s *Store) InsertAccount(ctx context.Context, tx *sql.Tx, a *domain.Account) error {
	a.Email = strings.ToLower(strings.TrimSpace(a.Email))
	if a.Address.Country == "" {
		a.Address.Country = "FR"
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO accounts (kind, status, email, first_name, last_name, birth_date,
		identity_key, phone, address_line1, address_line2, postal_code, city, country, created_at, session_epoch,
		password_hash, totp_secret, totp_last_step, search_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		string(a.Kind), string(a.Status), a.Email, a.FirstName, a.LastName, s.nullDayArg(a.BirthDate),
		domain.IdentityKey(a.LastName, a.FirstName, a.BirthDate), a.Phone, a.Address.Line1, a.Address.Line2,
		a.Address.PostalCode, a.Address.City, a.Address.Country, s.instantArg(a.CreatedAt), a.SessionEpoch,
		a.PasswordHash, a.TOTPSecret, a.TOTPLastStep, accountSearchKey(*a)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert account: %w", err)
	}
	return nil
}

func accountSearchKey(a domain.Account) string {
	return domain.SearchKey(a.LastName + " " + a.FirstName + " " + a.Email)
}

// LinkIdentity ties a sign-on subject to an account. The primary key makes a
// second link of the same subject fail: one subject, one account (ACC-3).
func (s *Store) LinkIdentity(ctx context.Context, tx *sql.Tx, issuer, subject string, accountID int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_identities (issuer, subject, account_id, linked_at) VALUES ($1, $2, $3, $4)`,
		issuer, subject, accountID, s.instantArg(at)); err != nil {
		return fmt.Errorf("link identity to account %d: %w", accountID, err)
	}
	return nil
}

// MoveIdentities moves every sign-on subject of one account to another (merge).
func (s *Store) MoveIdentities(ctx context.Context, tx *sql.Tx, from, to int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE account_identities SET account_id = $1 WHERE account_id = $2`, to, from); err != nil {
		return fmt.Errorf("move identities from %d to %d: %w", from, to, err)
	}
	return nil
}

// SetEmail takes over the email from the sign-on (ACC-4).
func (s *Store) SetEmail(ctx context.Context, tx *sql.Tx, id int64, email string) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET email = $1 WHERE id = $2`, strings.ToLower(strings.TrimSpace(email)), id)
	if err != nil {
		return fmt.Errorf("update email of %d: %w", id, err)
	}
	return nil
}

// SetContact changes phone and postal address (ACC-4).
func (s *Store) SetContact(ctx context.Context, tx *sql.Tx, id int64, phone string, addr domain.Address) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET phone = $1, address_line1 = $2, address_line2 = $3, postal_code = $4,
		city = $5, country = $6 WHERE id = $7`, phone, addr.Line1, addr.Line2, addr.PostalCode, addr.City, addr.Country, id)
	if err != nil {
		return fmt.Errorf("update contact of %d: %w", id, err)
	}
	return nil
}

// SetIdentity changes names and birth date (staff only, ACC-4).
func (s *Store) SetIdentity(ctx context.Context, tx *sql.Tx, a domain.Account) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET first_name = $1, last_name = $2, birth_date = $3, identity_key = $4,
		search_key = $5 WHERE id = $6`, a.FirstName, a.LastName, s.nullDayArg(a.BirthDate),
		domain.IdentityKey(a.LastName, a.FirstName, a.BirthDate), accountSearchKey(a), a.ID)
	if err != nil {
		return fmt.Errorf("update identity of %d: %w", a.ID, err)
	}
	return nil
}

// SetStatus activates, holds or disables an account.
func (s *Store) SetStatus(ctx context.Context, tx *sql.Tx, id int64, status domain.AccountStatus) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET status = $1 WHERE id = $2`, string(status), id); err != nil {
		return fmt.Errorf("set status of %d: %w", id, err)
	}
	return nil
}

// UseTOTPStep records the step of an accepted code. It succeeds only if the
// step is newer than the last one used, so a code replayed on another instance
// at the same moment is refused there.
func (s *Store) UseTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	res, err := s.db.W.ExecContext(ctx, `UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
	if err != nil {
		return false, fmt.Errorf("record second-factor step of %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SignOutEverywhere bumps the account's session epoch: every session opened
// before stops working at its next request.
func (s *Store) SignOutEverywhere(ctx context.Context, id int64) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("sign out everywhere %d: %w", id, err)
	}
	return nil
}

// SearchAccounts finds candidates or staff by name or email, for the help desk
// and the central service.
func (s *Store) SearchAccounts(ctx context.Context, query string, limit int) ([]domain.Account, error) {
	args := []any{}
	where := []string{"status <> 'merged'"}
	for _, w := range strings.Fields(domain.SearchKey(query)) {
		args = append(args, "%"+w+"%")
		where = append(where, fmt.Sprintf("search_key LIKE $%d", len(args)))
	}
	args = append(args, limit)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY last_name, first_name, id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	return scanAccounts(rows)
}

// InsertGrant gives a staff account a role with its scope.
func (s *Store) InsertGrant(ctx context.Context, tx *sql.Tx, accountID int64, g domain.Grant) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_grants (account_id, role, establishment_id, formation_id, course_id)
		VALUES ($1, $2, $3, $4, $5)`, accountID, string(g.Role), nullID(g.EstablishmentID), nullID(g.FormationID), nullID(g.CourseID))
	if err != nil {
		return fmt.Errorf("grant %s to %d: %w", g.Role, accountID, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func grantsOf(ctx context.Context, q querier, accountID int64) ([]domain.Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, establishment_id, formation_id, course_id FROM staff_grants
		WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("read grants of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.Grant
	for rows.Next() {
		var g domain.Grant
		var e, f, c sql.NullInt64
		if err := rows.Scan(&g.Role, &e, &f, &c); err != nil {
			return nil, err
		}
		g.EstablishmentID, g.FormationID, g.CourseID = e.Int64, f.Int64, c.Int64
		out = append(out, g)
	}
	return out, rows.Err()
}

// IDByCode resolves an establishment, formation or course code (command line).
func (s *Store) IDByCode(ctx context.Context, table, code string) (int64, error) {
	switch table {
	case "establishments", "formations", "courses":
	default:
		return 0, fmt.Errorf("unknown table %q", table)
	}
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s %q: %w", strings.TrimSuffix(table, "s"), code, ErrNotFound)
	}
	return id, err
}
