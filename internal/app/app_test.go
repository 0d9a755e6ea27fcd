package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cma/internal/db/dbtest"
)

func testEnv(stdout, stderr io.Writer, ready func(string)) Env {
	return Env{Getenv: func(string) string { return "" }, Stdout: stdout, Stderr: stderr, Ready: ready,
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }}
}

// startServe runs the real `cma serve` on a free port and returns its base URL;
// the server is stopped, and its graceful shutdown checked, at cleanup.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return startServeAt(t, nil, args...)
}

// startServeAt is startServe with the platform's clock given by now.
func startServeAt(t *testing.T, now func() time.Time, args ...string) string {
	t.Helper()
	return startServeWith(t, func(env *Env) {
		if now != nil {
			env.Now = now
		}
	}, args...)
}

// demoArgs are the serve arguments before a test's: the demo without its
// candidatures unless the test asks for them (--demo-candidatures), so that
// tests count only what they file.
func demoArgs(args []string) []string {
	out := []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off"}
	if slices.Contains(args, "--demo") {
		out = append(out, "--demo-candidatures=false")
	}
	return out
}

// startServeWith is startServe with the test's changes to the environment.
func startServeWith(t *testing.T, change func(*Env), args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	env := testEnv(io.Discard, &logs, func(a string) { ready <- a })
	change(&env)
	go func() {
		done <- Run(ctx, append(demoArgs(args), args...), env)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped before listening: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start within 60 s")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve did not shut down cleanly: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return "http://" + addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeDemoOnSQLite(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	code, body := get(t, base+"/api/v1/courses?q=anglais")
	if code != 200 || !strings.Contains(body, `"total":`) || !strings.Contains(body, "Anglais") {
		t.Fatalf("api: %d %.200s", code, body)
	}
	if code, _ := get(t, base+"/catalogue"); code != 200 {
		t.Fatalf("catalogue: %d", code)
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
}

// TestServeDemoOnPostgres: `cma serve --db postgres://… --demo` serves the same
// catalogue from PostgreSQL.
func TestServeDemoOnPostgres(t *testing.T) {
	d, url := dbtest.PostgresURL(t)
	d.Close()
	base := startServe(t, "--db", url, "--demo")
	code, body := get(t, base+"/api/v1/courses?q=anglais")
	if code != 200 || !strings.Contains(body, "Anglais") {
		t.Fatalf("api on PostgreSQL: %d %.200s", code, body)
	}
}

func TestDemoCommandThenServeWithoutDemo(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	var out, errs bytes.Buffer
	if err := Run(context.Background(), []string{"demo", "--db", dbURL, "--scale", "1"}, testEnv(&out, &errs, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1400 courses") {
		t.Fatalf("demo output: %s", out.String())
	}
	if !strings.Contains(errs.String(), "Chargement des données de démonstration") {
		t.Error("demo shows no progress bar")
	}
	// Loading twice is refused and changes nothing.
	if err := Run(context.Background(), []string{"demo", "--db", dbURL}, testEnv(io.Discard, io.Discard, nil)); err == nil {
		t.Fatal("second demo load into a full database accepted")
	}
	base := startServe(t, "--db", dbURL)
	if _, body := get(t, base+"/api/v1/courses"); !strings.Contains(body, `"total":1400`) {
		t.Fatalf("after two demo commands: %.100s", body)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{nil, "no command", true},
		{[]string{"frobnicate"}, "unknown command", true},
		{[]string{"serve", "--db", "mysql://root@x/db"}, "expected sqlite:PATH", false},
		{[]string{"serve", "--port", "1"}, "flag provided but not defined", true},
		{[]string{"migrate", "--db", "postgres://u:secret@127.0.0.1:1/x?connect_timeout=2"}, "cannot reach database", false},
		{[]string{"migrate", "--db", "postgres://u:s3cret@host:bad/db"}, `bad PostgreSQL URL "postgres://u:xxxxx@host:bad/db": invalid port`, false},
		{[]string{"serve", "--db", "postgres://u:s3cret@host:bad/db"}, "bad PostgreSQL URL", false},
		{[]string{"serve", "--db", "mysql://u:s3cret@host:bad/db"}, "expected sqlite:PATH", false},
		{[]string{"serve", "--trusted-proxies", "10.0.0.0/8,proxy.paris.fr"}, `"proxy.paris.fr": expected an address or a CIDR prefix`, false},
		{[]string{"serve", "--session-idle", "3h", "--session-lifetime", "2h"}, "--session-lifetime 2h0m0s: expected at least --session-idle", false},
		{[]string{"serve", "--metrics-addr", "9090"}, "--metrics-addr", false},
		{[]string{"demo", "--scale", "0", "--db", "sqlite:" + filepath.Join(dir, "x.db")}, "--scale", false},
		{[]string{"holidays", "import", "--db", "sqlite:" + filepath.Join(dir, "h.db"), filepath.Join(dir, "missing.ics")}, "open calendar file", false},
		{[]string{"holidays"}, "holidays import", true},
	} {
		err := Run(context.Background(), tc.args, testEnv(io.Discard, io.Discard, nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
			continue
		}
		if errors.Is(err, ErrUsage) != tc.usage {
			t.Errorf("%v: usage error = %v, want %v", tc.args, errors.Is(err, ErrUsage), tc.usage)
		}
		if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: password in error: %v", tc.args, err)
		}
	}
}

func TestMigrateVersionHelp(t *testing.T) {
	var out bytes.Buffer
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
	if err := Run(context.Background(), []string{"migrate", "--db", dbURL}, testEnv(&out, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), []string{"migrate", "--db", dbURL}, testEnv(&out, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 migration(s) applied") {
		t.Errorf("second migrate: %s", out.String())
	}
	for _, cmd := range []string{"version", "help"} {
		out.Reset()
		if err := Run(context.Background(), []string{cmd}, testEnv(&out, io.Discard, nil)); err != nil || out.Len() == 0 {
			t.Errorf("%s: %v, %q", cmd, err, out.String())
		}
	}
}

// TestHolidaysImport_CAT5: the central service imports the ministry's file; the
// school periods then close the classes.
func TestHolidaysImport_CAT5(t *testing.T) {
	dir := t.TempDir()
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261017\r\nDTEND;VALUE=DATE:20261102\r\n" +
		"SUMMARY:Vacances de la Toussaint - Zone C\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270206\r\n" +
		"DTEND;VALUE=DATE:20270222\r\nSUMMARY:Vacances d'Hiver - Zone A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	path := filepath.Join(dir, "Zone-C.ics")
	if err := os.WriteFile(path, []byte(ics), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dbURL := "sqlite:" + filepath.Join(dir, "h.db")
	if err := Run(context.Background(), []string{"holidays", "import", "--db", dbURL, "--zone", "C", path}, testEnv(&out, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 school-holiday periods imported for zone C") {
		t.Fatalf("output: %s", out.String())
	}
	bad := filepath.Join(dir, "bad.ics")
	os.WriteFile(bad, []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026-13-45\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), 0o600)
	err := Run(context.Background(), []string{"holidays", "import", "--db", dbURL, bad}, testEnv(io.Discard, io.Discard, nil))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("malformed file: %v", err)
	}
}
