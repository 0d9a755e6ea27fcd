package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSmoke runs the whole benchmark path on a small session (a few thousand
// candidatures). It checks that the code works, not how fast it is: figures
// come from `go run ./bench/allocation`.
func TestSmoke(t *testing.T) {
	var out, progress bytes.Buffer
	rep, err := Run(Options{Candidatures: 5000, Courses: 100, Seed: 1, Repeat: 1}, &out, &progress)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	if rep.Candidatures != 5000 || rep.Courses != 100 || rep.Accepted == 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.EngineMedian <= 0 || rep.SortMedian <= 0 || rep.Ratio <= 0 || rep.EngineHeapPeak == 0 {
		t.Fatalf("nothing measured: %+v", rep)
	}
	for _, want := range []string{"ratio engine / sort", "VmHWM", "baseline"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, out.String())
		}
	}
}
