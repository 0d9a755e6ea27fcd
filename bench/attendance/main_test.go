package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSmoke saves a few registers on SQLite in both loops: the same path as
// the measurement (the learners and trainers written, the warm-ups, the
// plain SQL, the platform, the trainers' forms, the marks counted after
// each loop), not a measurement.
func TestSmoke(t *testing.T) {
	var out bytes.Buffer
	o := options{engine: "sqlite", courses: 6, learners: 3, connections: 2, openRate: 50}
	verdict, err := run(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(verdict, "closed loop") || !strings.Contains(verdict, "open loop at 50/s") ||
		!strings.Contains(out.String(), "open loop at 50/s: over HTTP") {
		t.Fatalf("verdict %q:\n%s", verdict, out.String())
	}
}
