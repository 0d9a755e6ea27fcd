package app

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
)

// runServe runs `cma serve` with args until it is listening (then stops it and
// returns nil) or returns the error it stopped with; logs gets its log.
func runServe(t *testing.T, logs io.Writer, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), testEnv(io.Discard, logs, func(a string) { ready <- a }))
	}()
	select {
	case <-ready:
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
		return nil
	case err := <-done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("serve neither refused nor listened within 60 s")
		return nil
	}
}

func countRows(t *testing.T, dbURL, query string) int {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.R.QueryRow(query).Scan(&n); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return n
}

// TestServeDemo_refused_on_real_data: `serve --demo` on a database that
// holds an account the demo did not create (a central-service account made
// with `cma user add`) stops with a clear message and creates no persona nor
// demo data; with --demo-force it runs and logs a loud warning.
func TestServeDemo_refused_on_real_data(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	add := testEnv(io.Discard, io.Discard, nil)
	add.Stdin = strings.NewReader("un mot de passe solide\n")
	if err := Run(context.Background(), []string{"user", "add", "--db", dbURL, "--email", "chef@ville.exemple",
		"--role", "central", "--first-name", "Nadia", "--last-name", "Roux", "--password-stdin"}, add); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	err := runServe(t, &logs, "--db", dbURL, "--demo")
	if err == nil || !strings.Contains(err.Error(), "refusing --demo") || !strings.Contains(err.Error(), "--demo-force") {
		t.Fatalf("serve --demo on real data: %v, want a refusal naming --demo-force", err)
	}
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM accounts`); n != 1 {
		t.Errorf("%d accounts after the refusal, want the one real account", n)
	}
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM establishments`); n != 0 {
		t.Errorf("%d establishments loaded after the refusal", n)
	}

	logs.Reset()
	if err := runServe(t, &logs, "--db", dbURL, "--demo", "--demo-force"); err != nil {
		t.Fatalf("serve --demo --demo-force: %v", err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "--demo-force") {
		t.Errorf("no loud warning in the log:\n%s", logs.String())
	}
	// Forcing once does not make the database the demo's.
	if err := runServe(t, io.Discard, "--db", dbURL, "--demo"); err == nil {
		t.Error("serve --demo accepted after a forced run on real data")
	}
}

// TestServeDemo_refused_at_a_public_address: the development sign-in is
// never served at an address people reach from outside the machine.
func TestServeDemo_refused_at_a_public_address(t *testing.T) {
	for _, args := range [][]string{
		{"--public-url", "https://cours-adultes.paris.fr"},
		{"--public-url", "http://192.168.1.20:8080"},
	} {
		dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
		err := runServe(t, io.Discard, append([]string{"--db", dbURL, "--demo"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("serve --demo %v: %v, want a refusal", args, err)
		}
		if n := countRows(t, dbURL, `SELECT COUNT(*) FROM accounts`); n != 0 {
			t.Errorf("%v: %d accounts created", args, n)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"} {
		if err := runServe(t, io.Discard, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo", "--public-url", u); err != nil {
			t.Errorf("serve --demo --public-url %s: %v", u, err)
		}
	}
}

// TestServeDemo_restarts_on_its_own_database: the demo is walked over several
// days: after people signed in (accounts the loader did not create), `serve
// --demo` starts again on the same database, and so it does on a database
// filled by `cma demo`.
func TestServeDemo_restarts_on_its_own_database(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	t.Run("first day", func(t *testing.T) {
		b := newBrowser(t, startServe(t, "--db", dbURL, "--demo"))
		b.signIn(t, "demo-candidate-3")
	})
	before := countRows(t, dbURL, `SELECT COUNT(*) FROM accounts`)
	if before == 0 {
		t.Fatal("no account after the first day")
	}
	if err := runServe(t, io.Discard, "--db", dbURL, "--demo"); err != nil {
		t.Fatalf("serve --demo the next day: %v", err)
	}

	loaded := "sqlite:" + filepath.Join(t.TempDir(), "loaded.db")
	if err := Run(context.Background(), []string{"demo", "--db", loaded}, testEnv(io.Discard, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	if err := runServe(t, io.Discard, "--db", loaded, "--demo"); err != nil {
		t.Fatalf("serve --demo on a database filled by cma demo: %v", err)
	}
}
