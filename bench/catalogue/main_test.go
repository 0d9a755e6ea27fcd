package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark path — the real platform on SQLite, the bare
// baseline page, vegeta — for about 300 ms of load with 4 connections. It checks
// that the code works, not how fast it is: figures come from `go run ./bench/catalogue`.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, progress bytes.Buffer
	results, err := Run(ctx, Options{Engines: []string{"sqlite"}, Duration: 50 * time.Millisecond,
		Warmup: 10 * time.Millisecond, Connections: 4, Scale: 1}, &out, &progress)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if len(results) != 9 {
		t.Fatalf("got %d results, want 9 (a baseline around each of the 4 targets):\n%s", len(results), out.String())
	}
	for _, r := range results {
		if r.Requests == 0 || r.RPS <= 0 {
			t.Errorf("%s %s: no throughput (%d requests)", r.Engine, r.Path, r.Requests)
		}
		if r.OK != r.Requests {
			t.Errorf("%s %s: %d of %d requests answered 200: codes %v, errors %v", r.Engine, r.Path, r.OK, r.Requests, r.Codes, r.Errors)
		}
		if r.Bytes == 0 || r.Ratio <= 0 {
			t.Errorf("%s %s: bytes %d, ratio %.2f", r.Engine, r.Path, r.Bytes, r.Ratio)
		}
	}
	if !strings.Contains(out.String(), "/catalogue?q=anglais") || !strings.Contains(progress.String(), "machine:") {
		t.Errorf("table or progress incomplete:\n%s\n%s", out.String(), progress.String())
	}
}
