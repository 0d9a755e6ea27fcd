package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark path — messages kept and queued in the
// database through the outbox, River's email worker with the pooled sender, the direct go-mail
// baseline, the development sink — on SQLite with 50 messages. It checks that
// every message arrives once and is marked sent, not how fast: figures come from
// `go run ./bench/mail`.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, progress bytes.Buffer
	results, err := Run(ctx, Options{Engines: []string{"sqlite"}, Messages: 50, Workers: 4, Connections: 2, PerConnection: 20},
		&out, &progress)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if len(results) != 3 {
		t.Fatalf("got %d results, want 3 (direct, outbox, direct):\n%s", len(results), out.String())
	}
	for _, r := range results {
		if r.Messages != 50 || r.Received != 50 || (r.Outbox && r.Marked != 50) {
			t.Errorf("%s: %d messages, %d received, %d marked sent; want 50 each\n%s", r.Name, r.Messages, r.Received, r.Marked, out.String())
		}
		if r.Rate <= 0 || r.Ratio <= 0 {
			t.Errorf("%s: rate %.0f, ratio %.2f", r.Name, r.Rate, r.Ratio)
		}
	}
	if !strings.Contains(out.String(), "outbox: River") || !strings.Contains(progress.String(), "machine:") {
		t.Errorf("table or progress incomplete:\n%s\n%s", out.String(), progress.String())
	}
}
