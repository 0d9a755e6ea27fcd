package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSmoke runs both phases on SQLite with a few courses: the same path as
// the measurement (the lists written, the plain SQL, the sweep and its
// checks, the platform, the signed-in candidates' accepts), not a
// measurement.
func TestSmoke(t *testing.T) {
	var out bytes.Buffer
	o := options{engines: "sqlite", phases: "freed,accept", courses: 10, line: 4, capacity: 2, freed: 2, accepts: 8, connections: 4}
	verdicts, err := run(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(verdicts) != 4 || !strings.Contains(out.String(), "POST /mes-offres/{id}/accepter") {
		t.Fatalf("verdicts %v:\n%s", verdicts, out.String())
	}
}
