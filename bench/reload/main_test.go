package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole path — the demo city loaded, the timed reloads and
// plain reads, two catalogue services and one change between them — on SQLite
// at scale 1. It checks that the change is seen, not how fast: figures come
// from `go run ./bench/reload`.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	err := Run(ctx, Options{Engines: []string{"sqlite"}, Scale: 1, Repeat: 1, Changes: 2, MaxAge: 50 * time.Millisecond}, &out, &progress)
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if !strings.Contains(out.String(), "   sqlite|    1400|") || strings.Count(progress.String(), "served by the second service") != 2 {
		t.Fatalf("table or progress incomplete:\n%s\n%s", out.String(), progress.String())
	}
}
