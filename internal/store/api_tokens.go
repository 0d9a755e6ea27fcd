package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

// The staff API's personal access tokens (ROLE-5). Only the SHA-256 of each
// secret is kept (hex, the unique token_hash), with its first characters.

const apiTokenColumns = `t.id, t.account_id, COALESCE(NULLIF(TRIM(a.first_name || ' ' || a.last_name), ''), a.email, ''),
	t.name, t.scope, t.prefix, t.created_at, t.created_by, t.expires_at, t.last_used_at, t.revoked_at, COALESCE(t.revoked_by, 0)`

func scanAPIToken(row rowScanner) (domain.APIToken, error) {
	var t domain.APIToken
	err := row.Scan(&t.ID, &t.AccountID, &t.OwnerName, &t.Name, &t.Scope, &t.Prefix, timeCol{&t.CreatedAt}, &t.CreatedBy,
		nullTime{&t.ExpiresAt}, nullTime{&t.LastUsedAt}, nullTime{&t.RevokedAt}, &t.RevokedBy)
	return t, err
}

func (s *Store) apiTokenInstant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.instantArg(t)
}

// InsertAPIToken keeps a new token by the hash of its secret and sets its ID.
func (s *Store) InsertAPIToken(ctx context.Context, tx *sql.Tx, t *domain.APIToken, hash string) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (account_id, name, scope, token_hash, prefix, created_at, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, t.AccountID, t.Name, string(t.Scope), hash, t.Prefix,
		s.instantArg(t.CreatedAt), t.CreatedBy, s.apiTokenInstant(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("insert api token: %w", err)
	}
	return nil
}

// APITokens lists every token, the active ones first, newest first.
func (s *Store) APITokens(ctx context.Context) ([]domain.APIToken, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens t JOIN accounts a ON a.id = t.account_id
		ORDER BY CASE WHEN t.revoked_at IS NULL THEN 0 ELSE 1 END, t.created_at DESC, t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []domain.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// APIToken reads one token inside tx.
func (s *Store) APIToken(ctx context.Context, tx *sql.Tx, id int64) (domain.APIToken, error) {
	t, err := scanAPIToken(tx.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens t JOIN accounts a ON a.id = t.account_id
		WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("api token %d: %w", id, ErrNotFound)
	}
	return t, err
}

// APITokenByHash finds the token whose secret hashes to hash, with the hash
// kept, whatever its state; ErrNotFound when none.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (domain.APIToken, string, error) {
	var kept string
	var t domain.APIToken
	err := s.db.R.QueryRowContext(ctx, `SELECT `+apiTokenColumns+`, t.token_hash FROM api_tokens t JOIN accounts a ON a.id = t.account_id
		WHERE t.token_hash = $1`, hash).Scan(&t.ID, &t.AccountID, &t.OwnerName, &t.Name, &t.Scope, &t.Prefix, timeCol{&t.CreatedAt},
		&t.CreatedBy, nullTime{&t.ExpiresAt}, nullTime{&t.LastUsedAt}, nullTime{&t.RevokedAt}, &t.RevokedBy, &kept)
	if errors.Is(err, sql.ErrNoRows) {
		return t, "", ErrNotFound
	}
	if err != nil {
		return t, "", fmt.Errorf("read api token: %w", err)
	}
	return t, kept, nil
}

// RevokeAPIToken revokes a token not revoked yet; false when it already was.
func (s *Store) RevokeAPIToken(ctx context.Context, tx *sql.Tx, id, by int64, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL`,
		s.instantArg(at), by, id)
	if err != nil {
		return false, fmt.Errorf("revoke api token: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// TouchAPIToken records a use at now, unless one was recorded after since:
// a busy token writes at most once per interval.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, now, since time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		s.instantArg(now), id, s.instantArg(since))
	if err != nil {
		return fmt.Errorf("touch api token: %w", err)
	}
	return nil
}
