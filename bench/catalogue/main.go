// Command catalogue is the catalogue load benchmark: it starts the real platform
// in-process (app.Run "serve", the same middleware, metrics, templ rendering and
// catalogue index as production) on SQLite and on PostgreSQL, loads it with 64
// keep-alive connections in vegeta's max-throughput mode, and reports each
// target's requests per second as a ratio to a bare html/template page served by
// a plain net/http server in the same process, measured with the same settings in
// the same run.
//
//	go run ./bench/catalogue [--db sqlite|postgres|both] [--duration 10s]
//	    [--warmup 1500ms] [--connections 64] [--scale 1] [--postgres URL]
//
// Target (issue): the catalogue search page at >= 0.50x the bare page's
// throughput and p99 < 50 ms at 64 connections. See bench/README.md.
package main

import (
	"bytes"
	"cma/bench/internal/benchkit"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a time-zone database

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"cma/internal/app"
	"cma/internal/db"
)

// Targets of the issue: the search page must reach MinRatio of the bare page's
// throughput with a p99 under MaxP99.
const (
	MinRatio = 0.50
	MaxP99   = 50 * time.Millisecond
)

// postgresEnv names the PostgreSQL server used when --postgres is not given (the
// same variable as the tests).
const postgresEnv = "CMA_TEST_POSTGRES"

// Options are the benchmark's settings.
type Options struct {
	Engines     []string      // "sqlite", "postgres"
	Postgres    string        // server URL; the benchmark creates and drops its own database on it
	Duration    time.Duration // measured time per target
	Warmup      time.Duration // unmeasured load before each target
	Connections int           // keep-alive connections = vegeta workers
	Scale       int           // demo scale
	AppLog      io.Writer     // the platform's JSON log; nil discards it
	Only        string        // when set, measure only the platform targets whose path contains it (the baseline always runs)
}

// Result is one measured target.
type Result struct {
	Engine   string
	Name     string
	Path     string
	Baseline bool // the bare html/template page
	Gated    bool // the target applies to it (the search page)
	Requests uint64
	OK       uint64 // responses with status 200
	Codes    map[string]int
	Errors   []string
	Elapsed  time.Duration
	RPS      float64 // status-200 responses per second of wall time
	P50, P99 time.Duration
	Max      time.Duration
	Bytes    int     // body size of one response
	Ratio    float64 // RPS / the mean of the baseline's RPS before and after, in the same engine section
	OtherCPU float64 // share of the machine's CPU used by other processes while measuring (noise)
}

// Success is the share of requests answered 200.
func (r Result) Success() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.OK) / float64(r.Requests)
}

// Pass says whether the result meets the target (computed for every
// target, binding only for the gated ones).
func (r Result) Pass() bool {
	return r.Requests > 0 && r.OK == r.Requests && r.Ratio >= MinRatio && r.P99 < MaxP99
}

func main() {
	var (
		engine = flag.String("db", "both", "engines to measure: sqlite, postgres or both")
		opts   Options
		logTo  = flag.String("app-log", "", "write the platform's JSON log to this file (default: discard)")
		prof   = flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load generator) to this file")
	)
	flag.StringVar(&opts.Only, "only", "", "measure only the targets whose path contains this text (the baseline always runs)")
	flag.StringVar(&opts.Postgres, "postgres", os.Getenv(postgresEnv), "PostgreSQL server URL (default $"+postgresEnv+"); a database cma_bench_<random> is created on it and dropped")
	flag.DurationVar(&opts.Duration, "duration", 10*time.Second, "measured time per target")
	flag.DurationVar(&opts.Warmup, "warmup", 1500*time.Millisecond, "unmeasured load before each target")
	flag.IntVar(&opts.Connections, "connections", 64, "concurrent keep-alive connections (vegeta workers)")
	flag.IntVar(&opts.Scale, "scale", 1, "demo data scale (1 is about 1,400 courses)")
	flag.Parse()
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
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := Run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/catalogue:", err)
		stop()
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// Run measures every engine in opts, prints the table on out and progress on
// progress, and returns the results.
func Run(ctx context.Context, opts Options, out, progress io.Writer) ([]Result, error) {
	opts.Connections = max(opts.Connections, 1)
	opts.Scale = max(opts.Scale, 1)
	if opts.AppLog == nil {
		opts.AppLog = io.Discard
	}
	machine := benchkit.MachineLine()
	fmt.Fprintln(progress, machine)

	base, err := startBaseline()
	if err != nil {
		return nil, err
	}
	defer base.Close()

	var results []Result
	var skipped []string
	for _, engine := range opts.Engines {
		if engine == "postgres" && opts.Postgres == "" {
			line := "postgres: skipped — set " + postgresEnv + " or --postgres to a server URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
			fmt.Fprintln(progress, line)
			skipped = append(skipped, line)
			continue
		}
		rs, err := runEngine(ctx, engine, base.URL, opts, progress)
		results = append(results, rs...)
		if err != nil {
			printTable(out, machine, opts, results, skipped)
			return results, fmt.Errorf("%s: %w", engine, err)
		}
	}
	printTable(out, machine, opts, results, skipped)
	return results, nil
}

type target struct {
	name  string
	path  string
	gated bool
}

// runEngine prepares a database, starts the platform on it, and measures the
// baseline then the platform's targets.
func runEngine(ctx context.Context, engine, baselineURL string, opts Options, progress io.Writer) (results []Result, err error) {
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
	if opts.Scale > 1 {
		fmt.Fprintf(progress, "%s: loading demo data at scale %d\n", engine, opts.Scale)
		if err := app.Run(ctx, []string{"demo", "--db", dbURL, "--scale", fmt.Sprint(opts.Scale), "--log-format", "json"}, env); err != nil {
			return nil, fmt.Errorf("load demo data: %w", err)
		}
	}
	fmt.Fprintf(progress, "%s: starting the platform (cma serve --demo) on %s\n", engine, db.Redact(dbURL))
	started := time.Now()
	platform, stop, err := benchkit.StartPlatform(ctx, dbURL, env)
	if err != nil {
		return nil, err
	}
	defer func() {
		if serr := stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	fmt.Fprintf(progress, "%s: platform ready at %s in %s\n", engine, platform, time.Since(started).Round(time.Millisecond))

	id, err := firstCourseID(ctx, platform+"/api/v1/courses?q=anglais")
	if err != nil {
		return nil, err
	}
	targets := []target{
		{"search page", "/catalogue?q=anglais", true},
		{"search page, filters + page 2", "/catalogue?domaine=languages&jour=1&ouverts=non&page=2", true},
		{"API search", "/api/v1/courses?q=anglais", false},
		{"course page", fmt.Sprintf("/catalogue/cours/%d", id), false},
	}
	// The baseline brackets every platform target (baseline, target, baseline,
	// target, …, baseline) and each target's ratio is to the mean of the two
	// baselines around it, so a change of the machine's load during the section
	// (another program starting) moves both sides of a ratio, and shows as a gap
	// between neighbouring baselines instead of silently skewing it.
	var all []target
	for _, t := range targets {
		if strings.Contains(t.path, opts.Only) {
			all = append(all, target{fmt.Sprintf("baseline: bare html/template page #%d", len(all)/2+1), "/", false}, t)
		}
	}
	all = append(all, target{fmt.Sprintf("baseline: bare html/template page #%d", len(all)/2+1), "/", false})
	for i, t := range all {
		origin := platform
		if i%2 == 0 {
			origin = baselineURL
		}
		fmt.Fprintf(progress, "%s: %d/%d %s %s: warm-up %s, measuring %s with %d connections…\n",
			engine, i+1, len(all), t.name, t.path, opts.Warmup, opts.Duration, opts.Connections)
		r, err := measure(ctx, origin, t, opts)
		r.Engine = engine
		r.Baseline = i%2 == 0
		if err != nil {
			return results, fmt.Errorf("%s %s: %w", t.name, t.path, err)
		}
		results = append(results, r)
		fmt.Fprintf(progress, "%s: %d/%d %s: %.0f req/s, p50 %s, p99 %s, max %s, %s 200, other processes %s CPU\n",
			engine, i+1, len(all), t.name, r.RPS, ms(r.P50), ms(r.P99), ms(r.Max), benchkit.Pct(r.Success()), benchkit.Pct(r.OtherCPU))
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
	}
	// Baselines: ratio to the mean of all the section's baselines (how far each
	// one is from the others). Targets: ratio to the mean of their two neighbours.
	var sum float64
	for i := 0; i < len(results); i += 2 {
		sum += results[i].RPS
	}
	mean := sum / float64(len(results)/2+1)
	for i := range results {
		ref := mean
		if i%2 == 1 {
			ref = (results[i-1].RPS + results[i+1].RPS) / 2
		}
		if ref > 0 {
			results[i].Ratio = results[i].RPS / ref
		}
	}
	return results, nil
}

// firstCourseID reads a real course ID from the API.
func firstCourseID(ctx context.Context, apiURL string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", apiURL, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return 0, fmt.Errorf("GET %s: %w", apiURL, err)
	}
	if len(list.Items) == 0 {
		return 0, fmt.Errorf("GET %s: no course found in the demo data", apiURL)
	}
	return list.Items[0].ID, nil
}

// measure checks that the target answers 200, warms it up, then loads it for
// opts.Duration in max-throughput mode.
func measure(ctx context.Context, origin string, t target, opts Options) (Result, error) {
	r := Result{Name: t.name, Path: t.path, Gated: t.gated}
	u := origin + t.path
	n, err := preflight(ctx, u)
	if err != nil {
		return r, err
	}
	r.Bytes = n

	tr := &http.Transport{
		Proxy:               nil, // loopback only, never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        opts.Connections * 2,
		MaxIdleConnsPerHost: max(opts.Connections, 64),
		MaxConnsPerHost:     opts.Connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	attacker := vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: tr, Timeout: 30 * time.Second}),
		vegeta.Workers(uint64(opts.Connections)),
		vegeta.MaxWorkers(uint64(opts.Connections)),
		vegeta.MaxBody(0), // the body is read to the end and discarded; its size comes from the preflight
		vegeta.Redirects(vegeta.NoFollow),
	)
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: u})
	rate := vegeta.Rate{Freq: 0} // as fast as the workers go

	if opts.Warmup > 0 {
		for range attack(ctx, attacker, targeter, rate, opts.Warmup, "warmup") {
		}
		attacker = vegeta.NewAttacker(
			vegeta.Client(&http.Client{Transport: tr, Timeout: 30 * time.Second}),
			vegeta.Workers(uint64(opts.Connections)),
			vegeta.MaxWorkers(uint64(opts.Connections)),
			vegeta.MaxBody(0),
			vegeta.Redirects(vegeta.NoFollow),
		)
	}
	var m vegeta.Metrics
	cpu0 := benchkit.ReadCPU()
	start := time.Now()
	for res := range attack(ctx, attacker, targeter, rate, opts.Duration, t.name) {
		m.Add(res)
		if res.Code == http.StatusOK {
			r.OK++
		}
	}
	r.Elapsed = time.Since(start)
	r.OtherCPU = benchkit.ReadCPU().OtherShare(cpu0)
	m.Close()
	r.Requests = m.Requests
	r.Codes = m.StatusCodes
	r.Errors = m.Errors
	r.RPS = float64(r.OK) / r.Elapsed.Seconds()
	r.P50, r.P99, r.Max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	return r, nil
}

// attack is vegeta's Attack that also stops when ctx ends.
func attack(ctx context.Context, a *vegeta.Attacker, tr vegeta.Targeter, p vegeta.Pacer, du time.Duration, name string) <-chan *vegeta.Result {
	results := a.Attack(tr, p, du, name)
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	out := make(chan *vegeta.Result, 1024)
	go func() {
		defer close(out)
		defer stop()
		for r := range results {
			out <- r
		}
	}()
	return out
}

// preflight GETs the URL once and insists on a 200 with a body.
func preflight(ctx context.Context, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s before the load started", u, resp.Status)
	}
	if len(body) == 0 {
		return 0, fmt.Errorf("GET %s: empty body", u)
	}
	return len(body), nil
}

func printTable(out io.Writer, machine string, opts Options, results []Result, skipped []string) {
	fmt.Fprintf(out, "\n%s\n", machine)
	fmt.Fprintf(out, "load: vegeta max-throughput, %d keep-alive connections, %s per target after %s warm-up, demo scale %d, load generator in the same process\n",
		opts.Connections, opts.Duration, opts.Warmup, opts.Scale)
	fmt.Fprintf(out, "target: search page >= %.2fx the bare page's req/s and p99 < %s (other rows: same bar, for information)\n\n", MinRatio, ms(MaxP99))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "db\ttarget\treq/s\tratio\t200s\tp50\tp99\tmax\tbytes\tother CPU\tverdict\t")
	for _, r := range results {
		var verdict string
		switch {
		case r.Baseline && r.OK == r.Requests:
			verdict = "baseline"
		case r.Baseline:
			verdict = "baseline, not all 200"
		case r.Gated && r.Pass():
			verdict = "PASS"
		case r.Gated:
			verdict = "FAIL"
		case r.Pass():
			verdict = "(pass)"
		default:
			verdict = "(fail)"
		}
		shown := r.Path
		if r.Baseline {
			shown = strings.TrimPrefix(r.Name, "baseline: ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.2fx\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", r.Engine, shown, r.RPS, r.Ratio,
			benchkit.Pct(r.Success()), ms(r.P50), ms(r.P99), ms(r.Max), r.Bytes, benchkit.Pct(r.OtherCPU), verdict)
	}
	tw.Flush()
	for _, r := range results {
		if r.OK != r.Requests {
			fmt.Fprintf(out, "%s %s: %d of %d requests were not 200: codes %v, errors %s\n", r.Engine, r.Path,
				r.Requests-r.OK, r.Requests, r.Codes, strings.Join(r.Errors, "; "))
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
		if !r.Baseline || i+2 >= len(results) || !results[i+2].Baseline || results[i+2].Engine != r.Engine || r.RPS == 0 {
			continue
		}
		if d := results[i+2].RPS/r.RPS - 1; d > 0.15 || d < -0.15 {
			fmt.Fprintf(out, "warning: %s %s: the baselines around it differ by %+.0f%%: the machine's load changed during that measurement\n",
				r.Engine, results[i+1].Path, 100*d)
		}
	}
	for _, s := range skipped {
		fmt.Fprintln(out, s)
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// The baseline: a bare net/http server answering GET / with an html/template
// page — a layout (head, header with navigation, main, footer) around a list of
// 20 course-like items rendered from a fixed slice — buffered then written, as
// the platform renders its pages. No middleware, no metrics, no data lookup.

type baseline struct {
	URL   string
	srv   *http.Server
	close sync.Once
}

func (b *baseline) Close() { b.close.Do(func() { b.srv.Close() }) }

type baselineItem struct {
	URL, Title, Level, Schedule, Place, Session, Price, Places string
	Full                                                       bool
}

var baselineTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — Cours municipaux d'adultes</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="site">
<p class="brand"><a href="/catalogue">Cours municipaux d'adultes</a></p>
<nav aria-label="Menu principal"><ul>
<li><a href="/catalogue">Catalogue</a></li><li><a href="/catalogue/brochure">Brochure</a></li><li><a href="/aide">Aide</a></li>
</ul></nav>
</header>
<main id="contenu">
<h1>{{.Title}}</h1>
<p class="count">{{.Total}} cours trouvés — page {{.Page}} sur {{.Pages}}</p>
<ol class="results">
{{range .Items}}<li class="result{{if .Full}} full{{end}}">
<h2><a href="{{.URL}}">{{.Title}}</a> <span class="level">{{.Level}}</span></h2>
<dl>
<dt>Horaire</dt><dd>{{.Schedule}}</dd>
<dt>Lieu</dt><dd>{{.Place}}</dd>
<dt>Session</dt><dd>{{.Session}}</dd>
<dt>Tarif</dt><dd>{{.Price}}</dd>
<dt>Places</dt><dd>{{.Places}}</dd>
</dl>
</li>
{{end}}</ol>
<nav class="pages" aria-label="Pages"><a href="/catalogue?page=1">Précédente</a> <a href="/catalogue?page=3">Suivante</a></nav>
</main>
<footer class="site"><p>Ville de Paris — Cours municipaux d'adultes</p></footer>
</body>
</html>
`))

var baselineData = func() any {
	items := make([]baselineItem, 20)
	for i := range items {
		items[i] = baselineItem{
			URL:      fmt.Sprintf("/catalogue/cours/%d", 1000+i),
			Title:    fmt.Sprintf("Anglais — conversation et compréhension orale %d", i+1),
			Level:    []string{"Débutant", "Élémentaire", "Intermédiaire", "Avancé"}[i%4],
			Schedule: fmt.Sprintf("Le %s de 18 h 30 à 20 h 30", []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi"}[i%5]),
			Place:    fmt.Sprintf("École élémentaire %d rue de l'Exemple, Paris %de", 10+i, 1+i%20),
			Session:  "Année 2026-2027",
			Price:    "de 101,50 € à 304,50 € selon le quotient familial",
			Places:   fmt.Sprintf("%d places restantes", i%7),
			Full:     i%7 == 0,
		}
	}
	return struct {
		Title              string
		Total, Page, Pages int
		Items              []baselineItem
	}{"Rechercher un cours", 137, 2, 7, items}
}()

func startBaseline() (*baseline, error) {
	// Rendered once up front so that a template mistake fails here, not under load.
	if err := baselineTemplate.Execute(io.Discard, baselineData); err != nil {
		return nil, fmt.Errorf("baseline template: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer // a fresh buffer per request, as the platform's render does
		if err := baselineTemplate.Execute(&buf, baselineData); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &baseline{URL: "http://" + ln.Addr().String(), srv: srv}, nil
}
