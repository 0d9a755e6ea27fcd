// Package store keeps the platform's data in plain SQL, one file per aggregate.
// The same statements run on SQLite and PostgreSQL ($1 placeholders work on both);
// where the engines differ the two versions sit side by side.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/db"
)

// Store is the repository over one database.
type Store struct {
	db        *db.DB
	renderers *renderers // of the messages kept before their bodies (messages_render.go)
}

// New returns a store over d.
func New(d *db.DB) *Store {
	return &Store{db: d, renderers: &renderers{by: map[string]MessageRenderer{}}}
}

// SerializesWrites says whether write transactions run one at a time (SQLite's
// one writer), so that work done inside them delays every other writer.
func (s *Store) SerializesWrites() bool { return s.db.Dialect == db.SQLite }

// DB is the underlying database, for health checks.
func (s *Store) DB() *db.DB { return s.db }

// InTx runs fn in one write transaction: committed if fn returns nil, rolled back
// otherwise, so a multi-step change is never half written.
func (s *Store) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			rollback(tx) // give the connection back before the panic goes on
			panic(r)
		}
	}()
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// dayArg encodes a civil date for both engines: SQLite stores TEXT, PostgreSQL
// parses the same text into a DATE.
func dayArg(t time.Time) string { return t.Format(time.DateOnly) }

// sqliteInstant is how SQLite stores instants: RFC 3339 in UTC with a fixed
// number of digits, so that text order is time order in comparisons.
const sqliteInstant = "2006-01-02T15:04:05.000000Z"

// instantArg encodes an instant: TEXT in UTC on SQLite, TIMESTAMPTZ on PostgreSQL.
func (s *Store) instantArg(t time.Time) any {
	if s.db.Dialect == db.Postgres {
		return t.UTC()
	}
	return t.UTC().Format(sqliteInstant)
}

// timeCol scans a date or an instant whichever way the engine returns it: a
// time.Time from PostgreSQL, TEXT from SQLite.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*c.t = x.UTC()
		return nil
	case string:
		return c.parse(x)
	case []byte:
		return c.parse(string(x))
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (c timeCol) parse(s string) error {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			*c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot parse time %q", s)
}
