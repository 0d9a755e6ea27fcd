package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The SQLite pools keep compiled statements; these tests check that reuse gives the
// same answers as compiling afresh, including the cases where reuse is not possible.

func openTestSQLite(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestStatementCacheReusesAndNests(t *testing.T) {
	ctx := context.Background()
	d := openTestSQLite(t)
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE n (v INTEGER PRIMARY KEY, label TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO n (v, label) VALUES (?, ?)`, i, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}

	// The same query while its own rows are still open, in one transaction on the
	// single writer connection: the inner use cannot share the outer statement.
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT v, label FROM n WHERE v >= ? ORDER BY v`
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for outer.Next() {
		var v int
		var label string
		if err := outer.Scan(&v, &label); err != nil {
			t.Fatal(err)
		}
		var inner int
		if err := tx.QueryRowContext(ctx, q, v).Scan(&inner, &label); err != nil {
			t.Fatal(err)
		}
		if inner != v || label != fmt.Sprint("n", v) {
			t.Fatalf("nested query for %d read %d %q", v, inner, label)
		}
		pairs++
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if pairs != 5 {
		t.Fatalf("outer query read %d rows, want 5", pairs)
	}
	// Once closed, the statement is used again with new arguments.
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM n WHERE v >= ?`, 4).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM n WHERE v >= ?`, 2).Scan(&count); err != nil || count != 4 {
		t.Fatalf("reused count = %d, %v; want 4", count, err)
	}
	// A failing statement leaves the cached one usable.
	if _, err := tx.ExecContext(ctx, `INSERT INTO n (v, label) VALUES (?, ?)`, 1, "dup"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO n (v, label) VALUES (?, ?)`, 6, "n6"); err != nil {
		t.Fatalf("insert after a failure: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM n`).Scan(&count); err != nil || count != 6 {
		t.Fatalf("count = %d, %v; want 6", count, err)
	}
}

func TestStatementCacheEvictsBeyondItsSize(t *testing.T) {
	ctx := context.Background()
	d := openTestSQLite(t)
	conn, err := d.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := range stmtCacheSize + 50 {
		var got int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("query %d: %d, %v", i, got, err)
		}
	}
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("SQLite connection is %T, not a statement cache", dc)
		}
		if c.lru.Len() != stmtCacheSize || len(c.byQuery) != stmtCacheSize {
			return fmt.Errorf("cache holds %d statements (%d by query), want %d", c.lru.Len(), len(c.byQuery), stmtCacheSize)
		}
		if _, kept := c.byQuery["SELECT 0 + ?"]; kept {
			return fmt.Errorf("the least recently used statement was kept")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The writer leaves checkpoints to the background checkpointer: committed pages
// reach the database file without anyone asking, and the log is emptied on Close.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	d, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE blob_rows (id INTEGER PRIMARY KEY, body BLOB)`); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 2048)
	for i := range 1000 {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO blob_rows (id, body) VALUES (?, ?)`, i, body); err != nil {
			t.Fatal(err)
		}
	}
	size := func(p string) int64 {
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return st.Size()
	}
	for deadline := time.Now().Add(5 * time.Second); size(path) < 2<<20; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes after 2 MB of commits: no checkpoint ran", size(path))
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if wal := size(path + "-wal"); wal != 0 {
		t.Fatalf("write-ahead log is %d bytes after Close, want 0", wal)
	}
}
