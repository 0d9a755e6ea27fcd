// Command selection measures a selection run against the targets of issue 14,
// in three phases, each on a fresh database:
//
//   - postgres: a synthetic session (allocation.Synthetic) of --candidatures
//     over --courses is written into PostgreSQL, then `selection.StartRun`
//     reads it, runs the engine and stores every outcome, explanation record
//     and the kept input in one transaction, and `selection.Publish` gives
//     every candidature its status, history and waiting places and keeps and
//     queues one email per candidate, in one transaction. The figure is the
//     whole (run + publication) as a ratio to the engine alone, measured in
//     the same run, with the process's peak resident set.
//   - sqlite: the same on SQLite, with --sqlite-candidatures.
//   - page: the platform (`cma serve --demo`) runs in this process on
//     PostgreSQL; a synthetic candidate signed in asks for /mes-candidatures
//     without a run, then while a run of --page-candidatures and its
//     publication go on: p99 of each, and their ratio.
//
// Usage:
//
//	go run ./bench/selection [--phases postgres,sqlite,page] [--candidatures N] [--courses M] [--postgres URL]
//
// Targets (issue 14): 1,000,000 candidatures over 20,000 courses on
// PostgreSQL < 60 s and < 1 GB; 100,000 on SQLite < 30 s; the candidate's
// page p99 < 100 ms while a run goes on.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/allocation"
	"cma/internal/app"
	"cma/internal/auth/websession"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

type options struct {
	phases         string
	n, m           int // PostgreSQL
	sqliteN        int
	sqliteM        int
	pageN, pageM   int
	server         string
	keep           bool
	quiet          bool
	baselineFor    time.Duration
	pageClients    int
	pageInterval   time.Duration
	pagePath       string
	cpuprofile     string
	cpuprofileFile *os.File
}

func main() {
	var o options
	flag.StringVar(&o.phases, "phases", "postgres,sqlite,page", "phases to run: postgres, sqlite, page (comma-separated)")
	flag.IntVar(&o.n, "candidatures", 1_000_000, "candidatures of the PostgreSQL session")
	flag.IntVar(&o.m, "courses", 20_000, "courses of the PostgreSQL session")
	flag.IntVar(&o.sqliteN, "sqlite-candidatures", 100_000, "candidatures of the SQLite session")
	flag.IntVar(&o.sqliteM, "sqlite-courses", 2_000, "courses of the SQLite session")
	flag.IntVar(&o.pageN, "page-candidatures", 200_000, "candidatures of the run during which the page is asked for")
	flag.IntVar(&o.pageM, "page-courses", 4_000, "courses of that run")
	flag.DurationVar(&o.baselineFor, "page-baseline", 15*time.Second, "how long the page is asked for without a run")
	flag.IntVar(&o.pageClients, "page-clients", 4, "candidates' browsers asking for the page at once")
	flag.DurationVar(&o.pageInterval, "page-interval", 50*time.Millisecond, "pause of each browser between two pages")
	flag.StringVar(&o.pagePath, "page-path", "/mes-candidatures", "the page asked for (the signed-in candidate's by default)")
	flag.StringVar(&o.server, "postgres", os.Getenv("CMA_TEST_POSTGRES"), "PostgreSQL server URL")
	flag.BoolVar(&o.keep, "keep", false, "keep the databases (URLs printed) after the phases")
	flag.BoolVar(&o.quiet, "quiet", false, "do not log the run's steps")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the postgres phase's run and publication to this file")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench selection:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	phases := strings.Split(o.phases, ",")
	for _, p := range phases {
		if p != "postgres" && p != "sqlite" && p != "page" {
			return fmt.Errorf("unknown phase %q", p)
		}
	}
	if (slices.Contains(phases, "postgres") || slices.Contains(phases, "page")) && o.server == "" {
		return errors.New("--postgres URL (or CMA_TEST_POSTGRES) is required for the postgres and page phases")
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.cpuprofileFile = f
	}
	fmt.Println(benchkit.MachineLine())
	var verdicts []string
	if slices.Contains(phases, "postgres") {
		r, err := runPhase(ctx, o, "postgres", o.n, o.m)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		verdicts = append(verdicts, r.print("PostgreSQL", 60*time.Second, true)...)
	}
	if slices.Contains(phases, "sqlite") {
		r, err := runPhase(ctx, o, "sqlite", o.sqliteN, o.sqliteM)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		verdicts = append(verdicts, r.print("SQLite", 30*time.Second, false)...)
	}
	if slices.Contains(phases, "page") {
		v, err := pagePhase(ctx, o)
		if err != nil {
			return fmt.Errorf("page: %w", err)
		}
		verdicts = append(verdicts, v...)
	}
	fmt.Println("verdicts:")
	for _, v := range verdicts {
		fmt.Println("  " + v)
	}
	return nil
}

// clock of the bench: the demo is loaded as on 2 June 2026; the run and the
// publication happen on 20 September, inside the demo's annual session's
// answer period (its candidatures closed).
var (
	paris, _  = time.LoadLocation("Europe/Paris")
	demoToday = time.Date(2026, 6, 2, 10, 0, 0, 0, paris)
	runNow    = time.Date(2026, 9, 20, 10, 0, 0, 0, paris)
)

// result is one measured run and publication.
type result struct {
	n, courses             int
	written                time.Duration
	run, load, engine, pub time.Duration
	steps                  string // the run's and the publication's logged steps
	changed, told          int
	peakRSS                uint64
	startRSS, runPeakRSS   uint64 // resident before the run (after a GC), and the peak up to the run's end
}

func (r result) print(engine string, limit time.Duration, memory bool) []string {
	whole := r.run + r.pub
	ratio := float64(whole) / float64(max(r.engine, time.Millisecond))
	fmt.Printf("\n%s, %d candidatures, %d courses (written in %s)\n", engine, r.n, r.courses, r.written.Round(time.Millisecond))
	fmt.Printf("  run (load + engine + store of every outcome): %s — load %s, engine %s, the rest %s\n", r.run.Round(time.Millisecond),
		r.load, r.engine, (r.run - r.load - r.engine).Round(time.Millisecond))
	fmt.Printf("  publish (%d candidatures, %d emails kept and queued): %s\n", r.changed, r.told, r.pub.Round(time.Millisecond))
	fmt.Printf("  whole: %s = %.1fx the engine alone (%s)\n", whole.Round(time.Millisecond), ratio, r.engine)
	if r.steps != "" {
		fmt.Printf("  steps: %s\n", r.steps)
	}
	fmt.Printf("  peak resident set of the process (VmHWM, synthetic input and the bench's own arrays included): %d MiB (resident before the run %d MiB, peak up to the run's end %d MiB)\n",
		r.peakRSS>>20, r.startRSS>>20, r.runPeakRSS>>20)
	out := []string{fmt.Sprintf("%s %d: whole run + publication %s (target < %s) %s", engine, r.n, whole.Round(100*time.Millisecond), limit,
		pass(whole < limit))}
	if memory {
		out = append(out, fmt.Sprintf("%s %d: peak RSS %d MiB (target < 1 GiB) %s", engine, r.n, r.peakRSS>>20, pass(r.peakRSS < 1<<30)))
	}
	return out
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// stepLog keeps the run's and the publication's step lines.
type stepLog struct {
	mu    sync.Mutex
	lines []string
	echo  io.Writer
}

func (l *stepLog) Write(p []byte) (int, error) {
	s := string(p)
	if strings.Contains(s, "selection run stored") || strings.Contains(s, "selection run published") {
		l.mu.Lock()
		l.lines = append(l.lines, strings.TrimSpace(s[strings.Index(s, "msg="):]))
		l.mu.Unlock()
	}
	if l.echo != nil {
		return l.echo.Write(p)
	}
	return len(p), nil
}

// env is an open database with the bench's services.
type env struct {
	d       *db.DB
	st      *store.Store
	sel     *selection.Service
	actor   domain.Actor
	session int64
	steps   *stepLog
	phase   atomic.Int32 // 1 while the run goes on, 2 while the publication does
}

// prepare opens dbURL, writes the synthetic session (loading the demo first
// when loadDemo) and returns the services that run it.
func prepare(ctx context.Context, o options, dbURL string, n, m int, loadDemo bool) (*env, time.Duration, error) {
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, 0, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, 0, err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return nil, 0, err
	}
	st := store.New(d)
	if loadDemo {
		if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 1, Today: demoToday}); err != nil {
			return nil, 0, err
		}
	}
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidatures: n, Courses: m, Seed: 7})
	fmt.Fprintf(os.Stderr, "%s: writing %d candidatures over %d courses…\n", d.Dialect, len(in.Candidatures), len(in.Courses))
	t0 := time.Now()
	var sessionID, central int64
	if d.Dialect == db.Postgres {
		sessionID, central, err = write(ctx, d, st, in, runNow, !loadDemo)
	} else {
		sessionID, central, err = writeSQLite(ctx, d, st, in, runNow)
	}
	if err != nil {
		return nil, 0, err
	}
	written := time.Since(t0)
	client, err := jobs.New(d, st, nil, jobs.Config{Now: func() time.Time { return runNow }})
	if err != nil {
		return nil, 0, err
	}
	words, err := i18n.Load()
	if err != nil {
		return nil, 0, err
	}
	steps := &stepLog{}
	if !o.quiet {
		steps.echo = os.Stderr
	}
	now := func() time.Time { return runNow }
	sel := selection.New(selection.Deps{Log: slog.New(slog.NewTextHandler(steps, nil)), Store: st,
		Catalogue: catalogue.NewService(st, words, "C", time.Second, now), Words: words,
		Outbox: outbox.New(st, client, "bench.exemple"), Now: now, Paris: paris, PublicURL: "https://bench.exemple"})
	actor := domain.Actor{AccountID: central, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	return &env{d: d, st: st, sel: sel, actor: actor, session: sessionID, steps: steps}, written, nil
}

// runAndPublish times the run and its publication.
func (e *env) runAndPublish(ctx context.Context, profile *os.File) (result, error) {
	var r result
	runtime.GC()
	resetPeakRSS()
	r.startRSS = statusKB("VmRSS:")
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			return r, err
		}
		defer pprof.StopCPUProfile()
	}
	e.phase.Store(1)
	defer e.phase.Store(0)
	t1 := time.Now()
	run, err := e.sel.StartRun(ctx, e.actor, e.session, domain.PassMain)
	if err != nil {
		return r, err
	}
	r.run = time.Since(t1)
	r.runPeakRSS = peakRSS()
	sum, err := selection.Decode(run.Summary)
	if err != nil {
		return r, err
	}
	r.n = sum.Candidatures
	r.engine, r.load = time.Duration(sum.EngineMillis)*time.Millisecond, time.Duration(sum.LoadMillis)*time.Millisecond
	e.phase.Store(2)
	t2 := time.Now()
	res, err := e.sel.Publish(ctx, e.actor, run.ID)
	if err != nil {
		return r, err
	}
	r.pub = time.Since(t2)
	r.changed, r.told = res.Changed, res.Told
	r.peakRSS = peakRSS()
	e.steps.mu.Lock()
	r.steps = strings.Join(e.steps.lines, "; ")
	e.steps.lines = nil
	e.steps.mu.Unlock()
	return r, nil
}

func runPhase(ctx context.Context, o options, engine string, n, m int) (result, error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, engine, o.server)
	if err != nil {
		return result{}, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "database kept:", dbURL)
	} else {
		defer drop()
	}
	e, written, err := prepare(ctx, o, dbURL, n, m, true)
	if err != nil {
		return result{}, err
	}
	defer e.d.Close()
	var profile *os.File
	if engine == "postgres" {
		profile = o.cpuprofileFile
	}
	r, err := e.runAndPublish(ctx, profile)
	r.written, r.courses = written, m
	return r, err
}

// pagePhase measures a signed-in candidate's page without and during a run.
func pagePhase(ctx context.Context, o options) ([]string, error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, "postgres", o.server)
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "database kept:", dbURL)
	} else {
		defer drop()
	}
	// The platform's clock stands on the demo's day: its demo is the one the
	// other phases load themselves.
	platform, stop, err := benchkit.StartPlatform(ctx, dbURL, app.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard,
		Stderr: io.Discard, Now: func() time.Time { return demoToday }})
	if err != nil {
		return nil, err
	}
	defer stop()
	e, _, err := prepare(ctx, o, dbURL, o.pageN, o.pageM, false)
	if err != nil {
		return nil, err
	}
	defer e.d.Close()
	// A synthetic candidate with candidatures in the session, signed in as
	// the platform's sign-in does.
	var accountID int64
	if err := e.d.R.QueryRowContext(ctx, `SELECT account_id FROM candidatures WHERE session_id = $1 GROUP BY account_id
		ORDER BY count(*) DESC, account_id LIMIT 1`, e.session).Scan(&accountID); err != nil {
		return nil, err
	}
	acc, err := e.st.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	sm := websession.New(e.st.Sessions(), false, websession.Timeouts{})
	sctx, err := sm.Load(ctx, "")
	if err != nil {
		return nil, err
	}
	if err := sm.Start(sctx, acc, demoToday); err != nil {
		return nil, err
	}
	token, _, err := sm.Commit(sctx)
	if err != nil {
		return nil, err
	}
	page := platform + o.pagePath
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.pageClients, DisableCompression: true}, Timeout: 30 * time.Second}
	get := func() (time.Duration, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
		req.Header.Set("Cookie", websession.CookieName+"="+token)
		t := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", page, resp.Status)
		}
		return d, err
	}
	if _, err := get(); err != nil {
		return nil, err
	}
	// browse asks for the page from o.pageClients browsers until done is closed.
	browse := func(done <-chan struct{}) ([3][]time.Duration, error) {
		var mu sync.Mutex
		var all [3][]time.Duration
		var first error
		var wg sync.WaitGroup
		for range o.pageClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					ph := e.phase.Load()
					d, err := get()
					if now := e.phase.Load(); now > ph {
						ph = now // a page that saw the publication start counts with it
					}
					mu.Lock()
					if err != nil && first == nil {
						first = err
					}
					all[ph] = append(all[ph], d)
					mu.Unlock()
					if err != nil {
						return
					}
					time.Sleep(o.pageInterval)
				}
			}()
		}
		wg.Wait()
		return all, first
	}
	fmt.Fprintf(os.Stderr, "page: %s without a run for %s…\n", page, o.baselineFor)
	done := make(chan struct{})
	time.AfterFunc(o.baselineFor, func() { close(done) })
	b3, err := browse(done)
	if err != nil {
		return nil, err
	}
	base := b3[0]
	fmt.Fprintf(os.Stderr, "page: the same during a run of %d candidatures and its publication…\n", o.pageN)
	done = make(chan struct{})
	var r result
	var runErr error
	go func() {
		defer close(done)
		r, runErr = e.runAndPublish(ctx, nil)
	}()
	d3, err := browse(done)
	during := slices.Concat(d3[1], d3[2])
	if runErr != nil {
		return nil, runErr
	}
	if err != nil {
		return nil, err
	}
	pb, pd := quantile(base, 0.99), quantile(during, 0.99)
	fmt.Printf("\npage GET %s of a signed-in candidate (%d browsers, %s between pages), served by the platform in this process on PostgreSQL\n",
		o.pagePath, o.pageClients, o.pageInterval)
	fmt.Printf("  without a run: %d pages, p50 %s, p99 %s, max %s\n", len(base), ms(quantile(base, 0.5)), ms(pb), ms(quantile(base, 1)))
	fmt.Printf("  during the run (%s) and the publication (%s) of %d candidatures: %d pages, p50 %s, p99 %s, max %s\n",
		r.run.Round(time.Millisecond), r.pub.Round(time.Millisecond), r.n, len(during), ms(quantile(during, 0.5)), ms(pd), ms(quantile(during, 1)))
	fmt.Printf("  of which during the run: %d pages, p99 %s; during the publication: %d pages, p99 %s\n", len(d3[1]), ms(quantile(d3[1], 0.99)),
		len(d3[2]), ms(quantile(d3[2], 0.99)))
	fmt.Printf("  p99 during ÷ p99 without: %.2fx\n", float64(pd)/float64(max(pb, time.Microsecond)))
	return []string{fmt.Sprintf("page %s p99 during a run of %d: %s (target < 100 ms) %s; %.2fx the page without a run", o.pagePath, r.n, ms(pd),
		pass(pd < 100*time.Millisecond), float64(pd)/float64(max(pb, time.Microsecond)))}, nil
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// resetPeakRSS restarts the kernel's count of the peak resident set (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSS() uint64 { return statusKB("VmHWM:") }

// statusKB reads a size of /proc/self/status (Linux), in bytes.
func statusKB(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// write inserts the synthetic session into the demo's annual session on
// PostgreSQL: formations and courses copied from a demo template row with
// the synthetic values, one account and validation per candidate, the
// candidatures, in set-based statements.
//
// With history, each candidature also gets the history event and each
// candidate the confirmation email that validation leaves.
func write(ctx context.Context, d *db.DB, st *store.Store, in allocation.Input, now time.Time, history bool) (int64, int64, error) {
	sessionID, err := st.SelectionSessionByCode(ctx, demo.SessionAnnualCode)
	if err != nil {
		return 0, 0, err
	}
	var central int64
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		var tmplF, tmplC int64
		if central, tmplF, tmplC, err = writeCommon(ctx, tx, st, now); err != nil {
			return err
		}
		fids := make([]int64, len(in.Formations))
		rates := make([]int32, len(in.Formations))
		for i, f := range in.Formations {
			fids[i], rates[i] = int64(f.ID)+1_000_000, int32(f.MinSocialPercent)
		}
		for _, q := range []string{
			`CREATE TEMP TABLE tf AS SELECT f.*, g.id AS g_id, g.rate AS g_rate FROM formations f,
				unnest($2::bigint[], $3::int[]) AS g(id, rate) WHERE f.id = $1`,
			`UPDATE tf SET id = g_id, code = 'SYN-' || g_id, title = 'Formation ' || g_id, evaluation = 'none', min_social_percent = g_rate`,
			`ALTER TABLE tf DROP COLUMN g_id, DROP COLUMN g_rate`,
			`INSERT INTO formations SELECT * FROM tf`,
		} {
			var err error
			if q[:6] == "CREATE" {
				_, err = tx.ExecContext(ctx, q, tmplF, fids, rates)
			} else {
				_, err = tx.ExecContext(ctx, q)
			}
			if err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		n := len(in.Courses)
		cid, cf, wd, sm, em, cp := make([]int64, n), make([]int64, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		lv := make([]string, n)
		for i, c := range in.Courses {
			cid[i], cf[i] = int64(c.ID)+1_000_000, int64(c.Formation)+1_000_000
			wd[i], sm[i], em[i], cp[i] = int32(c.Weekday), int32(c.StartMinute), int32(c.EndMinute), max(c.Capacity, 1)
			lv[i] = string(domain.Levels[min(int(c.Level), len(domain.Levels)-1)])
		}
		for _, q := range []string{
			`CREATE TEMP TABLE tc AS SELECT c.*, g.* FROM courses c,
				unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[]) AS g(g_id, g_f, g_wd, g_s, g_e, g_c, g_l)
				WHERE c.id = $1`,
			`UPDATE tc SET id = g_id, code = 'SYN-C' || g_id, formation_id = g_f, session_id = ` + fmt.Sprint(sessionID) + `,
				weekday = g_wd, start_minute = g_s, end_minute = g_e, capacity = g_c, level = g_l, enrolled = 0, archived_at = NULL`,
			`ALTER TABLE tc DROP COLUMN g_id, DROP COLUMN g_f, DROP COLUMN g_wd, DROP COLUMN g_s, DROP COLUMN g_e, DROP COLUMN g_c, DROP COLUMN g_l`,
			`INSERT INTO courses SELECT * FROM tc`,
		} {
			var err error
			if q[:6] == "CREATE" {
				_, err = tx.ExecContext(ctx, q, tmplC, cid, cf, wd, sm, em, cp, lv)
			} else {
				_, err = tx.ExecContext(ctx, q)
			}
			if err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
		}
		// Candidates: account IDs 2,000,000 + synthetic candidate ID.
		var maxCand int64
		for _, c := range in.Candidatures {
			maxCand = max(maxCand, int64(c.Candidate))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, kind, status, email, first_name, last_name, identity_key, phone,
			address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
			totp_last_step, search_key) SELECT 2000000 + g, 'candidate', 'active', 'c' || g || '@bench.exemple', 'Prénom' || g, 'Nom', '',
			'', '', '', '', '', '', $1, 0, '', '', 0, '' FROM generate_series(1, $2::bigint) g`, now, maxCand); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO validations (key, account_id, created_at)
			SELECT 'v' || g, 2000000 + g, $1 FROM generate_series(1, $2::bigint) g`, now, maxCand); err != nil {
			return err
		}
		k := len(in.Candidatures)
		acc, co, fo := make([]int64, k), make([]int64, k), make([]int64, k)
		rsa, js, sub := make([]bool, k), make([]bool, k), make([]bool, k)
		for i, c := range in.Candidatures {
			acc[i], co[i], fo[i] = int64(c.Candidate)+2_000_000, int64(c.Course)+1_000_000, int64(c.Formation)+1_000_000
			rsa[i], js[i], sub[i] = c.Social&allocation.RSA != 0, c.Social&allocation.JobSeeker != 0, c.Social&allocation.Subsidised != 0
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
			motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
			SELECT a, c, f, $1, 'submitted', 'personal', '', r, j, s, 'bench', false, 'v' || (a - 2000000), $2
			FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::boolean[], $7::boolean[], $8::boolean[]) AS u(a, c, f, r, j, s)`,
			sessionID, now, acc, co, fo, rsa, js, sub); err != nil {
			return err
		}
		if history {
			// What validation left (CAN-4, CON-2): each candidature's first
			// history event, each candidate's confirmation email, so that
			// those tables hold what they hold before any selection and
			// their statistics say so (the candidate's page reads them).
			if _, err := tx.ExecContext(ctx, `INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
				SELECT id, $2, 'submitted', NULL, 'candidature validée' FROM candidatures WHERE session_id = $1`, sessionID, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at, sent_at)
				SELECT 2000000 + g, 'validation', 'Confirmation de vos candidatures', repeat('Texte de la confirmation. ', 40),
				repeat('<p>Texte de la confirmation.</p>', 60), '<c' || g || '@bench.exemple>', $1, $1
				FROM generate_series(1, $2::bigint) g`, now, maxCand); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
	return sessionID, central, err
}

// writeCommon publishes the bench's rules and adds the central service's
// account; it returns that account and the demo's first formation and
// course, the templates of the synthetic ones.
func writeCommon(ctx context.Context, tx *sql.Tx, st *store.Store, now time.Time) (central, tmplF, tmplC int64, err error) {
	if err := st.PublishRules(ctx, tx, domain.Rules{Version: "bench", Published: now.Add(-time.Hour), Body: "Règlement."}); err != nil {
		return 0, 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM formations`).Scan(&tmplF); err != nil {
		return 0, 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM courses`).Scan(&tmplC); err != nil {
		return 0, 0, 0, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO accounts (kind, status, email, first_name, last_name, identity_key, phone,
		address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
		totp_last_step, search_key) VALUES ('staff', 'active', 'central@bench.exemple', 'Central', 'Service', '', '', '', '', '', '',
		'', $1, 0, '', '', 0, '') RETURNING id`, now.UTC().Format("2006-01-02T15:04:05.000000Z")).Scan(&central); err != nil {
		return 0, 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO staff_grants (account_id, role) VALUES ($1, 'central')`, central); err != nil {
		return 0, 0, 0, fmt.Errorf("grant: %w", err)
	}
	return central, tmplF, tmplC, nil
}

// writeSQLite is write on SQLite: the same rows, through prepared statements
// in one transaction.
func writeSQLite(ctx context.Context, d *db.DB, st *store.Store, in allocation.Input, now time.Time) (int64, int64, error) {
	sessionID, err := st.SelectionSessionByCode(ctx, demo.SessionAnnualCode)
	if err != nil {
		return 0, 0, err
	}
	at := now.UTC().Format("2006-01-02T15:04:05.000000Z")
	var central int64
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		var tmplF, tmplC int64
		if central, tmplF, tmplC, err = writeCommon(ctx, tx, st, now); err != nil {
			return err
		}
		exec := func(q string, args ...any) error {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%.60s: %w", q, err)
			}
			return nil
		}
		if err := exec(`CREATE TEMP TABLE tf AS SELECT * FROM formations WHERE id = $1`, tmplF); err != nil {
			return err
		}
		for _, f := range in.Formations {
			id := int64(f.ID) + 1_000_000
			if err := exec(`UPDATE tf SET id = $1, code = 'SYN-' || $1, title = 'Formation ' || $1, evaluation = 'none', min_social_percent = $2`,
				id, f.MinSocialPercent); err != nil {
				return err
			}
			if err := exec(`INSERT INTO formations SELECT * FROM tf`); err != nil {
				return err
			}
		}
		if err := exec(`CREATE TEMP TABLE tc AS SELECT * FROM courses WHERE id = $1`, tmplC); err != nil {
			return err
		}
		for _, c := range in.Courses {
			id := int64(c.ID) + 1_000_000
			if err := exec(`UPDATE tc SET id = $1, code = 'SYN-C' || $1, formation_id = $2, session_id = $3, weekday = $4, start_minute = $5,
				end_minute = $6, capacity = $7, level = $8, enrolled = 0, archived_at = NULL`, id, int64(c.Formation)+1_000_000, sessionID,
				int(c.Weekday), int(c.StartMinute), int(c.EndMinute), max(c.Capacity, 1),
				string(domain.Levels[min(int(c.Level), len(domain.Levels)-1)])); err != nil {
				return err
			}
			if err := exec(`INSERT INTO courses SELECT * FROM tc`); err != nil {
				return err
			}
		}
		var maxCand int64
		for _, c := range in.Candidatures {
			maxCand = max(maxCand, int64(c.Candidate))
		}
		acc, err := tx.PrepareContext(ctx, `INSERT INTO accounts (id, kind, status, email, first_name, last_name, identity_key, phone,
			address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
			totp_last_step, search_key) VALUES ($1, 'candidate', 'active', $2, $3, 'Nom', '', '', '', '', '', '', '', $4, 0, '', '', 0, '')`)
		if err != nil {
			return err
		}
		defer acc.Close()
		val, err := tx.PrepareContext(ctx, `INSERT INTO validations (key, account_id, created_at) VALUES ($1, $2, $3)`)
		if err != nil {
			return err
		}
		defer val.Close()
		for g := int64(1); g <= maxCand; g++ {
			if _, err := acc.ExecContext(ctx, 2_000_000+g, fmt.Sprintf("c%d@bench.exemple", g), fmt.Sprintf("Prénom%d", g), at); err != nil {
				return err
			}
			if _, err := val.ExecContext(ctx, fmt.Sprintf("v%d", g), 2_000_000+g, at); err != nil {
				return err
			}
		}
		cand, err := tx.PrepareContext(ctx, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
			motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
			VALUES ($1, $2, $3, $4, 'submitted', 'personal', '', $5, $6, $7, 'bench', 0, $8, $9)`)
		if err != nil {
			return err
		}
		defer cand.Close()
		for _, c := range in.Candidatures {
			if _, err := cand.ExecContext(ctx, int64(c.Candidate)+2_000_000, int64(c.Course)+1_000_000, int64(c.Formation)+1_000_000, sessionID,
				c.Social&allocation.RSA != 0, c.Social&allocation.JobSeeker != 0, c.Social&allocation.Subsidised != 0,
				fmt.Sprintf("v%d", c.Candidate), at); err != nil {
				return err
			}
		}
		return exec(`DROP TABLE tf`)
	})
	if err == nil {
		_, err = d.W.ExecContext(ctx, `ANALYZE`)
	}
	return sessionID, central, err
}
