package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cma/internal/domain"
)

// CurrentRules is the latest published version ("" Version when none).
func (s *Store) CurrentRules(ctx context.Context) (domain.Rules, error) {
	var r domain.Rules
	err := s.db.R.QueryRowContext(ctx, `SELECT version, published_at, body FROM internal_rules ORDER BY published_at DESC, version DESC LIMIT 1`).
		Scan(&r.Version, timeCol{&r.Published}, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Rules{}, nil
	}
	if err != nil {
		return r, fmt.Errorf("read internal rules: %w", err)
	}
	return r, nil
}

// PublishRules adds a version of the internal rules.
func (s *Store) PublishRules(ctx context.Context, tx *sql.Tx, r domain.Rules) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO internal_rules (version, published_at, body) VALUES ($1, $2, $3)`,
		r.Version, s.instantArg(r.Published), r.Body); err != nil {
		return fmt.Errorf("publish internal rules %s: %w", r.Version, err)
	}
	return nil
}
