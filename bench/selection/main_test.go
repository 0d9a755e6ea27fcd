package main

import (
	"context"
	"testing"
	"time"
)

// TestSmoke runs the SQLite phase on a small session: the same path as the
// measurement (write, run, publish), not a measurement.
func TestSmoke(t *testing.T) {
	o := options{phases: "sqlite", sqliteN: 2000, sqliteM: 40, quiet: true, baselineFor: time.Second}
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}
