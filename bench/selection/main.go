// Command selection times a selection run on PostgreSQL: a synthetic session
// (allocation.Synthetic) is written into a fresh database — formations,
// courses, candidates and their candidatures —, then `selection.StartRun`
// reads it, runs the engine and stores every outcome and the kept input in
// one transaction, and `selection.Publish` gives every candidature its
// status and queues one email per candidate. The figure is the whole run's
// time as a ratio to the engine alone, measured in the same run.
//
//	go run ./bench/selection [--candidatures N] [--courses M] [--postgres URL]
//
// Target (issue 14): 1,000,000 candidatures over 20,000 courses < 60 s.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/allocation"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

func main() {
	n := flag.Int("candidatures", 100000, "candidatures of the synthetic session")
	m := flag.Int("courses", 2000, "courses of the synthetic session")
	server := flag.String("postgres", os.Getenv("CMA_TEST_POSTGRES"), "PostgreSQL server URL")
	keep := flag.Bool("keep", false, "keep the database (its URL printed) after the run and its publication")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run and the publication to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench selection:", err)
			os.Exit(1)
		}
		cpuFile = f
	}
	if err := run(context.Background(), *n, *m, *server, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench selection:", err)
		os.Exit(1)
	}
}

var cpuFile *os.File

func run(ctx context.Context, n, m int, server string, keep bool) error {
	if server == "" {
		return fmt.Errorf("--postgres URL (or CMA_TEST_POSTGRES) is required")
	}
	url, drop, err := benchkit.NewDatabase(ctx, "postgres", server)
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "database kept:", url)
	} else {
		defer drop()
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return err
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	// Inside the demo's annual session's answer period: its candidatures are closed.
	now := time.Date(2026, 9, 20, 10, 0, 0, 0, paris)
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 1, Today: time.Date(2026, 6, 2, 10, 0, 0, 0, paris)}); err != nil {
		return err
	}
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidatures: n, Courses: m, Seed: 7})
	fmt.Fprintf(os.Stderr, "writing %d candidatures over %d courses…\n", len(in.Candidatures), len(in.Courses))
	t0 := time.Now()
	sessionID, central, err := write(ctx, d, st, in, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "written in %s\n", time.Since(t0).Round(time.Millisecond))
	client, err := jobs.New(d, st, nil, jobs.Config{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	sel := selection.New(selection.Deps{Log: slog.New(slog.NewTextHandler(os.Stderr, nil)), Store: st, Outbox: outbox.New(st, client, "bench.exemple"), Now: func() time.Time { return now },
		Paris: paris, PublicURL: "https://bench.exemple"})
	actor := domain.Actor{AccountID: central, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	runtime.GC()
	if cpuFile != nil {
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t1 := time.Now()
	r, err := sel.StartRun(ctx, actor, sessionID, domain.PassMain)
	if err != nil {
		return err
	}
	whole := time.Since(t1)
	sum, err := selection.Decode(r.Summary)
	if err != nil {
		return err
	}
	t2 := time.Now()
	res, err := sel.Publish(ctx, actor, r.ID)
	if err != nil {
		return err
	}
	pub := time.Since(t2)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	engine := time.Duration(sum.EngineMillis) * time.Millisecond
	fmt.Printf("%s\n", benchkit.MachineLine())
	fmt.Printf("PostgreSQL, %d candidatures, %d courses\n", sum.Candidatures, len(in.Courses))
	fmt.Printf("run (load + engine + store): %s; engine alone: %s; ratio %.1fx\n", whole.Round(time.Millisecond), engine,
		float64(whole)/float64(max(engine, time.Millisecond)))
	load := time.Duration(sum.LoadMillis) * time.Millisecond
	fmt.Printf("of which load %s, engine %s, the rest (outcomes mapped, summary, input kept, store) %s\n", load, engine,
		(whole - load - engine).Round(time.Millisecond))
	fmt.Printf("publish (%d candidatures, %d emails queued): %s\n", res.Changed, res.Told, pub.Round(time.Millisecond))
	fmt.Printf("Go heap in use at the end: %d MB; total allocated: %d MB\n", ms.HeapInuse>>20, ms.TotalAlloc>>20)
	return nil
}

// write inserts the synthetic session into the demo's annual session:
// formations and courses copied from a demo template row with the synthetic
// values, one account and validation per candidate, the candidatures.
func write(ctx context.Context, d *db.DB, st *store.Store, in allocation.Input, now time.Time) (int64, int64, error) {
	sessionID, err := st.SelectionSessionByCode(ctx, demo.SessionAnnualCode)
	if err != nil {
		return 0, 0, err
	}
	var central int64
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.PublishRules(ctx, tx, domain.Rules{Version: "bench", Published: now.Add(-time.Hour), Body: "Règlement."}); err != nil {
			return err
		}
		var tmplF, tmplC, tmplA int64
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM formations`).Scan(&tmplF); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM courses`).Scan(&tmplC); err != nil {
			return err
		}
		// One staff account (the central service) from which candidates are copied.
		if err := tx.QueryRowContext(ctx, `INSERT INTO accounts (kind, status, email, first_name, last_name, identity_key, phone,
			address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
			totp_last_step, search_key) VALUES ('staff', 'active', 'central@bench.exemple', 'Central', 'Service', '', '', '', '', '', '',
			'', $1, 0, '', '', 0, '') RETURNING id`, now).Scan(&tmplA); err != nil {
			return err
		}
		central = tmplA
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_grants (account_id, role) VALUES ($1, 'central')`, central); err != nil {
			return fmt.Errorf("grant: %w", err)
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
		_, err := tx.ExecContext(ctx, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
			motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
			SELECT a, c, f, $1, 'submitted', 'personal', '', r, j, s, 'bench', false, 'v' || (a - 2000000), $2
			FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::boolean[], $7::boolean[], $8::boolean[]) AS u(a, c, f, r, j, s)`,
			sessionID, now, acc, co, fo, rsa, js, sub)
		return err
	})
	return sessionID, central, err
}
