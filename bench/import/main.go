// Command import is the catalogue import benchmark (issue 13, "Speed"): on
// SQLite and on PostgreSQL it imports a session's catalogue of --courses
// courses from an XLSX workbook — the dry run, then the import itself (which
// reads and checks the file again inside its transaction), then the same file
// again, which changes nothing — and reports each as a ratio to a plain INSERT
// of the same rows in one transaction, measured in the same run on the same
// database. It also times what an instance does to see the change: load the
// catalogue (store.LoadCatalogue) and build its in-memory index
// (catalogue.Build) at that size.
//
//	go run ./bench/import [--db sqlite|postgres|both] [--courses 20000] [--postgres URL]
//
// Targets: the import at most 3× the plain INSERT and under 10 s; the
// in-memory catalogue rebuilt within 1 s. See bench/README.md.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/i18n"
	"cma/internal/store"
)

// The targets.
const (
	MaxRatio  = 3.0
	MaxImport = 10 * time.Second
	MaxReload = time.Second
)

const postgresEnv = "CMA_TEST_POSTGRES"

// Result is one engine's figures.
type Result struct {
	Engine                string
	Courses               int
	FileBytes             int
	Plain, DryRun, Import time.Duration
	Reimport, Load, Build time.Duration
	Created, Unchanged    int
}

func main() {
	engines := flag.String("db", "both", "sqlite, postgres or both")
	courses := flag.Int("courses", 20000, "courses in the imported session")
	pg := flag.String("postgres", os.Getenv(postgresEnv), "PostgreSQL server URL (default $"+postgresEnv+")")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	var list []string
	switch *engines {
	case "both":
		list = []string{"sqlite", "postgres"}
	case "sqlite", "postgres":
		list = []string{*engines}
	default:
		fmt.Fprintln(os.Stderr, "--db: sqlite, postgres or both")
		os.Exit(2)
	}
	ctx := context.Background()
	var results []Result
	for _, engine := range list {
		if engine == "postgres" && *pg == "" {
			fmt.Fprintln(os.Stderr, "postgres: give --postgres or $"+postgresEnv)
			os.Exit(2)
		}
		r, err := run(ctx, engine, *pg, *courses)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", engine, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	fmt.Println(benchkit.MachineLine())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tcourses\tfile\tplain INSERT\tdry run\timport\tratio\tdry+import\tre-import\tload+build\tverdict\t")
	failed := false
	for _, r := range results {
		ratio := r.Import.Seconds() / r.Plain.Seconds()
		ok := ratio <= MaxRatio && r.Import < MaxImport && r.Load+r.Build < MaxReload
		verdict := "met"
		if !ok {
			verdict, failed = "MISSED", true
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f MB\t%s\t%s\t%s\t%.2f×\t%.2f×\t%s\t%s + %s\t%s\t\n", r.Engine, r.Courses, float64(r.FileBytes)/1e6,
			ms(r.Plain), ms(r.DryRun), ms(r.Import), ratio, (r.DryRun+r.Import).Seconds()/r.Plain.Seconds(), ms(r.Reimport),
			ms(r.Load), ms(r.Build), verdict)
	}
	tw.Flush()
	fmt.Printf("targets: import ≤ %.0f× the plain INSERT and < %s; load + build < %s\n", MaxRatio, MaxImport, MaxReload)
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

func run(ctx context.Context, engine, server string, n int) (Result, error) {
	res := Result{Engine: engine, Courses: n}
	url, drop, err := benchkit.NewDatabase(ctx, engine, server)
	if err != nil {
		return res, err
	}
	defer drop()
	d, err := db.Open(ctx, url)
	if err != nil {
		return res, err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return res, err
	}
	st := store.New(d)
	today := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ds := demo.Generate(demo.Options{Scale: (n + demo.CoursesPerScale - 1) / demo.CoursesPerScale, Seed: 2026, Today: today})
	if len(ds.Courses) < n {
		return res, fmt.Errorf("the generator made %d courses, fewer than %d", len(ds.Courses), n)
	}
	ds.Courses = ds.Courses[:n]
	target := ds.Sessions[0]
	for i := range ds.Courses {
		ds.Courses[i].SessionCode = target.Code
	}
	// The establishments, formations and sessions exist; the session is empty.
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		for i := range ds.Establishments {
			if err := st.InsertEstablishment(ctx, tx, &ds.Establishments[i]); err != nil {
				return err
			}
		}
		for i := range ds.Formations {
			if err := st.InsertFormation(ctx, tx, &ds.Formations[i]); err != nil {
				return err
			}
		}
		for i := range ds.Sessions {
			if err := st.InsertSession(ctx, tx, &ds.Sessions[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	target = ds.Sessions[0] // with its ID
	var file bytes.Buffer
	if err := export.WriteWorkbook(&file, demo.Workbook(ds, target.Code, today)...); err != nil {
		return res, err
	}
	res.FileBytes = file.Len()

	// The baseline: the same rows, a plain prepared INSERT each, one transaction.
	rows, err := resolve(ctx, st, ds, target.ID)
	if err != nil {
		return res, err
	}
	start := time.Now()
	if err := plainInsert(ctx, d, rows); err != nil {
		return res, err
	}
	res.Plain = time.Since(start)
	if _, err := d.W.ExecContext(ctx, `DELETE FROM courses`); err != nil {
		return res, err
	}

	admin := catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Now: time.Now})
	imp := func(dry bool) (catalogue.ImportReport, time.Duration, error) {
		start := time.Now()
		rep, err := admin.ImportAsPlatform(ctx, target.ID, "bench.xlsx", bytes.NewReader(file.Bytes()), dry, nil)
		if err != nil {
			err = fmt.Errorf("%w: %+v", err, rep.Problems[:min(len(rep.Problems), 3)])
		}
		return rep, time.Since(start), err
	}
	var rep catalogue.ImportReport
	if _, res.DryRun, err = imp(true); err != nil {
		return res, err
	}
	if rep, res.Import, err = imp(false); err != nil {
		return res, err
	}
	res.Created = rep.Created
	if rep, res.Reimport, err = imp(false); err != nil {
		return res, err
	}
	res.Unchanged = rep.Unchanged
	if res.Created != n || res.Unchanged != n {
		return res, fmt.Errorf("created %d then unchanged %d, want %d each", res.Created, res.Unchanged, n)
	}
	words, err := i18n.Load()
	if err != nil {
		return res, err
	}
	start = time.Now()
	cat, err := st.LoadCatalogue(ctx)
	if err != nil {
		return res, err
	}
	res.Load = time.Since(start)
	start = time.Now()
	ix := catalogue.Build(cat, words, "C")
	res.Build = time.Since(start)
	if ix.Len() == 0 {
		return res, fmt.Errorf("empty index after the import")
	}
	return res, nil
}

// resolve gives the courses their IDs as the import would, for the plain INSERT.
func resolve(ctx context.Context, st *store.Store, ds demo.Dataset, sessionID int64) ([]domain.Course, error) {
	cat, err := st.LoadCatalogue(ctx)
	if err != nil {
		return nil, err
	}
	est, room, form := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, e := range cat.Establishments {
		est[e.Code] = e.ID
		for _, r := range e.Rooms {
			room[e.Code+"\x00"+r.Name] = r.ID
		}
	}
	for _, f := range cat.Formations {
		form[f.Code] = f.ID
	}
	out := make([]domain.Course, len(ds.Courses))
	for i, c := range ds.Courses {
		co := c.Course
		co.Code = strings.Replace(co.Code, "C-", "P-", 1)
		co.SessionID, co.EstablishmentID, co.FormationID = sessionID, est[c.EstablishmentCode], form[c.FormationCode]
		co.RoomID, co.OwnPrice, co.Enrolled = room[c.EstablishmentCode+"\x00"+c.RoomName], true, 0
		co.ReducedCents = domain.HalfTariff(co.PriceCents)
		out[i] = co
	}
	return out, nil
}

func plainInsert(ctx context.Context, d *db.DB, rows []domain.Course) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO courses (code, formation_id, establishment_id, room_id, session_id, weekday,
		start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote, own_price,
		trainer_account_id, remote_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range rows {
		if _, err := stmt.ExecContext(ctx, c.Code, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID, int(c.Weekday),
			c.StartMinute, c.EndMinute, string(c.Level), c.Capacity, c.Enrolled, c.Trainer, c.PriceCents, c.ReducedCents,
			c.Remote, c.OwnPrice, nil, c.RemoteReason); err != nil {
			return fmt.Errorf("insert %s: %w", c.Code, err)
		}
	}
	return tx.Commit()
}
