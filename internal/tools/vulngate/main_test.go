package main

import (
	"os"
	"strings"
	"testing"
)

// scan reads testdata/scan.json: on go1.26.8, GO-2026-6809 and GO-2026-6617
// are called in the standard library (6617 also found, uncalled, in x/net),
// GO-2026-7001 is called in a required module, GO-2026-7002 is not called.
func scan(t *testing.T) *report {
	t.Helper()
	f, err := os.Open("testdata/scan.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := readReport(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func accept(t *testing.T, lines string) map[string]acceptance {
	t.Helper()
	a, err := readAccepted(strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name, accepted string
		refused        int
		says           []string
	}{
		{name: "nothing accepted: every called vulnerability fails", refused: 3,
			says: []string{"CALLED    GO-2026-6809  crypto/x509@go1.26.8 (fixed in go1.26.10;", "called from cma/internal/db.cachingConn.ExecContext",
				"CALLED    GO-2026-7001  example.org/lib@v1.2.0", "3 vulnerabilities called: 3 not accepted, 0 accepted for go1.26.8; 1 more"}},
		{name: "standard library accepted for this Go", accepted: "# why\nGO-2026-6809 go1.26.8 x509\n\nGO-2026-6617 go1.26.8 http2\n", refused: 1,
			says: []string{"accepted  GO-2026-6809", "accepted  GO-2026-6617", "CALLED    GO-2026-7001", "1 not accepted, 2 accepted for go1.26.8"}},
		{name: "an acceptance for another Go lapses", accepted: "GO-2026-6809 go1.26.7 x509\nGO-2026-6617 go1.26.8 http2\n", refused: 2,
			says: []string{"CALLED    GO-2026-6809", "lapsed    GO-2026-6809  accepted for go1.26.7, not called on go1.26.8"}},
		{name: "a module's vulnerability is never accepted", accepted: "GO-2026-7001 go1.26.8 lib\nGO-2026-6809 go1.26.8 x\nGO-2026-6617 go1.26.8 y\n", refused: 1,
			says: []string{"CALLED    GO-2026-7001"}},
		{name: "an acceptance of what is not called lapses", accepted: "GO-2026-7002 go1.26.8 other\n", refused: 3,
			says: []string{"lapsed    GO-2026-7002"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			refused := scan(t).judge(&out, accept(t, tc.accepted))
			if refused != tc.refused {
				t.Errorf("refused %d, want %d:\n%s", refused, tc.refused, out.String())
			}
			for _, s := range tc.says {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestReadReport_refuses_what_is_not_govulncheck_json(t *testing.T) {
	for _, in := range []string{"", "Scanning your code...\nNo vulnerabilities found.\n", `{"progress":{"message":"x"}}`} {
		if _, err := readReport(strings.NewReader(in)); err == nil {
			t.Errorf("readReport(%q) accepted", in)
		}
	}
}

func TestReadAccepted_refuses_malformed_lines(t *testing.T) {
	for _, in := range []string{"GO-2026-6809\n", "GO-2026-6809 1.26.8 why\n", "CVE-2026-1 go1.26.8 why\n", "GO-2026-6809 go1.26.8\n"} {
		if _, err := readAccepted(strings.NewReader(in)); err == nil {
			t.Errorf("readAccepted(%q) accepted", in)
		}
	}
}

// TestAcceptedFile_parses: the file CI reads is well formed.
func TestAcceptedFile_parses(t *testing.T) {
	f, err := os.Open("../../../.ci/govulncheck-accepted")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := readAccepted(f); err != nil {
		t.Fatal(err)
	}
}
