// Command reload measures how fast every instance's in-memory catalogue
// follows a change at scale (issue 13, item 7 and "Speed"): on SQLite and on
// PostgreSQL with the demo city at --scale (15: 21,000 courses), it times a
// full reload, store.LoadCatalogue then catalogue.Build, against a plain read
// of the same course rows in the same run, and then the lag between a change
// committed through one catalogue service and its being served by a second
// one on its own connection pool to the same database — two `cma serve`
// instances' view of the catalogue, with the platform's revision check.
//
//	go run ./bench/reload [--db sqlite|postgres|both] [--scale 15] [--repeat 5]
//	    [--changes 10] [--max-age 1s] [--postgres URL]
//
// Target (issue): every instance's catalogue updated within 1 s of the commit
// at 20,000 courses. See bench/README.md.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/app"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/i18n"
	"cma/internal/store"
)

// Target is the bound on a change's lag from one instance to another.
const Target = time.Second

// Options are the benchmark's settings.
type Options struct {
	Engines  []string
	Postgres string
	Scale    int
	Repeat   int           // timed reloads (and plain reads), the median is kept
	Changes  int           // changes whose lag is measured
	MaxAge   time.Duration // the services' revision check interval (serve: catalogue.DefaultMaxAge)
}

// Figures are one engine's.
type Figures struct {
	Engine            string
	Courses           int
	PlainRead         time.Duration // median: SELECT of every course row, scanned
	Load, Build, Both time.Duration // medians: LoadCatalogue, Build, the two one after the other
	Lags              []time.Duration
}

func main() {
	engine := flag.String("db", "both", "engines to measure: sqlite, postgres or both")
	var opts Options
	flag.StringVar(&opts.Postgres, "postgres", os.Getenv("CMA_TEST_POSTGRES"), "PostgreSQL server URL (default $CMA_TEST_POSTGRES); a database cma_bench_<random> is created on it and dropped")
	flag.IntVar(&opts.Scale, "scale", 15, "demo data scale (1 is about 1,400 courses; 15 about 21,000)")
	flag.IntVar(&opts.Repeat, "repeat", 5, "timed reloads and plain reads (the median is kept)")
	flag.IntVar(&opts.Changes, "changes", 10, "changes whose lag to the second service is measured")
	flag.DurationVar(&opts.MaxAge, "max-age", catalogue.DefaultMaxAge, "the services' revision check interval")
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/reload:", err)
		stop()
		os.Exit(1)
	}
}

// Run measures every engine of opts and prints the table on out.
func Run(ctx context.Context, opts Options, out, progress io.Writer) error {
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	var all []Figures
	for _, engine := range opts.Engines {
		if engine == "postgres" && opts.Postgres == "" {
			fmt.Fprintln(out, "postgres: skipped (no --postgres and no CMA_TEST_POSTGRES)")
			continue
		}
		f, err := runEngine(ctx, engine, opts, words, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
		all = append(all, f)
	}
	fmt.Fprintln(out, benchkit.MachineLine())
	fmt.Fprintf(out, "demo scale %d; %d timed reloads (median); %d changes; revision checked every %s; target: lag <= %s\n",
		opts.Scale, opts.Repeat, opts.Changes, opts.MaxAge, Target)
	fmt.Fprintf(out, "%9s|%8s|%11s|%14s|%9s|%12s|%7s|%10s|%10s|%8s|\n",
		"db", "courses", "plain read", "LoadCatalogue", "Build", "reload", "ratio", "lag p50", "lag max", "verdict")
	for _, f := range all {
		lags := slices.Clone(f.Lags)
		slices.Sort(lags)
		verdict := "PASS"
		if lags[len(lags)-1] > Target {
			verdict = "FAIL"
		}
		fmt.Fprintf(out, "%9s|%8d|%11s|%14s|%9s|%12s|%6.2fx|%10s|%10s|%8s|\n", f.Engine, f.Courses, ms(f.PlainRead), ms(f.Load), ms(f.Build),
			ms(f.Both), float64(f.Both)/float64(f.PlainRead), ms(lags[len(lags)/2]), ms(lags[len(lags)-1]), verdict)
	}
	return nil
}

func runEngine(ctx context.Context, engine string, opts Options, words *i18n.Catalog, progress io.Writer) (fig Figures, err error) {
	fig.Engine = engine
	dbURL, drop, err := benchkit.NewDatabase(ctx, engine, opts.Postgres)
	if err != nil {
		return fig, err
	}
	defer func() {
		if derr := drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	fmt.Fprintf(progress, "%s: loading demo data at scale %d\n", engine, opts.Scale)
	env := app.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard, Now: time.Now}
	if err := app.Run(ctx, []string{"demo", "--db", dbURL, "--scale", fmt.Sprint(opts.Scale), "--log-format", "json"}, env); err != nil {
		return fig, fmt.Errorf("load demo data: %w", err)
	}
	// Two connection pools to the database, as two instances have.
	dA, err := db.Open(ctx, dbURL)
	if err != nil {
		return fig, err
	}
	defer dA.Close()
	dB, err := db.Open(ctx, dbURL)
	if err != nil {
		return fig, err
	}
	defer dB.Close()
	stA, stB := store.New(dA), store.New(dB)

	// Reload against the plain read, alternated so that a change of the
	// machine's load touches both.
	var plain, load, build, both []time.Duration
	for range opts.Repeat {
		t0 := time.Now()
		n, err := plainRead(ctx, dB.R)
		if err != nil {
			return fig, err
		}
		plain = append(plain, time.Since(t0))
		t0 = time.Now()
		c, err := stB.LoadCatalogue(ctx)
		if err != nil {
			return fig, err
		}
		t1 := time.Now()
		ix := catalogue.Build(c, words, "C")
		t2 := time.Now()
		load, build, both = append(load, t1.Sub(t0)), append(build, t2.Sub(t1)), append(both, t2.Sub(t0))
		fig.Courses = n
		if ix.Len() == 0 {
			return fig, fmt.Errorf("an empty catalogue")
		}
	}
	fig.PlainRead, fig.Load, fig.Build, fig.Both = median(plain), median(load), median(build), median(both)
	fmt.Fprintf(progress, "%s: %d courses: plain read %s, LoadCatalogue %s, Build %s\n", engine, fig.Courses, ms(fig.PlainRead), ms(fig.Load), ms(fig.Build))

	// The lag: a change committed through A (as catalogue.Admin does: one
	// transaction that bumps the revision, then A's Invalidate), B asked for
	// its index every 2 ms as a steady stream of requests would.
	a := catalogue.NewService(stA, words, "C", opts.MaxAge, time.Now)
	b := catalogue.NewService(stB, words, "C", opts.MaxAge, time.Now)
	ixA, err := a.Index(ctx)
	if err != nil {
		return fig, err
	}
	if _, err := b.Index(ctx); err != nil {
		return fig, err
	}
	courses := ixA.All()
	r := rand.New(rand.NewPCG(uint64(opts.Scale), 13))
	for i := range opts.Changes {
		// A random phase against B's revision checks.
		time.Sleep(time.Duration(r.Int64N(int64(opts.MaxAge))))
		e := courses[r.IntN(len(courses))]
		cur, err := b.Index(ctx)
		if err != nil {
			return fig, err
		}
		before, _ := cur.Course(e.ID)
		remote := !before.Remote
		committed := time.Now()
		if err := stA.SetCourseRemote(ctx, e.ID, remote); err != nil {
			return fig, err
		}
		a.Invalidate()
		rev, err := stA.CatalogueRevision(ctx)
		if err != nil {
			return fig, err
		}
		for {
			ix, err := b.Index(ctx)
			if err != nil {
				return fig, err
			}
			if ix.Revision >= rev {
				if after, _ := ix.Course(e.ID); after.Remote != remote {
					return fig, fmt.Errorf("course %d: revision %d without the change", e.ID, ix.Revision)
				}
				break
			}
			if time.Since(committed) > 30*time.Second {
				return fig, fmt.Errorf("change %d not seen by the second service after 30 s", i+1)
			}
			time.Sleep(2 * time.Millisecond)
		}
		lag := time.Since(committed)
		fig.Lags = append(fig.Lags, lag)
		fmt.Fprintf(progress, "%s: change %d/%d (course %d remote=%v) served by the second service after %s\n",
			engine, i+1, opts.Changes, e.ID, remote, ms(lag))
	}
	return fig, nil
}

// plainRead reads every course row, every column, as any reload must.
func plainRead(ctx context.Context, q *sql.DB) (int, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM courses`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
