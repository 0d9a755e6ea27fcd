package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/selection"
)

// The selection drills (issue 14, PER-2, SEL-1): `cma select run` killed with
// SIGKILL inside its storing transaction, two runs of a session at once, two
// publications of two runs at once. The database is the demo city with its
// annual session's tests held (`cma demo --tests-held`): its candidature
// period closed in September, every tested formation has its results. The
// commands run on the demo clock set inside that session's answer period.
// A run is stopped at a known step by the drill-only variables
// CMA_DRILL_PAUSE_BEFORE_STORE / CMA_DRILL_PAUSE_IN_STORE (selection.DrillPause),
// which log "selection drill: run paused" there.

const (
	drillSession = "2026-2027-ANNUEL"
	drillCentral = "service.central.cma@paris.exemple"
	drillNow     = "2026-09-15T10:00:00+02:00" // inside the annual session's answer period
)

// cli is one `cma` command run by a drill.
type cli struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error // the exit, once done is closed
}

// startCLI starts `cma args...` with the environment of the test minus the
// CMA_* variables, plus extra (NAME=value).
func startCLI(t *testing.T, name string, extra []string, args ...string) *cli {
	t.Helper()
	c := &cli{name: name, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(binary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CMA_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	c.cmd.Env = append(c.cmd.Env, extra...)
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("%s: cma %s\nstdout:\n%s\nstderr (end):\n%s", c.name, strings.Join(args, " "), c.stdout.String(), tail(c.stderr.String(), 4000))
		}
	})
	return c
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (c *cli) kill() {
	select {
	case <-c.done:
	default:
		c.cmd.Process.Kill() // SIGKILL
		<-c.done
	}
}

// wait waits for the command to end and returns its exit.
func (c *cli) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-c.done:
		return c.err
	case <-time.After(timeout):
		t.Fatalf("%s did not end within %s:\n%s", c.name, timeout, tail(c.stderr.String(), 2000))
		return nil
	}
}

// waitOutput waits until the command's stderr holds every one of the texts.
func (c *cli) waitOutput(t *testing.T, timeout time.Duration, texts ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		all := true
		errs := c.stderr.String()
		for _, s := range texts {
			all = all && strings.Contains(errs, s)
		}
		if all {
			return
		}
		select {
		case <-c.done:
			t.Fatalf("%s ended (%v) before printing %q:\nstdout: %s\nstderr: %s", c.name, c.err, texts, c.stdout.String(), tail(errs, 2000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not print %q within %s", c.name, texts, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runCLI runs `cma args...` to its end.
func runCLI(t *testing.T, name string, extra []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	c := startCLI(t, name, extra, args...)
	err = c.wait(t, 90*time.Second)
	return c.stdout.String(), c.stderr.String(), err
}

// selectRunArgs is `cma select run` of the drill's session on the demo
// clock started at drillNow, moved on by after.
func selectRunArgs(dbURL string, after time.Duration) []string {
	now, _ := time.Parse(time.RFC3339, drillNow)
	return []string{"select", "run", "--db", dbURL, "--session", drillSession, "--as", drillCentral,
		"--demo", "--demo-now", now.Add(after).Format(time.RFC3339), "--log-format", "text"}
}

var runNumber = regexp.MustCompile(`traitement à blanc n° ([0-9]+) de la session`)

// ranRun reads the run's ID from `cma select run`'s report.
func ranRun(t *testing.T, stdout string) int64 {
	t.Helper()
	m := runNumber.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no run number in the report:\n%s", stdout)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// drillDB makes the demo database with the annual session's tests held, on
// the engine of dbURL; d is nil on SQLite (opened here once it exists).
func drillDB(t *testing.T, dbURL string, d *db.DB) *db.DB {
	t.Helper()
	began := time.Now()
	out, errs, err := runCLI(t, "demo", nil, "demo", "--db", dbURL, "--tests-held", "--log-format", "text")
	if err != nil {
		t.Fatalf("cma demo --tests-held: %v\n%s\n%s", err, out, tail(errs, 2000))
	}
	t.Logf("demo with its tests held in %s", time.Since(began).Round(time.Millisecond))
	if d == nil {
		d = openDB(t, dbURL)
	}
	return d
}

// eachEngine runs a drill on PostgreSQL (with CMA_TEST_POSTGRES) and SQLite.
func eachEngine(t *testing.T, drill func(t *testing.T, dbURL string, d *db.DB)) {
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		drill(t, dbURL, d)
	})
	t.Run("sqlite", func(t *testing.T) {
		drill(t, "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), nil)
	})
}

// statuses is every candidature's status, one line each.
func statuses(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), `SELECT id, status, COALESCE(decided_run_id, 0) FROM candidatures ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, run int64
		var status string
		if err := rows.Scan(&id, &status, &run); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %d\n", id, status, run)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// runRow is a run's status and error.
func runRow(t *testing.T, d *db.DB, id int64) (status, progress, errText string) {
	t.Helper()
	if err := d.R.QueryRowContext(context.Background(), `SELECT status, progress, error FROM selection_runs WHERE id = $1`, id).
		Scan(&status, &progress, &errText); err != nil {
		t.Fatalf("run %d: %v", id, err)
	}
	return
}

// nothingWritten checks that run id left no outcome, waiting place, kept
// input or audit event.
func nothingWritten(t *testing.T, d *db.DB, id int64) {
	t.Helper()
	for _, q := range []string{
		`SELECT COUNT(*) FROM selection_outcomes WHERE run_id = $1`,
		`SELECT COUNT(*) FROM selection_waiting WHERE run_id = $1`,
		`SELECT COUNT(*) FROM selection_run_inputs WHERE run_id = $1`,
		`SELECT COUNT(*) FROM audit_events WHERE object_kind = 'selection_run' AND object_id = $1`,
	} {
		if n := count(t, d, q, id); n != 0 {
			t.Errorf("half-written: run %d killed before its commit left %d rows: %s", id, n, q)
		}
	}
}

// TestRunKilledMidway_PER2_SEL1: `cma select run` is SIGKILLed inside the
// transaction that stores its outcomes, every outcome written but not
// committed. Nothing of it is left (no outcome, waiting place, kept input,
// audit event; no candidature changed); its row stays "running" and blocks a
// new run of the session until its heartbeat is stale (refused with a clear
// message before); then a new run takes over (the dead one marked failed),
// stores every outcome, and `cma select verify` finds the same outcomes.
func TestRunKilledMidway_PER2_SEL1(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string, d *db.DB) {
		d = drillDB(t, dbURL, d)
		before := statuses(t, d)
		submitted := count(t, d, `SELECT COUNT(*) FROM candidatures c JOIN sessions s ON s.id = c.session_id
			WHERE s.code = $1 AND c.status = 'submitted'`, drillSession)

		killed := startCLI(t, "run to kill", []string{"CMA_DRILL_PAUSE_IN_STORE=60s"}, selectRunArgs(dbURL, 0)...)
		killed.waitOutput(t, 60*time.Second, "selection drill: run paused", "step=in-store")
		id := int64(count(t, d, `SELECT MAX(id) FROM selection_runs`))
		if d.Dialect == db.Postgres {
			// The run's transaction holds what it wrote: visible to nobody else.
			if n := count(t, d, `SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
				WHERE c.relname = 'selection_outcomes' AND l.mode = 'RowExclusiveLock' AND l.granted`); n == 0 {
				t.Error("the paused run holds no lock on selection_outcomes: it is not inside its storing transaction")
			}
			if n := count(t, d, `SELECT COUNT(*) FROM selection_outcomes WHERE run_id = $1`, id); n != 0 {
				t.Errorf("%d outcomes of the paused run visible before its commit", n)
			}
		}
		killed.kill()
		t.Logf("run %d killed inside its storing transaction", id)
		if d.Dialect == db.Postgres { // the server rolls back when it sees the connection gone
			for deadline := time.Now().Add(20 * time.Second); count(t, d, `SELECT COUNT(*) FROM pg_stat_activity
				WHERE datname = current_database() AND state LIKE 'idle in transaction%'`) > 0; {
				if time.Now().After(deadline) {
					t.Fatal("the killed run's transaction is still open after 20 s")
				}
				time.Sleep(50 * time.Millisecond)
			}
		}

		nothingWritten(t, d, id)
		if after := statuses(t, d); after != before {
			t.Error("a candidature's status changed by a run killed before its commit")
		}
		if status, progress, _ := runRow(t, d, id); status != "running" {
			t.Errorf("killed run %d is %q (progress %q), want running until it is stale", id, status, progress)
		}

		// Within the staleness (2 minutes without a heartbeat; the demo clock
		// of each command says how long after the kill it starts): refused,
		// saying why.
		_, errs, err := runCLI(t, "run within the staleness", nil, selectRunArgs(dbURL, 30*time.Second)...)
		if err == nil || !strings.Contains(errs, "Un traitement de cette session est déjà en cours : attendez qu'il se termine.") {
			t.Errorf("a run while the killed one is not yet stale: %v, want refused as in progress:\n%s", err, tail(errs, 1000))
		}
		// Past it: a new run takes over.
		out, errs, err := runCLI(t, "run after the staleness", nil, selectRunArgs(dbURL, selection.StaleAfter+30*time.Second)...)
		if err != nil {
			t.Fatalf("a new run after the killed one is stale: %v\n%s\n%s", err, out, tail(errs, 2000))
		}
		again := ranRun(t, out)
		if status, _, errText := runRow(t, d, id); status != "failed" || !strings.Contains(errText, "abandoned") {
			t.Errorf("the killed run %d after the takeover: %q (%q), want failed as abandoned", id, status, errText)
		}
		if status, _, _ := runRow(t, d, again); status != "dry" {
			t.Errorf("the new run %d is %q, want dry", again, status)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM selection_outcomes WHERE run_id = $1`, again); n != submitted {
			t.Errorf("the new run stored %d outcomes for %d submitted candidatures (PER-2: every one of them)", n, submitted)
		}
		if !strings.Contains(out, fmt.Sprintf("candidatures : %d ;", submitted)) {
			t.Errorf("the new run's report does not count the %d candidatures:\n%s", submitted, out)
		}
		nothingWritten(t, d, id)
		if after := statuses(t, d); after != before {
			t.Error("a dry run changed a candidature's status")
		}

		out, errs, err = runCLI(t, "verify", nil, "select", "verify", "--db", dbURL, "--run", strconv.FormatInt(again, 10))
		if err != nil || !strings.Contains(out, fmt.Sprintf("traitement n° %d vérifié : les %d résultats recalculés", again, submitted)) {
			t.Errorf("verify run %d: %v\n%s\n%s", again, err, out, tail(errs, 1000))
		}
	})
}

// TestTwoRunsAndTwoPublicationsAtOnce_PER2_SEL1: a second `cma select run`
// of a session while the first is alive (paused before storing) is refused
// with a clear message and writes nothing; the first finishes. Then two
// `cma select publish` of two different dry runs of the session at once:
// one publishes (its candidatures updated, one email per candidate kept and
// queued with exactly one job, in its transaction), the other is refused
// with a clear message and changes nothing.
func TestTwoRunsAndTwoPublicationsAtOnce_PER2_SEL1(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string, d *db.DB) {
		d = drillDB(t, dbURL, d)
		first := startCLI(t, "first run", []string{"CMA_DRILL_PAUSE_BEFORE_STORE=8s"}, selectRunArgs(dbURL, 0)...)
		first.waitOutput(t, 60*time.Second, "selection drill: run paused", "step=before-store")
		runs := count(t, d, `SELECT COUNT(*) FROM selection_runs`)
		out, errs, err := runCLI(t, "second run", nil, selectRunArgs(dbURL, 0)...)
		if err == nil || !strings.Contains(errs, "Un traitement de cette session est déjà en cours : attendez qu'il se termine.") {
			t.Errorf("a second run while the first is alive: %v, want refused as in progress:\n%s\n%s", err, out, tail(errs, 1000))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM selection_runs`); n != runs {
			t.Errorf("the refused run left a row: %d runs, had %d", n, runs)
		}
		if err := first.wait(t, 60*time.Second); err != nil {
			t.Fatalf("the first run, after the second was refused: %v\n%s", err, tail(first.stderr.String(), 2000))
		}
		a := ranRun(t, first.stdout.String())
		out, errs, err = runCLI(t, "third run", nil, selectRunArgs(dbURL, 0)...)
		if err != nil {
			t.Fatalf("a run after the first ended: %v\n%s\n%s", err, out, tail(errs, 1000))
		}
		b := ranRun(t, out)

		before := statuses(t, d)
		type answer struct {
			run      int64
			out, err string
			exit     error
		}
		answers := make([]answer, 2)
		var wg sync.WaitGroup
		for i, id := range []int64{a, b} {
			wg.Go(func() {
				c := startCLI(t, fmt.Sprintf("publish %d", id), nil, "select", "publish", "--db", dbURL, "--run", strconv.FormatInt(id, 10),
					"--as", drillCentral, "--demo", "--demo-now", drillNow, "--log-format", "text")
				<-c.done
				answers[i] = answer{run: id, out: c.stdout.String(), err: c.stderr.String(), exit: c.err}
			})
		}
		wg.Wait()
		var won, lost []answer
		for _, x := range answers {
			if x.exit == nil {
				won = append(won, x)
			} else {
				lost = append(lost, x)
			}
		}
		if len(won) != 1 || len(lost) != 1 {
			t.Fatalf("two publications of two runs at once: %d published, %d refused, want one each: %+v", len(won), len(lost), answers)
		}
		w, l := won[0], lost[0]
		t.Logf("run %d published (%s), run %d refused", w.run, strings.TrimSpace(w.out), l.run)
		if !strings.Contains(l.err, fmt.Sprintf("Le traitement n° %d de cette session est déjà publié : un seul traitement peut être publié, le n° %d reste à blanc.", w.run, l.run)) {
			t.Errorf("the second publication's refusal does not say that run %d is published:\n%s", w.run, tail(l.err, 1000))
		}
		m := regexp.MustCompile(`: ([0-9]+) candidature\(s\) mises à jour, ([0-9]+) courriel\(s\) mis en file`).FindStringSubmatch(w.out)
		if m == nil {
			t.Fatalf("publication report: %s", w.out)
		}
		changed, _ := strconv.ParseInt(m[1], 10, 64)
		told, _ := strconv.ParseInt(m[2], 10, 64)
		if status, _, _ := runRow(t, d, l.run); status != "dry" {
			t.Errorf("the refused run %d is %q, want still dry", l.run, status)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM selection_runs WHERE status = 'published'`); n != 1 {
			t.Errorf("%d published runs, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM candidatures WHERE decided_run_id = $1`, l.run); n != 0 {
			t.Errorf("%d candidatures decided by the refused run %d", n, l.run)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM candidatures WHERE decided_run_id = $1`, w.run); n != changed || changed == 0 {
			t.Errorf("%d candidatures decided by the published run, its report says %d", n, changed)
		}
		if after := statuses(t, d); after == before {
			t.Error("the publication changed no candidature")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM messages WHERE kind = 'selection_outcomes'`); n != told || told == 0 {
			t.Errorf("%d outcome emails kept, the report says %d queued", n, told)
		}
		for _, r := range queryInts(t, d, `SELECT m.id, (SELECT COUNT(*) FROM river_job j
			WHERE j.kind = 'send_email' AND m.id IN `+jobMessages(d)+`) FROM messages m WHERE m.kind = 'selection_outcomes'`) {
			if r[1] != 1 {
				t.Errorf("outcome email %d has %d send_email jobs, want exactly 1", r[0], r[1])
			}
		}
	})
}
