// Command validation is the basket-validation load benchmark: it starts the real
// platform in-process (app.Run "serve --demo": the same middleware, sessions,
// candidature rules, River queue and development mail sink as production) on
// SQLite and on PostgreSQL, prepares thousands of signed-in candidates with a
// filled basket straight in the database, then has vegeta send each one's
// POST /panier/valider exactly once with 64 keep-alive connections in
// max-throughput mode. The baseline, measured in the same run on the same
// database, is the same validation transaction called straight on the database
// (candidature.Service.Validate from 64 goroutines, rule checks included, on
// other prepared candidates); the figure is HTTP validations per second ÷ direct
// validations per second.
//
//	go run ./bench/validation [--db sqlite|postgres|both] [--candidates N]
//	    [--duration 10s] [--connections 64] [--postgres URL]
//
// Targets (issue): on PostgreSQL, >= 0.50x the direct transaction's rate with a
// p99 < 100 ms; on SQLite, >= 2,000 validations per second. See bench/README.md.
package main

import (
	"bytes"
	"cma/bench/internal/benchkit"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a time-zone database

	"github.com/riverqueue/river"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"cma/internal/accounts"
	"cma/internal/app"
	"cma/internal/auth/websession"
	"cma/internal/batch"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Targets of the issue.
const (
	MinRatioPostgres = 0.50                   // HTTP ÷ direct on PostgreSQL
	MaxP99Postgres   = 100 * time.Millisecond // HTTP p99 on PostgreSQL
	MinRateSQLite    = 2000.0                 // HTTP validations per second on SQLite
)

// postgresEnv names the PostgreSQL server used when --postgres is not given (the
// same variable as the tests).
const postgresEnv = "CMA_TEST_POSTGRES"

// successPlace is where a successful validation sends the browser.
const successPlace = "/mes-candidatures?valide=1"

// Options are the benchmark's settings.
type Options struct {
	Engines     []string      // "sqlite", "postgres"
	Postgres    string        // server URL; the benchmark creates and drops its own database on it
	Candidates  int           // prepared candidates per measured phase; 0 = the engine's default
	Warmup      int           // candidates validated before each phase, not measured; <0 = none
	Duration    time.Duration // cap on each measured phase (it also ends when its candidates run out)
	Connections int           // keep-alive connections = vegeta workers = direct goroutines
	AppLog      io.Writer     // the platform's JSON log; nil discards it
	Raw         bool          // also measure the SQL-only variant (the inserts without the rule checks)
	HTTPOnly    bool          // measure the HTTP phase alone (no baselines, no ratio), for profiling
	// Timeline, when set, receives the HTTP phase's latencies per half second
	// of request start: whether a tail is spread or comes from a stall.
	Timeline io.Writer
	// Profile, when set, receives a CPU profile of the measurements: from the
	// first phase's warm-up to the end (a second engine's preparation included).
	Profile io.Writer
}

// defaultCandidates is enough for about 10 s of the faster phase on a 2-core machine.
var defaultCandidates = map[string]int{"sqlite": 10000, "postgres": 10000}

// Result is one measured phase.
type Result struct {
	Engine      string
	Name        string
	HTTP        bool // the platform over HTTP; otherwise a baseline straight on the database
	Attempts    int
	OK          int // validations that succeeded (303 to /mes-candidatures?valide=1, or Validate without error)
	Failures    map[string]int
	Elapsed     time.Duration
	Rate        float64 // successful validations per second of wall time
	P50, P99    time.Duration
	Max         time.Duration
	Ratio       float64 // Rate ÷ the mean of the two direct baselines of the engine
	OtherCPU    float64 // share of the machine's CPU used by other processes while measuring (noise)
	ServerCPU   float64 // share of the machine's CPU used by the local PostgreSQL server while measuring
	Checked     int     // validations counted in SQL afterwards (validations table delta)
	Baseline    bool    // a direct baseline (the ratio's denominator)
	Information bool    // shown for information (the raw SQL variant)
}

// Pass says whether an HTTP row meets the target for its engine.
func (r Result) Pass() bool {
	if r.Attempts == 0 || r.OK != r.Attempts || r.Checked != r.OK {
		return false
	}
	if r.Engine == "postgres" {
		return r.Ratio >= MinRatioPostgres && r.P99 < MaxP99Postgres
	}
	return r.Rate >= MinRateSQLite
}

func main() {
	var (
		engine = flag.String("db", "both", "engines to measure: sqlite, postgres or both")
		opts   Options
		logTo  = flag.String("app-log", "", "write the platform's JSON log to this file (default: discard)")
		prof   = flag.String("cpuprofile", "", "write a CPU profile of the measurements (server, load generator, baselines; the first engine's preparation excluded) to this file")
	)
	flag.StringVar(&opts.Postgres, "postgres", os.Getenv(postgresEnv), "PostgreSQL server URL (default $"+postgresEnv+"); a database cma_bench_<random> is created on it and dropped")
	flag.IntVar(&opts.Candidates, "candidates", 0, "candidates prepared per measured phase (default 10000: about 10 s each on a 2-core machine)")
	flag.IntVar(&opts.Warmup, "warmup", 256, "candidates validated before each phase, not measured")
	flag.DurationVar(&opts.Duration, "duration", 10*time.Second, "cap on each measured phase (it ends earlier when its candidates run out)")
	flag.IntVar(&opts.Connections, "connections", 64, "concurrent keep-alive connections (vegeta workers), and goroutines of the direct baseline")
	flag.BoolVar(&opts.Raw, "raw", true, "also measure the raw SQL variant (the same inserts without the rule checks), for information")
	flag.BoolVar(&opts.HTTPOnly, "http-only", false, "measure only the HTTP phase, without baselines or ratio (for profiling the platform's path)")
	timeline := flag.Bool("timeline", false, "print the HTTP phase's latencies per half second (for investigating the tail)")
	flag.Parse()
	if *timeline {
		opts.Timeline = os.Stderr
	}
	switch *engine {
	case "both":
		opts.Engines = []string{"sqlite", "postgres"}
	case "sqlite", "postgres":
		opts.Engines = []string{*engine}
	default:
		fmt.Fprintf(os.Stderr, "--db %q: expected sqlite, postgres or both\n", *engine)
		os.Exit(2)
	}
	if *logTo != "" {
		f, err := os.Create(*logTo)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		opts.AppLog = f
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		opts.Profile = f
		defer f.Close()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := Run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/validation:", err)
		stop()
		os.Exit(1)
	}
}

// Run measures every engine in opts, prints the table on out and progress on
// progress, and returns the results.
func Run(ctx context.Context, opts Options, out, progress io.Writer) ([]Result, error) {
	opts.Connections = max(opts.Connections, 1)
	if opts.Warmup == 0 {
		opts.Warmup = 4 * opts.Connections
	}
	opts.Warmup = max(opts.Warmup, 0)
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	if opts.AppLog == nil {
		opts.AppLog = io.Discard
	}
	machine := benchkit.MachineLine()
	fmt.Fprintln(progress, machine)
	if opts.Profile != nil {
		defer pprof.StopCPUProfile() // started by the first engine, after its preparation
	}
	var results []Result
	var skipped []string
	for _, engine := range opts.Engines {
		if engine == "postgres" && opts.Postgres == "" {
			line := "postgres: skipped — set " + postgresEnv + " or --postgres to a server URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
			fmt.Fprintln(progress, line)
			skipped = append(skipped, line)
			continue
		}
		rs, err := runEngine(ctx, engine, opts, progress)
		results = append(results, rs...)
		if err != nil {
			printTable(out, machine, opts, results, skipped)
			return results, fmt.Errorf("%s: %w", engine, err)
		}
	}
	printTable(out, machine, opts, results, skipped)
	return results, nil
}

// bench is one engine's prepared world: the platform's URL and, in this
// process, the services the direct baseline calls.
type bench struct {
	engine string
	url    string // the platform's base URL
	d      *db.DB
	st     *store.Store
	cands  *candidature.Service
	ix     *catalogue.Index
	rules  string
	now    func() time.Time
	opts   Options
}

// candidate is one prepared person: a basket with its token and, for the HTTP
// phase, a session cookie.
type candidate struct {
	id      int64
	actor   domain.Actor
	token   string // the basket's token: the form's jeton
	session string // the cma_session cookie's value; "" for the direct phases
	courses int
}

// runEngine prepares a database, starts the platform on it, prepares the
// candidates, and measures direct, HTTP, direct (and raw SQL for information).
func runEngine(ctx context.Context, engine string, opts Options, progress io.Writer) (results []Result, err error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, engine, opts.Postgres)
	if err != nil {
		return nil, err
	}
	defer func() {
		if derr := drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	env := app.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: opts.AppLog, Now: time.Now}
	fmt.Fprintf(progress, "%s: starting the platform (cma serve --demo: demo data, River workers, development mail sink) on %s\n", engine, db.Redact(dbURL))
	started := time.Now()
	platform, stop, err := benchkit.StartPlatform(ctx, dbURL, env)
	if err != nil {
		return nil, err
	}
	defer func() {
		if serr := stop(); serr != nil && err == nil && !errors.Is(serr, context.Canceled) {
			err = serr
		}
	}()
	fmt.Fprintf(progress, "%s: platform ready at %s in %s\n", engine, platform, time.Since(started).Round(time.Millisecond))

	b, closeBench, err := openBench(ctx, engine, platform, dbURL, opts)
	if err != nil {
		return nil, err
	}
	defer closeBench()

	n := opts.Candidates
	if n <= 0 {
		n = defaultCandidates[engine]
	}
	type phase struct {
		name                     string
		http, raw, info, session bool
	}
	phases := []phase{
		{name: "direct: candidature.Service.Validate #1"},
		{name: "HTTP: POST /panier/valider", http: true, session: true},
		{name: "direct: candidature.Service.Validate #2"},
	}
	if opts.HTTPOnly {
		phases = phases[1:2]
	} else if opts.Raw {
		phases = append(phases, phase{name: "raw SQL: the same inserts, no rule checks", raw: true, info: true})
	}
	// Each phase's candidates are prepared just before it, so that their sessions
	// were active less than a minute before their validation, like a candidate's
	// who has just filled the basket (an older session is refreshed, a write more).
	next := 0
	for i, ph := range phases {
		fmt.Fprintf(progress, "%s: %d/%d %s: preparing %d candidates (%d measured + %d warm-up): account, basket of 1–3 courses%s\n",
			engine, i+1, len(phases), ph.name, n+opts.Warmup, n, opts.Warmup, map[bool]string{true: ", session"}[ph.session])
		started = time.Now()
		list, err := b.prepare(ctx, next, n+opts.Warmup, ph.session, progress)
		if err != nil {
			return results, fmt.Errorf("prepare candidates: %w", err)
		}
		next += n + opts.Warmup
		fmt.Fprintf(progress, "%s: %d/%d %s: %d candidates prepared in %s\n", engine, i+1, len(phases), ph.name, len(list),
			time.Since(started).Round(time.Millisecond))
		if i == 0 && opts.Profile != nil {
			// An error means a profile is already running: the first engine's.
			_ = pprof.StartCPUProfile(opts.Profile)
		}
		warm, measured := list[:opts.Warmup], list[opts.Warmup:]
		fmt.Fprintf(progress, "%s: %d/%d %s: warm-up %d, measuring %d candidates (at most %s) with %d connections…\n",
			engine, i+1, len(phases), ph.name, len(warm), len(measured), opts.Duration, opts.Connections)
		run := b.direct
		switch {
		case ph.http:
			run = b.overHTTP
		case ph.raw:
			run = b.rawSQL
		}
		if len(warm) > 0 {
			if w, err := run(ctx, warm); err != nil {
				return results, fmt.Errorf("%s warm-up: %w", ph.name, err)
			} else if w.OK != w.Attempts {
				return results, fmt.Errorf("%s warm-up: %d of %d validations failed: %v", ph.name, w.Attempts-w.OK, w.Attempts, w.Failures)
			}
		}
		if err := b.settle(ctx, progress, engine); err != nil {
			return results, err
		}
		before, err := b.countValidations(ctx)
		if err != nil {
			return results, err
		}
		r, err := run(ctx, measured)
		r.Engine, r.Name, r.HTTP, r.Information = engine, ph.name, ph.http, ph.info
		r.Baseline = !ph.http && !ph.info
		if err != nil {
			return results, fmt.Errorf("%s: %w", ph.name, err)
		}
		after, err := b.countValidations(ctx)
		if err != nil {
			return results, err
		}
		r.Checked = after - before
		results = append(results, r)
		fmt.Fprintf(progress, "%s: %d/%d %s: %.0f validations/s, %d of %d succeeded, %d in SQL, p50 %s, p99 %s, max %s, PostgreSQL %s CPU, other processes %s CPU\n",
			engine, i+1, len(phases), ph.name, r.Rate, r.OK, r.Attempts, r.Checked, ms(r.P50), ms(r.P99), ms(r.Max), benchkit.Pct(r.ServerCPU), benchkit.Pct(r.OtherCPU))
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
	}
	var sum float64
	var k int
	for _, r := range results {
		if r.Baseline {
			sum += r.Rate
			k++
		}
	}
	if k > 0 && sum > 0 {
		mean := sum / float64(k)
		for i := range results {
			results[i].Ratio = results[i].Rate / mean
		}
	}
	return results, nil
}

// openBench opens the platform's database in this process with the platform's
// own packages, and builds the candidature service the direct baseline calls:
// the same store, catalogue index, River client (insert-only here: the
// platform's workers, which poll the same database, send the emails) and
// confirmation mailer as `cma serve`.
func openBench(ctx context.Context, engine, platform, dbURL string, opts Options) (*bench, func(), error) {
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*bench, func(), error) {
		d.Close()
		return nil, nil, err
	}
	st := store.New(d)
	words, err := i18n.Load()
	if err != nil {
		return fail(err)
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return fail(err)
	}
	cat := catalogue.NewService(st, words, "C", time.Second, time.Now)
	ix, err := cat.Index(ctx)
	if err != nil {
		return fail(fmt.Errorf("load catalogue: %w", err))
	}
	queue, err := jobs.New(d, st, nil, jobs.Config{Workers: 0, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	if err != nil {
		return fail(err)
	}
	rules, err := st.CurrentRules(ctx)
	if err != nil {
		return fail(err)
	}
	if rules.Version == "" {
		return fail(errors.New("no internal rules published: cma serve --demo should have published them"))
	}
	cands := candidature.New(st, cat, outbox.New(st, queue, "cours-adultes.exemple"), candidature.ConfirmationMailer{Words: words, Paris: loc,
		SpaceURL: platform + "/mes-candidatures"}, time.Now, loc)
	b := &bench{engine: engine, url: platform, d: d, st: st, cands: cands, ix: ix, rules: rules.Version, now: time.Now, opts: opts}
	return b, func() { d.Close() }, nil
}

// basketCourses chooses the courses of candidate i: 1 to 3 courses of sessions
// open for candidatures, of distinct formations, with non-overlapping slots —
// so that every rule passes and the validation does its whole work.
func basketCourses(open []*catalogue.Entry, i int) []*catalogue.Entry {
	want := 1 + i%3
	var chosen []*catalogue.Entry
	start := (i * 7919) % len(open)
	for j := 0; j < len(open) && len(chosen) < want; j++ {
		e := open[(start+j*131)%len(open)]
		ok := true
		for _, c := range chosen {
			if c.FormationID == e.FormationID || (c.Weekday == e.Weekday && c.StartMinute < e.EndMinute && e.StartMinute < c.EndMinute) {
				ok = false
				break
			}
		}
		if ok {
			chosen = append(chosen, e)
		}
	}
	return chosen
}

// prepare creates n candidates numbered from first, straight in the database
// (never over HTTP): the account through accounts.Service.SignIn (as the city's
// sign-on would), the basket with store.AddBasketItem and RotateBasketToken in
// one transaction, and, when session is set, a web session committed with scs
// into the platform's session table, as the platform's sign-in does.
func (b *bench) prepare(ctx context.Context, first, n int, session bool, progress io.Writer) ([]candidate, error) {
	var open []*catalogue.Entry
	now := b.now()
	for _, e := range b.ix.All() {
		if e.Session != nil && e.Session.CandidatureOpen(now) {
			open = append(open, e)
		}
	}
	if len(open) < 3 {
		return nil, fmt.Errorf("only %d courses open for candidatures in the demo data", len(open))
	}
	accts := accounts.New(b.st, b.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sm := websession.New(b.st.Sessions(), false, websession.Timeouts{}) // the platform's cookie, lifetimes and codec

	run := make([]byte, 4)
	if _, err := rand.Read(run); err != nil {
		return nil, err
	}
	tag := hex.EncodeToString(run)
	out := make([]candidate, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	workers := 8
	if b.d.Dialect == db.SQLite {
		workers = 2 // one writer anyway
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= n || ctx.Err() != nil {
					return
				}
				c, err := b.prepareOne(ctx, accts, sm, open, tag, first+k, session)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				out[k] = c
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

func (b *bench) prepareOne(ctx context.Context, accts *accounts.Service, sm *websession.Manager, open []*catalogue.Entry, tag string, i int, session bool) (candidate, error) {
	born := time.Date(1950+i%50, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	acc, err := accts.SignIn(ctx, accounts.Identity{Issuer: "https://bench.invalid", Subject: fmt.Sprintf("bench-%s-%d", tag, i),
		Email: fmt.Sprintf("banc.%s.%d@exemple.org", tag, i), EmailVerified: true,
		FirstName: "Camille", LastName: fmt.Sprintf("Banc-%s-%d", tag, i), BirthDate: born})
	if err != nil {
		return candidate{}, fmt.Errorf("sign in candidate %d: %w", i, err)
	}
	if acc.Status != domain.StatusActive {
		return candidate{}, fmt.Errorf("candidate %d: account status %q", i, acc.Status)
	}
	chosen := basketCourses(open, i)
	c := candidate{id: acc.ID, actor: accounts.ActorOf(acc), courses: len(chosen)}
	err = b.st.InTx(ctx, func(tx *sql.Tx) error {
		for _, e := range chosen {
			if err := b.st.AddBasketItem(ctx, tx, acc.ID, e.ID, b.now()); err != nil {
				return err
			}
		}
		var err error
		c.token, err = b.st.RotateBasketToken(ctx, tx, acc.ID, b.now())
		return err
	})
	if err != nil {
		return c, fmt.Errorf("fill the basket of candidate %d: %w", i, err)
	}
	if session {
		sctx, err := sm.Load(ctx, "")
		if err != nil {
			return c, err
		}
		if err := sm.Start(sctx, acc, time.Now()); err != nil {
			return c, fmt.Errorf("sign in candidate %d: %w", i, err)
		}
		if c.session, _, err = sm.Commit(sctx); err != nil {
			return c, fmt.Errorf("session of candidate %d: %w", i, err)
		}
	}
	return c, nil
}

// form is the validation form as a browser sends it (multipart, as the page's
// form declares it).
func (b *bench) form(c candidate) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"jeton", c.token}, {"version_reglement", b.rules}, {"objectif", string(domain.ObjectivePersonal)},
		{"motivation", ""}, {"reglement", "1"}} {
		w.WriteField(kv[0], kv[1])
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// overHTTP has vegeta send each candidate's validation once, 64 workers in
// max-throughput mode, until the list runs out or the duration ends.
func (b *bench) overHTTP(ctx context.Context, list []candidate) (Result, error) {
	var r Result
	targets := make([]vegeta.Target, len(list))
	for i, c := range list {
		body, ct := b.form(c)
		targets[i] = vegeta.Target{Method: http.MethodPost, URL: b.url + "/panier/valider", Body: body, Header: http.Header{
			"Content-Type":   {ct},
			"Cookie":         {websession.CookieName + "=" + c.session},
			"Sec-Fetch-Site": {"same-origin"},
		}}
	}
	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := next.Add(1) - 1
		if i >= int64(len(targets)) {
			return vegeta.ErrNoTargets
		}
		*t = targets[i]
		return nil
	}
	tr := &http.Transport{
		Proxy:               nil, // loopback only, never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        b.opts.Connections * 2,
		MaxIdleConnsPerHost: max(b.opts.Connections, 64),
		MaxConnsPerHost:     b.opts.Connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	attacker := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: tr, Timeout: 30 * time.Second}),
		vegeta.Workers(uint64(b.opts.Connections)),
		vegeta.MaxWorkers(uint64(b.opts.Connections)),
		vegeta.MaxBody(0),
		vegeta.Redirects(vegeta.NoFollow),
	)
	r.Failures = map[string]int{}
	var m vegeta.Metrics
	var timed []*vegeta.Result
	cpu0 := benchkit.ReadCPU()
	start := time.Now()
	results := attacker.Attack(targeter, vegeta.Rate{Freq: 0}, b.opts.Duration, "validate")
	stop := context.AfterFunc(ctx, func() { attacker.Stop() })
	for res := range results {
		if res.Method == "" && res.Error == vegeta.ErrNoTargets.Error() {
			continue // a worker found the list exhausted: no request was sent
		}
		m.Add(res)
		if b.opts.Timeline != nil {
			timed = append(timed, res)
		}
		r.Attempts++
		switch {
		case res.Code == http.StatusSeeOther && res.Headers.Get("Location") == successPlace:
			r.OK++
		case res.Error != "":
			r.Failures[res.Error]++
		default:
			r.Failures[fmt.Sprintf("%d %s", res.Code, res.Headers.Get("Location"))]++
		}
	}
	stop()
	r.Elapsed = time.Since(start)
	cpu1 := benchkit.ReadCPU()
	r.OtherCPU, r.ServerCPU = cpu1.OtherShare(cpu0), cpu1.ServerShare(cpu0)
	m.Close()
	r.Rate = float64(r.OK) / r.Elapsed.Seconds()
	r.P50, r.P99, r.Max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
	if b.opts.Timeline != nil {
		printTimeline(b.opts.Timeline, start, timed)
	}
	return r, ctx.Err()
}

// printTimeline groups the results by half second of request start and
// prints each group's count and latencies.
func printTimeline(w io.Writer, start time.Time, results []*vegeta.Result) {
	const step = 500 * time.Millisecond
	var groups [][]time.Duration
	for _, res := range results {
		i := max(0, int(res.Timestamp.Sub(start)/step))
		for len(groups) <= i {
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], res.Latency)
	}
	fmt.Fprintf(w, "%8s %6s %9s %9s %9s\n", "start", "reqs", "p50", "p99", "max")
	for i, g := range groups {
		if len(g) == 0 {
			continue
		}
		slices.Sort(g)
		fmt.Fprintf(w, "%8s %6d %9s %9s %9s\n", time.Duration(i)*step, len(g), ms(g[len(g)/2]), ms(g[len(g)*99/100]), ms(g[len(g)-1]))
	}
}

// direct calls candidature.Service.Validate — the transaction the handler runs,
// with its rule checks, confirmation email and River job — from as many
// goroutines as there are connections, each candidate once.
func (b *bench) direct(ctx context.Context, list []candidate) (Result, error) {
	return b.parallel(ctx, list, func(ctx context.Context, c candidate) error {
		res, err := b.cands.Validate(ctx, c.actor, c.id, candidature.Form{Token: c.token, Objective: domain.ObjectivePersonal,
			AcceptRules: true, RulesVersion: b.rules})
		if err != nil {
			return err
		}
		if res.AlreadyDone || len(res.Candidatures) != c.courses {
			return fmt.Errorf("validation of %d: %d candidatures, already done %v", c.id, len(res.Candidatures), res.AlreadyDone)
		}
		return nil
	})
}

// parallel runs fn on each candidate once from opts.Connections goroutines,
// until the list runs out or the duration ends, and times each call.
func (b *bench) parallel(ctx context.Context, list []candidate, fn func(context.Context, candidate) error) (Result, error) {
	r := Result{Failures: map[string]int{}}
	var next atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, len(list))
	deadline := time.Now().Add(b.opts.Duration)
	cpu0 := benchkit.ReadCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range b.opts.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			fails := map[string]int{}
			ok := 0
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= int64(len(list)) {
					break
				}
				t0 := time.Now()
				err := fn(ctx, list[i])
				mine = append(mine, time.Since(t0))
				if err != nil {
					fails[err.Error()]++
				} else {
					ok++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			r.OK += ok
			for k, v := range fails {
				r.Failures[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	cpu1 := benchkit.ReadCPU()
	r.OtherCPU, r.ServerCPU = cpu1.OtherShare(cpu0), cpu1.ServerShare(cpu0)
	r.Attempts = len(lat)
	r.Rate = float64(r.OK) / r.Elapsed.Seconds()
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50 = lat[len(lat)/2]
		r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		r.Max = lat[len(lat)-1]
	}
	return r, ctx.Err()
}

// rawSQL is the SQL-only variant, for information: the validations batched as
// Validate batches them (at most 64 at once, one batch per CPU on PostgreSQL, one
// at a time on SQLite), each batch locking and reading its people
// (ReadForValidation), writing their candidatures, events, baskets and messages
// (WriteValidations) and queueing the emails (River's InsertManyTx), without
// checking the rules or the basket's token and without wording the email.
func (b *bench) rawSQL(ctx context.Context, list []candidate) (Result, error) {
	queue, err := jobs.New(b.d, b.st, nil, jobs.Config{Workers: 0, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	if err != nil {
		return Result{}, err
	}
	open := map[int64]*catalogue.Entry{}
	for _, e := range b.ix.All() {
		open[e.ID] = e
	}
	type raw struct {
		c   candidate
		err error
	}
	leaders := runtime.GOMAXPROCS(0)
	if b.st.SerializesWrites() {
		leaders = 1
	}
	batches := batch.NewBatcher(64, leaders, func(r *raw) int64 { return r.c.id }, func(batch []*raw) {
		err := b.st.InTx(ctx, func(tx *sql.Tx) error {
			var people []int64
			var keys []string
			for _, r := range batch {
				people, keys = append(people, r.c.id), append(keys, r.c.token)
			}
			reads, _, err := b.st.ReadForValidation(ctx, tx, people, keys)
			if err != nil {
				return err
			}
			var vs []*store.NewValidation
			for _, r := range batch {
				v := &store.NewValidation{Key: r.c.token, AccountID: r.c.id, Actor: r.c.id, At: b.now(),
					Message: &domain.Message{AccountID: r.c.id, Kind: "confirmation", Subject: "Confirmation", Text: "Texte",
						HTML: "<p>Texte</p>", MessageID: fmt.Sprintf("<raw-%d-%d@cours-adultes.exemple>", r.c.id, time.Now().UnixNano()),
						CreatedAt: b.now()}}
				for _, id := range reads[r.c.id].Basket {
					e := open[id]
					v.Candidatures = append(v.Candidatures, &domain.Candidature{AccountID: r.c.id, CourseID: e.ID,
						FormationID: e.FormationID, SessionID: e.SessionID, Status: domain.CandidatureSubmitted,
						Objective: domain.ObjectivePersonal, RulesVersion: b.rules, CreatedAt: b.now()})
				}
				vs = append(vs, v)
			}
			if err := b.st.WriteValidations(ctx, tx, vs); err != nil {
				return err
			}
			// One email job for the batch, as outbox.Queue queues it.
			ids := make([]int64, len(vs))
			for i, v := range vs {
				ids[i] = v.Message.ID
			}
			_, err = queue.InsertManyTx(ctx, tx, []river.InsertManyParams{{Args: outbox.SendEmailArgs{MessageIDs: ids}}})
			return err
		})
		for _, r := range batch {
			r.err = err
		}
	})
	return b.parallel(ctx, list, func(ctx context.Context, c candidate) error {
		r := &raw{c: c}
		batches.Do(r)
		return r.err
	})
}

// settle puts every phase on the same footing: it does not pay for the work the
// phases before it left behind. The confirmation emails they queued and that are
// still waiting are discarded (the platform's four email workers send about 40 a
// second, far fewer than a phase validates: sending them would take minutes, in
// the middle of the next phase) and those being sent are waited for; then, on
// PostgreSQL, the tables the earlier phases filled are vacuumed and analyzed and
// their dirty pages written out (CHECKPOINT), work the server would otherwise do
// in the middle of the next phase.
func (b *bench) settle(ctx context.Context, progress io.Writer, engine string) error {
	if _, err := b.d.W.ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'send_email'
		AND state IN ('available', 'pending', 'retryable', 'scheduled')`); err != nil {
		return fmt.Errorf("settle the database: discard the queued emails: %w", err)
	}
	for start := time.Now(); ; {
		var n int
		if err := b.d.R.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state = 'running'`).Scan(&n); err != nil {
			return fmt.Errorf("settle the database: count the emails being sent: %w", err)
		}
		if n == 0 {
			break
		}
		if time.Since(start) > time.Minute {
			return fmt.Errorf("settle the database: %d emails still being sent after a minute: is the mail sink answering?", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if b.d.Dialect != db.Postgres {
		// The earlier phases' log copied into the file now, rather than by the
		// platform's background checkpoints during the phase.
		if _, err := b.d.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("settle the database: checkpoint: %w", err)
		}
		return nil
	}
	if _, err := b.d.W.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("settle the database: vacuum: %w", err)
	}
	// CHECKPOINT needs a superuser or pg_checkpoint: without them the phase
	// is measured anyway, and the progress says so.
	if _, err := b.d.W.ExecContext(ctx, "CHECKPOINT"); err != nil {
		fmt.Fprintf(progress, "%s: no CHECKPOINT before the phase (%v): its figures include writing out the pages the earlier phases dirtied\n", engine, err)
	}
	return nil
}

// countValidations counts the validations table, to check the successes in SQL.
func (b *bench) countValidations(ctx context.Context) (int, error) {
	var n int
	if err := b.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM validations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count validations: %w", err)
	}
	return n, nil
}

func printTable(out io.Writer, machine string, opts Options, results []Result, skipped []string) {
	fmt.Fprintf(out, "\n%s\n", machine)
	fmt.Fprintf(out, "load: vegeta max-throughput, %d keep-alive connections (direct: %d goroutines), each prepared candidate validated once, phase capped at %s after %d warm-up validations, load generator in the same process\n",
		opts.Connections, opts.Connections, opts.Duration, opts.Warmup)
	fmt.Fprintf(out, "target: PostgreSQL HTTP >= %.2fx the direct transaction's validations/s and p99 < %s; SQLite HTTP >= %.0f validations/s\n\n",
		MinRatioPostgres, ms(MaxP99Postgres), MinRateSQLite)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "db\tphase\tvalidations\tin SQL\tsucceeded\tvalid./s\tratio\tp50\tp99\tmax\tPG CPU\tother CPU\tverdict\t")
	for _, r := range results {
		verdict := "baseline"
		switch {
		case r.HTTP && r.Pass():
			verdict = "PASS"
		case r.HTTP:
			verdict = "FAIL"
		case r.Information:
			verdict = "(info)"
		}
		if !r.HTTP && (r.OK != r.Attempts || r.Checked != r.OK) {
			verdict += ", failures"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%.0f\t%.2fx\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Engine, r.Name, r.OK, r.Checked,
			benchkit.Pct(share(r.OK, r.Attempts)), r.Rate, r.Ratio, ms(r.P50), ms(r.P99), ms(r.Max), benchkit.Pct(r.ServerCPU), benchkit.Pct(r.OtherCPU), verdict)
	}
	tw.Flush()
	for _, r := range results {
		if r.OK != r.Attempts {
			var parts []string
			for k, v := range r.Failures {
				parts = append(parts, fmt.Sprintf("%d× %s", v, k))
			}
			slices.Sort(parts)
			fmt.Fprintf(out, "%s %s: %d of %d validations failed: %s\n", r.Engine, r.Name, r.Attempts-r.OK, r.Attempts, strings.Join(parts, "; "))
		}
		if r.Checked != r.OK {
			fmt.Fprintf(out, "%s %s: %d successes but %d new validations in SQL\n", r.Engine, r.Name, r.OK, r.Checked)
		}
	}
	noisy := 0.0
	for _, r := range results {
		noisy = max(noisy, r.OtherCPU)
	}
	if noisy > 0.10 {
		fmt.Fprintf(out, "warning: other processes used up to %s of the machine's CPU during a measurement: the figures are noisy, run again on a quiet machine\n", benchkit.Pct(noisy))
	}
	for i, r := range results {
		if !r.Baseline || i+2 >= len(results) || !results[i+2].Baseline || results[i+2].Engine != r.Engine || r.Rate == 0 {
			continue
		}
		if d := results[i+2].Rate/r.Rate - 1; d > 0.15 || d < -0.15 {
			fmt.Fprintf(out, "warning: %s: the direct baselines around the HTTP phase differ by %+.0f%%: the machine's load changed during it\n", r.Engine, 100*d)
		}
	}
	for _, s := range skipped {
		fmt.Fprintln(out, s)
	}
}

func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
