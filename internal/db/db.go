// Package db opens the platform's database — an embedded SQLite file by default or
// a PostgreSQL server — and applies the schema migrations. Only db and store import
// SQL drivers.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. SQLite allows one writer at a time, so writes go through a
// pool of exactly one connection (W) and reads through a separate pool (R); on
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB // writes and read-modify-write transactions
	R       *sql.DB // plain reads
	display string  // URL without password, for messages

	checkpoints *checkpointer // SQLite file: background checkpoints (checkpoint.go)
}

// Open connects to the database named by rawURL: "sqlite:PATH" or
// "postgres://user@host:port/name". It checks that the database answers.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	}
	return nil, fmt.Errorf("unsupported database URL %q: use sqlite:PATH or postgres://USER@HOST:PORT/NAME", Redact(rawURL))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty SQLite path: use sqlite:PATH, for example sqlite:data/cma.db")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create directory for %s: %w", path, err)
		}
	}
	// busy_timeout first so that the following pragmas wait instead of failing.
	// temp_store(MEMORY) keeps statement journals off the disk: a batch of basket
	// validations runs hundreds of statements in one write transaction.
	// journal_size_limit trims the write-ahead log back to 64 MiB once checkpointed.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=journal_size_limit(67108864)"
	// The writer leaves checkpoints to the checkpointer (checkpoint.go).
	w, err := openSQLitePool("file:" + path + "?" + pragmas + "&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := openSQLitePool("file:" + path + "?" + pragmas + "&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	r.SetMaxIdleConns(max(4, runtime.NumCPU()*2))
	d := &DB{Dialect: SQLite, W: w, R: r, display: "sqlite:" + path}
	// The writer must exist first: it creates the file and switches it to WAL.
	if err := d.pingPool(ctx, w); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.pingPool(ctx, r); err != nil {
		d.Close()
		return nil, err
	}
	if path != ":memory:" {
		c, err := openSQLitePool("file:" + path + "?" + pragmas)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("open SQLite %s: %w", path, err)
		}
		c.SetMaxOpenConns(1)
		d.checkpoints = startCheckpointer(c)
	}
	return d, nil
}

// openSQLitePool opens a pool whose connections keep their compiled statements
// (stmtcache.go).
func openSQLitePool(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{c}), nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	if _, err := url.Parse(rawURL); err != nil {
		return nil, fmt.Errorf("bad PostgreSQL URL %q: %s", Redact(rawURL), urlProblem(rawURL))
	}
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad PostgreSQL URL %s: %w", Redact(rawURL), err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: Postgres, W: p, R: p, display: Redact(rawURL)}
	if err := d.pingPool(ctx, p); err != nil {
		p.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) pingPool(ctx context.Context, p *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.PingContext(ctx); err != nil {
		return fmt.Errorf("cannot reach database %s: %w", d.display, err)
	}
	return nil
}

// Ping checks that the database answers; /readyz calls it.
func (d *DB) Ping(ctx context.Context) error { return d.pingPool(ctx, d.R) }

// String is the database URL without its password.
func (d *DB) String() string { return d.display }

// Close closes both pools.
func (d *DB) Close() error {
	var err error
	if d.checkpoints != nil {
		err = d.checkpoints.Close()
	}
	err = errors.Join(err, d.W.Close())
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Redact hides the password of a database URL so it can be logged. A URL that
// does not parse is cut by hand: its password is whatever lies between the
// user name's colon and the last "@".
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		i, j := strings.Index(rawURL, "://"), strings.LastIndex(rawURL, "@")
		if i < 0 || j < i {
			return rawURL
		}
		name, _, hasPassword := strings.Cut(rawURL[i+3:j], ":")
		if !hasPassword {
			return rawURL
		}
		return rawURL[:i+3] + name + ":xxxxx" + rawURL[j:]
	}
	if u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// urlProblem says what is wrong with a URL that does not parse, without
// repeating the URL: net/url's errors quote it whole, password included. The
// redacted URL is parsed for the reason; if that one parses, the fault is in
// the user name or password.
func urlProblem(rawURL string) string {
	_, err := url.Parse(Redact(rawURL))
	var ue *url.Error
	switch {
	case err == nil:
		return "the user name or password is not valid in a URL (write special characters as %XX)"
	case errors.As(err, &ue):
		return ue.Err.Error()
	}
	return "not a valid URL"
}
