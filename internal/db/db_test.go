package db_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, raw := range []string{"", "mysql://x", "sqlite:", "postgres://u:secret@127.0.0.1:1/x?connect_timeout=1"} {
		_, err := db.Open(context.Background(), raw)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", raw)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error leaks the password: %v", raw, err)
		}
	}
}

// TestOpen_never_prints_the_password: malformed URLs (net/url's own errors
// quote the URL whole), URLs pgx refuses and servers that do not answer.
func TestOpen_never_prints_the_password(t *testing.T) {
	for _, raw := range []string{
		"postgres://u:s3cret@host:bad/db",
		"postgres://u:s3cret@[::1/db",
		"postgres://u:s3c@ret@host:bad/db",
		"postgres://u:s3%zzcret@host/db",
		"postgres://u:s3cret@host/db?sslmode=bogus",
		"postgresql://u:s3cret@host/db?connect_timeout=abc",
		"postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=1",
	} {
		_, err := db.Open(context.Background(), raw)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", raw)
			continue
		}
		for _, secret := range []string{"s3cret", "s3c", "cret", "%zz"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Open(%q) error shows %q: %v", raw, secret, err)
			}
		}
		if !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("Open(%q) error does not show the redacted URL: %v", raw, err)
		}
	}
	if got := db.Redact("postgres://u:s3c@ret@host:bad/db"); got != "postgres://u:xxxxx@host:bad/db" {
		t.Errorf("Redact of an unparsable URL = %q", got)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n, err := d.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
		pending, err := d.Pending(context.Background())
		if err != nil || pending {
			t.Fatalf("Pending = %v, %v; want false, nil", pending, err)
		}
	})
}

func TestPendingOnNewDatabase(t *testing.T) {
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pending, err := d.Pending(context.Background())
	if err != nil || !pending {
		t.Fatalf("Pending on an empty database = %v, %v; want true", pending, err)
	}
}

// TestSchemasMatch checks that both engines' migrations create the same tables
// with the same columns, so that store code runs unchanged on both. Generated
// columns are left out: PostgreSQL has one that only its indexes read
// (candidatures.active, postgres/00031), and SQLite's table_info hides them.
func TestSchemasMatch(t *testing.T) {
	lite := columns(t, dbtest.SQLite(t), `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`)
	pg := columns(t, dbtest.Postgres(t), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' AND is_generated = 'NEVER'`)
	if !slices.Equal(lite, pg) {
		t.Fatalf("schemas differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
	if len(lite) < 10 {
		t.Fatalf("suspiciously small schema: %v", lite)
	}
}

func columns(t *testing.T, d *db.DB, query string) []string {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		out = append(out, table+"."+column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
