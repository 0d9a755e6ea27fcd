// Package dbtest gives tests fresh, migrated databases: a SQLite file in a
// temporary directory, and a PostgreSQL database created on the server named by
// CMA_TEST_POSTGRES and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"cma/internal/db"
)

// PostgresEnv names the variable holding the PostgreSQL server URL used by tests,
// for example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const PostgresEnv = "CMA_TEST_POSTGRES"

// Each runs fn as a subtest on every available engine: SQLite always, PostgreSQL
// when CMA_TEST_POSTGRES is set (otherwise the subtest skips and says why).
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite database in t.TempDir().
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	migrate(t, d)
	return d
}

// Postgres creates, migrates and later drops a PostgreSQL database. It skips the
// test when CMA_TEST_POSTGRES is not set.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, _ := PostgresURL(t)
	return d
}

// PostgresURL is Postgres that also returns the new database's URL, for tests
// that start the real program on it.
func PostgresURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	server := os.Getenv(PostgresEnv)
	if server == "" {
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run them", PostgresEnv)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("open %s: %v", db.Redact(server), err)
	}
	defer admin.Close()
	name := "cma_test_" + randomSuffix(t)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database on %s: %v", db.Redact(server), err)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		admin, err := sql.Open("pgx", server)
		if err != nil {
			t.Errorf("reopen server to drop %s: %v", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	migrate(t, d)
	return d, u.String()
}

func migrate(t testing.TB, d *db.DB) {
	t.Helper()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}
