package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark path — the real platform on SQLite with its
// demo data, the prepared candidates, vegeta's POST /panier/valider, the direct
// and raw SQL baselines, the SQL check — with 50 candidates per phase and 4
// connections. It checks that every validation succeeds and is found in SQL, not
// how fast it is: figures come from `go run ./bench/validation`.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, progress bytes.Buffer
	results, err := Run(ctx, Options{Engines: []string{"sqlite"}, Candidates: 50, Warmup: 8, Duration: 30 * time.Second,
		Connections: 4, Raw: true}, &out, &progress)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if len(results) != 4 {
		t.Fatalf("got %d results, want 4 (direct, HTTP, direct, raw SQL):\n%s", len(results), out.String())
	}
	for _, r := range results {
		if r.Attempts != 50 || r.OK != 50 || r.Checked != 50 {
			t.Errorf("%s %s: %d attempts, %d succeeded, %d in SQL; want 50 each: %v\n%s", r.Engine, r.Name, r.Attempts, r.OK, r.Checked, r.Failures, out.String())
		}
		if r.Rate <= 0 || r.Ratio <= 0 || r.P99 <= 0 {
			t.Errorf("%s %s: rate %.0f, ratio %.2f, p99 %s", r.Engine, r.Name, r.Rate, r.Ratio, r.P99)
		}
	}
	if !strings.Contains(out.String(), "POST /panier/valider") || !strings.Contains(progress.String(), "machine:") {
		t.Errorf("table or progress incomplete:\n%s\n%s", out.String(), progress.String())
	}
}
