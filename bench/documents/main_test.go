package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSmoke renders a few of each kind through the bench's path and checks
// the table and the verdict are written, not how fast: figures come from
// `go run ./bench/documents`.
func TestSmoke(t *testing.T) {
	var out bytes.Buffer
	results, err := Run(context.Background(), Options{N: 12, Run: 5, Single: 4, Workers: 2}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 6 {
		t.Fatalf("%d results, want 6", len(results))
	}
	for i, r := range results {
		want := 12
		if i >= 3 {
			want = 4
		}
		if r.Docs != want || r.Rate <= 0 || r.Bytes < int64(want)*2_000 || r.Ratio <= 0 || r.Single != (i >= 3) {
			t.Errorf("%+v", r)
		}
	}
	if v := Verdict(results); !strings.HasPrefix(v, "PASS") && !strings.HasPrefix(v, "FAIL") {
		t.Errorf("verdict %q", v)
	}
	if !strings.Contains(out.String(), "attestations d'assiduité (ATT-2)") || !strings.Contains(out.String(), "machine:") {
		t.Errorf("table incomplete:\n%s", out.String())
	}
}
