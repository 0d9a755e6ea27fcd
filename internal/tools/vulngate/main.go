// Command vulngate decides whether CI passes on govulncheck's findings. It
// reads the JSON stream of `govulncheck -format json` on its standard input,
// prints every vulnerability the code calls, and exits with status 1 when one
// of them is not accepted.
//
// An accepted vulnerability is one of the standard library named, with the Go
// version it is accepted for, in the file given by -accept:
//
//	# ID          Go version  why
//	GO-2026-6809  go1.26.8    fixed in go1.26.10, not served here; see README
//
// An acceptance holds only while the scan runs on that very Go version: once
// the toolchain moves, it lapses and vulngate says it can be deleted. A
// vulnerability of a required module is never accepted: `go get` fixes it.
//
// Usage (what .ci/run does):
//
//	go tool govulncheck -format json -db file:///path/to/osv ./... | go run ./internal/tools/vulngate -accept .ci/govulncheck-accepted
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

func main() {
	acceptPath := flag.String("accept", "", "file of accepted standard-library vulnerabilities (ID and Go version a line; # comments)")
	flag.Parse()
	accepted := map[string]acceptance{}
	if *acceptPath != "" {
		f, err := os.Open(*acceptPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vulngate:", err)
			os.Exit(2)
		}
		accepted, err = readAccepted(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "vulngate: %s: %v\n", *acceptPath, err)
			os.Exit(2)
		}
	}
	rep, err := readReport(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	if refused := rep.judge(os.Stdout, accepted); refused > 0 {
		os.Exit(1)
	}
}

// acceptance is one line of the accepted file.
type acceptance struct {
	goVersion, why string
}

// readAccepted reads "ID goVERSION reason..." lines; blank lines and lines
// starting with # are skipped.
func readAccepted(r io.Reader) (map[string]acceptance, error) {
	out := map[string]acceptance{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || !strings.HasPrefix(fields[0], "GO-") || !strings.HasPrefix(fields[1], "go1.") {
			return nil, fmt.Errorf("line %d: want \"GO-YYYY-NNNN go1.N.N reason\", got %q", n, line)
		}
		out[fields[0]] = acceptance{goVersion: fields[1], why: strings.Join(fields[2:], " ")}
	}
	return out, sc.Err()
}

// message is the part of govulncheck's JSON protocol vulngate reads.
type message struct {
	Config *struct {
		GoVersion      string `json:"go_version"`
		ScannerVersion string `json:"scanner_version"`
		DB             string `json:"db"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

// frame is one step of a finding's trace: the first is the vulnerable symbol
// (or just its package or module), the last the project's code reaching it.
type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

// symbol names the frame's function as Go code does: pkg.Recv.Func.
func (f frame) symbol() string {
	if f.Receiver != "" {
		return f.Package + "." + strings.TrimPrefix(f.Receiver, "*") + "." + f.Function
	}
	return f.Package + "." + f.Function
}

// vuln is one vulnerability govulncheck found in the build.
type vuln struct {
	id, summary     string
	found           bool   // some finding names it, at least at module level
	module, version string // where it is called (or found): "stdlib" and the Go version, or a module
	pkg, fixed      string
	called          bool   // some finding's trace reaches the vulnerable function
	calledInModule  bool   // one of those is in a required module, not the standard library
	example         string // the project's function that reaches it
}

// report is what one govulncheck run found.
type report struct {
	goVersion, scanner, db string
	vulns                  map[string]*vuln
}

func readReport(r io.Reader) (*report, error) {
	rep := &report{vulns: map[string]*vuln{}}
	dec := json.NewDecoder(r)
	configs := 0
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read govulncheck output: %w", err)
		}
		switch {
		case m.Config != nil:
			configs++
			rep.goVersion, rep.scanner, rep.db = m.Config.GoVersion, m.Config.ScannerVersion, m.Config.DB
		case m.OSV != nil:
			rep.vuln(m.OSV.ID).summary = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			rep.vuln(m.Finding.OSV).add(m.Finding.FixedVersion, m.Finding.Trace)
		}
	}
	if configs == 0 {
		return nil, errors.New("no govulncheck output (want the stream of -format json)")
	}
	return rep, nil
}

// add takes one finding in. A called finding wins over the module and
// package level ones of the same vulnerability for what is printed.
func (v *vuln) add(fixed string, trace []frame) {
	top := trace[0]
	if top.Function == "" {
		if !v.called {
			v.found, v.module, v.version, v.pkg, v.fixed = true, top.Module, top.Version, top.Package, fixed
		}
		return
	}
	if !v.called {
		v.module, v.version, v.pkg, v.fixed = top.Module, top.Version, top.Package, fixed
		if last := trace[len(trace)-1]; last.Function != "" {
			v.example = last.symbol()
		}
	}
	v.found, v.called = true, true
	v.calledInModule = v.calledInModule || top.Module != "stdlib"
}

// goVersion writes a standard-library version as Go does (go1.26.8), not as
// the trace does (v1.26.8).
func goVersion(module, version string) string {
	if module == "stdlib" {
		return "go" + strings.TrimPrefix(version, "v")
	}
	return version
}

func (rep *report) vuln(id string) *vuln {
	v, ok := rep.vulns[id]
	if !ok {
		v = &vuln{id: id}
		rep.vulns[id] = v
	}
	return v
}

// judge prints the called vulnerabilities and a summary, and returns how many
// of them are not accepted.
func (rep *report) judge(w io.Writer, accepted map[string]acceptance) (refused int) {
	fmt.Fprintf(w, "govulncheck %s on %s, database %s\n", rep.scanner, rep.goVersion, rep.db)
	var called, notCalled, held int
	for _, id := range slices.Sorted(maps.Keys(rep.vulns)) {
		v := rep.vulns[id]
		if !v.found {
			continue // an OSV entry sent without a finding
		}
		if !v.called {
			notCalled++
			continue
		}
		called++
		where, fixed := v.pkg+"@"+goVersion(v.module, v.version), "no fixed version"
		if v.fixed != "" {
			fixed = "fixed in " + goVersion(v.module, v.fixed)
		}
		a, ok := accepted[id]
		switch {
		case ok && !v.calledInModule && a.goVersion == rep.goVersion:
			held++
			fmt.Fprintf(w, "  accepted  %s  %s (%s; %s), called from %s: %s\n", id, where, fixed, v.summary, v.example, a.why)
		default:
			refused++
			fmt.Fprintf(w, "  CALLED    %s  %s (%s; %s), called from %s\n", id, where, fixed, v.summary, v.example)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(accepted)) {
		if v, found := rep.vulns[id]; !found || !v.called || accepted[id].goVersion != rep.goVersion {
			fmt.Fprintf(w, "  lapsed    %s  accepted for %s, not called on %s: delete its line\n", id, accepted[id].goVersion, rep.goVersion)
		}
	}
	fmt.Fprintf(w, "%d vulnerabilities called: %d not accepted, %d accepted for %s; %d more in packages or modules the code does not call\n",
		called, refused, held, rep.goVersion, notCalled)
	return refused
}
