package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFailedMigrationLeavesNothingHalfApplied: a migration that fails in its
// middle is rolled back whole; the schema stays at the previous version and a
// later run can try again.
func TestFailedMigrationLeavesNothingHalfApplied(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "broken.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := d.providerFor(os.DirFS("testdata/broken"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err == nil {
		t.Fatal("a broken migration was applied without error")
	}
	version, err := p.GetDBVersion(ctx)
	if err != nil || version != 1 {
		t.Fatalf("schema version = %d, %v; want 1", version, err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'second_table'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("second_table exists (%d, %v): the failed migration was half applied", n, err)
	}
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM first_table`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("first_table has %d rows (%v): the failed migration's insert stayed", n, err)
	}
}
