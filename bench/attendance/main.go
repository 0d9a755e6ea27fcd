// Command attendance measures the registers' speed target of issue 17: an
// evening of the city, --courses courses' registers of --learners learners
// each saved over HTTP at --connections keep-alive connections, each by its
// course's trainer (POST /back-office/cours/{id}/appel/{day}, the form the
// phone sends: its key, one mark per learner), with `cma serve --demo`
// running in this process on the database. The baseline is the same rows —
// the meeting, the form's key and its marks in one multi-row statement —
// written with plain SQL, one transaction per register, from as many
// goroutines, on the same database just before (those rows are then
// deleted). The difference is what the platform adds: the session, the
// permission, the calendar and the learners read, the course's lock, the
// audit of corrections and the streaks of absences (ATT-3).
//
// Both are run twice: in a closed loop (each connection sends its next
// register as soon as the last is answered: the load is what the machine
// takes) and in an open loop (--open-rate registers per second whatever the
// answers, each timed from the instant it was due). Each loop starts after
// a warm-up that saves --connections registers at once.
//
// Usage:
//
//	go run ./bench/attendance [--db postgres|sqlite] [--courses 1300] [--learners 20] [--connections 64] [--open-rate 100]
//
// Target (issue 17): p99 < 100 ms over HTTP. PASS/FAIL is printed for each
// loop; the command exits 0 either way.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/app"
	"cma/internal/auth/websession"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/store"
)

type options struct {
	engine                         string
	server                         string
	courses, learners, connections int
	openRate                       float64
	cpuProfile                     string
}

// The bench's evening: Thursday 20 May 2027 at 22:00, every course of the
// year with meetings behind it; each register is its course's last meeting.
var (
	paris, _ = time.LoadLocation("Europe/Paris")
	evening  = time.Date(2027, 5, 20, 22, 0, 0, 0, paris)
)

// Synthetic IDs: accounts 2,000,000 + n (learners) and 2,500,000 + k
// (trainers), candidatures 3,000,000 + n.
const (
	learnerBase = 2_000_000
	trainerBase = 2_500_000
	candBase    = 3_000_000
)

func main() {
	var o options
	flag.StringVar(&o.engine, "db", "postgres", "engine: postgres or sqlite")
	flag.StringVar(&o.server, "postgres", os.Getenv("CMA_TEST_POSTGRES"), "PostgreSQL server URL")
	flag.IntVar(&o.courses, "courses", 1300, "courses whose register is saved")
	flag.IntVar(&o.learners, "learners", 20, "learners per course")
	flag.IntVar(&o.connections, "connections", 64, "keep-alive connections")
	flag.Float64Var(&o.openRate, "open-rate", 100, "registers per second of the open loop")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the HTTP part (server and clients) to this file")
	flag.Parse()
	verdict, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench attendance:", err)
		os.Exit(1)
	}
	fmt.Println("verdict:\n  " + verdict)
}

// register is one course's register to save: its trainer's session cookie,
// the meeting's day, its learners.
type register struct {
	course  int64
	day     time.Time
	minutes int
	cookie  string
	cands   []int64
}

func run(ctx context.Context, o options, out io.Writer) (string, error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, o.engine, o.server)
	if err != nil {
		return "", err
	}
	defer drop()
	clock := func() time.Time { return evening }
	env := app.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard, Now: clock}
	fmt.Fprintf(os.Stderr, "%s: loading the demo through cma serve --demo…\n", o.engine)
	_, stop, err := benchkit.StartPlatform(ctx, dbURL, env)
	if err != nil {
		return "", err
	}
	if err := stop(); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer d.Close()
	if err := jobs.Migrate(ctx, d); err != nil {
		return "", err
	}
	st := store.New(d)
	regs, err := prepare(ctx, o, d, st, clock)
	if err != nil {
		return "", err
	}
	// The statistics a production database keeps by itself (autovacuum
	// analyses a table once a tenth of it has changed); the test server runs
	// without autovacuum, and the plans of tables just loaded would be those
	// of empty ones, for the baseline and the platform alike.
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		return "", fmt.Errorf("analyze: %w", err)
	}
	fmt.Fprintln(out, benchkit.MachineLine())
	fmt.Fprintf(out, "%s: %d registers of %d learners, %d connections\n", engineName(d.Dialect), len(regs), o.learners, o.connections)

	// reset removes the registers saved by the bench's trainers (the demo's
	// own registers stay), so that each phase writes the same rows.
	reset := func() error {
		taken := `(SELECT id FROM class_meetings WHERE taken_by >= ` + strconv.Itoa(trainerBase) + `)`
		for _, q := range []string{`DELETE FROM register_submissions WHERE meeting_id IN ` + taken,
			`DELETE FROM attendance_marks WHERE meeting_id IN ` + taken,
			`DELETE FROM class_meetings WHERE taken_by >= ` + strconv.Itoa(trainerBase)} {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	// phase saves every register with save, after a warm-up that saves the
	// first --connections of them at once (every connection opened, every
	// code path run, as on a server up all evening), closed loop when rate is
	// 0, else open loop at rate registers/s.
	phase := func(rate float64, save func(register) error) ([]time.Duration, time.Duration, benchkit.CPUSample, error) {
		byIndex := func(i int) error { return save(regs[i]) }
		if _, _, err := benchkit.Run(min(o.connections, len(regs)), o.connections, 0, byIndex); err != nil {
			return nil, 0, benchkit.CPUSample{}, fmt.Errorf("warm-up: %w", err)
		}
		if err := reset(); err != nil {
			return nil, 0, benchkit.CPUSample{}, err
		}
		cpu := benchkit.ReadCPU()
		lat, wall, err := benchkit.Run(len(regs), o.connections, rate, byIndex)
		return lat, wall, cpu, err
	}
	plain := func(r register) error { return plainInsert(ctx, d, r) }

	// The baseline: the same rows in plain SQL, one transaction per register.
	base, baseWall, _, err := phase(0, plain)
	if err != nil {
		return "", fmt.Errorf("plain inserts: %w", err)
	}
	if err := reset(); err != nil {
		return "", err
	}

	fmt.Fprintln(os.Stderr, "starting cma serve --demo on the database…")
	platform, stop, err := benchkit.StartPlatform(ctx, dbURL, env)
	if err != nil {
		return "", err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.connections, MaxConnsPerHost: o.connections,
		DisableCompression: true, Proxy: nil}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(r register) error {
		form := url.Values{"cle": {fmt.Sprintf("bench-%d", r.course)}}
		for i, c := range r.cands {
			form.Set("marque-"+strconv.FormatInt(c, 10), string(markOf(i)))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, platform+"/back-office/cours/"+strconv.FormatInt(r.course, 10)+
			"/appel/"+r.day.Format(time.DateOnly), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", r.cookie)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("POST register of course %d: %s: %.300s", r.course, resp.Status, body)
		}
		return nil
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return "", err
		}
	}
	lat, wall, cpu0, err := phase(0, post)
	cpu1 := benchkit.ReadCPU()
	pprof.StopCPUProfile()
	if err != nil {
		return "", err
	}
	if err := checkMarks(ctx, d, len(regs)*o.learners); err != nil {
		return "", err
	}

	// The open loop: the registers arrive at --open-rate whatever the
	// answers, as the trainers' phones send them, each timed from the
	// instant it was due.
	if err := reset(); err != nil {
		return "", err
	}
	openBase, openBaseWall, _, err := phase(o.openRate, plain)
	if err != nil {
		return "", fmt.Errorf("plain inserts, open loop: %w", err)
	}
	if err := reset(); err != nil {
		return "", err
	}
	open, openWall, cpu2, err := phase(o.openRate, post)
	cpu3 := benchkit.ReadCPU()
	if err != nil {
		return "", err
	}
	if err := checkMarks(ctx, d, len(regs)*o.learners); err != nil {
		return "", err
	}

	report := func(what string, l []time.Duration, wall time.Duration) {
		fmt.Fprintf(out, "  %-58s %6.0f registers/s  p50 %8s  p99 %8s  max %8s\n", what, float64(len(l))/wall.Seconds(),
			ms(quantile(l, 0.5)), ms(quantile(l, 0.99)), ms(quantile(l, 1)))
	}
	ratio := func(a, b []time.Duration) float64 {
		return float64(quantile(a, 0.99)) / float64(max(quantile(b, 0.99), time.Microsecond))
	}
	report("closed loop: plain SQL, one transaction per register", base, baseWall)
	report("closed loop: over HTTP (cma serve), trainers' forms", lat, wall)
	fmt.Fprintf(out, "  closed loop: HTTP ÷ plain SQL p99 %.2fx, wall %.2fx; the PostgreSQL server took %s, other processes %s of the machine\n",
		ratio(lat, base), wall.Seconds()/baseWall.Seconds(), benchkit.Pct(cpu1.ServerShare(cpu0)), benchkit.Pct(cpu1.OtherShare(cpu0)))
	report(fmt.Sprintf("open loop at %.0f/s: plain SQL", o.openRate), openBase, openBaseWall)
	report(fmt.Sprintf("open loop at %.0f/s: over HTTP (cma serve)", o.openRate), open, openWall)
	fmt.Fprintf(out, "  open loop: HTTP ÷ plain SQL p99 %.2fx; the PostgreSQL server took %s, other processes %s of the machine\n",
		ratio(open, openBase), benchkit.Pct(cpu3.ServerShare(cpu2)), benchkit.Pct(cpu3.OtherShare(cpu2)))
	p99, openP99 := quantile(lat, 0.99), quantile(open, 0.99)
	name := engineName(d.Dialect)
	return fmt.Sprintf("%s %d registers × %d learners over HTTP at %d connections, closed loop (%.0f/s): p99 %s (target < 100 ms) %s; %.2fx the plain SQL's p99\n"+
		"  %s the same, open loop at %.0f/s: p99 %s (target < 100 ms) %s; %.2fx the plain SQL's p99",
		name, len(regs), o.learners, o.connections, float64(len(lat))/wall.Seconds(), ms(p99), pass(p99 < 100*time.Millisecond), ratio(lat, base),
		name, o.openRate, ms(openP99), pass(openP99 < 100*time.Millisecond), ratio(open, openBase)), nil
}

// checkMarks fails unless the bench's trainers saved want marks.
func checkMarks(ctx context.Context, d *db.DB, want int) error {
	var marks int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM attendance_marks WHERE marked_by >= $1`, trainerBase).Scan(&marks); err != nil {
		return err
	}
	if marks != want {
		return fmt.Errorf("%d marks saved, want %d", marks, want)
	}
	return nil
}

// markOf is learner i's mark: one in seven absent, one in eleven late.
func markOf(i int) domain.Mark {
	switch {
	case i%7 == 3:
		return domain.MarkAbsent
	case i%11 == 5:
		return domain.MarkLate
	}
	return domain.MarkPresent
}

// prepare writes the learners and the trainers of the first --courses
// courses that have met by the evening, and signs the trainers in.
func prepare(ctx context.Context, o options, d *db.DB, st *store.Store, clock func() time.Time) ([]register, error) {
	words, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	ix, err := catalogue.NewService(st, words, "C", 0, clock).Index(ctx)
	if err != nil {
		return nil, err
	}
	today := time.Date(evening.Year(), evening.Month(), evening.Day(), 0, 0, 0, 0, time.UTC)
	var regs []register
	for _, e := range ix.All() {
		if len(regs) == o.courses {
			break
		}
		var last *register
		for _, m := range ix.Meetings(e, paris) {
			if !m.Skipped && !m.Date.After(today) {
				last = &register{course: e.ID, day: m.Date, minutes: int(m.End.Sub(m.Start) / time.Minute)}
			}
		}
		if last != nil {
			regs = append(regs, *last)
		}
	}
	if len(regs) < o.courses {
		return nil, fmt.Errorf("%d courses have met by %s, want --courses %d", len(regs), evening.Format(time.DateOnly), o.courses)
	}
	at := "'" + evening.AddDate(0, -9, 0).UTC().Format("2006-01-02T15:04:05.000000Z") + "'"
	n := len(regs) * o.learners
	series := func(n int) string {
		return fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < %d) `, n-1)
	}
	courses := make([]string, len(regs))
	for i, r := range regs {
		courses[i] = strconv.FormatInt(r.course, 10)
	}
	fmt.Fprintf(os.Stderr, "writing %d learners and %d trainers…\n", n, len(regs))
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.PublishRules(ctx, tx, domain.Rules{Version: "bench", Published: evening.AddDate(-1, 0, 0), Body: "Règlement."}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE bench_courses (k INTEGER PRIMARY KEY, course_id BIGINT NOT NULL)`); err != nil {
			return err
		}
		for i, c := range courses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bench_courses (k, course_id) VALUES ($1, $2)`, i, c); err != nil {
				return err
			}
		}
		accounts := func(base int, kind, email string, count int) string {
			return series(count) + `INSERT INTO accounts (id, kind, status, email, first_name, last_name, identity_key, phone,
				address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
				totp_last_step, search_key) SELECT ` + strconv.Itoa(base) + ` + n, '` + kind + `', 'active', '` + email + `' || n || '@bench.exemple',
				'Prénom' || n, 'Nom', '', '', '', '', '', '', '', ` + at + `, 0, '', '', 0, '' FROM g`
		}
		for _, q := range []string{
			accounts(learnerBase, "candidate", "l", n),
			accounts(trainerBase, "staff", "t", len(regs)),
			series(len(regs)) + `INSERT INTO staff_grants (account_id, role, course_id) SELECT ` + strconv.Itoa(trainerBase) + ` + n, 'trainer', b.course_id
				FROM g JOIN bench_courses b ON b.k = n`,
			series(n) + `INSERT INTO validations (key, account_id, created_at) SELECT 'bv' || n, ` + strconv.Itoa(learnerBase) + ` + n, ` + at + ` FROM g`,
			series(n) + fmt.Sprintf(`INSERT INTO candidatures (id, account_id, course_id, formation_id, session_id, status, objective,
				motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at, accepted_course_id)
				SELECT %d + n, %d + n, c.id, c.formation_id, c.session_id, 'accepted', 'personal', '', false, false, false, 'bench', false,
				'bv' || n, %s, c.id FROM g JOIN bench_courses b ON b.k = n / %d JOIN courses c ON c.id = b.course_id`,
				candBase, learnerBase, at, o.learners),
			series(n) + fmt.Sprintf(`INSERT INTO candidature_events (candidature_id, at, status, note) SELECT %d + n, %s, 'accepted', 'bench' FROM g`,
				candBase, at),
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%.90s: %w", strings.TrimSpace(q), err)
			}
		}
		_, err := tx.ExecContext(ctx, `DROP TABLE bench_courses`)
		return err
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "signing in %d trainers…\n", len(regs))
	sm := websession.New(st.Sessions(), false, websession.Timeouts{})
	for i := range regs {
		acc, err := st.Account(ctx, int64(trainerBase+i))
		if err != nil {
			return nil, err
		}
		sctx, err := sm.Load(ctx, "")
		if err != nil {
			return nil, err
		}
		if err := sm.Start(sctx, acc, clock()); err != nil {
			return nil, err
		}
		token, _, err := sm.Commit(sctx)
		if err != nil {
			return nil, err
		}
		regs[i].cookie = websession.CookieName + "=" + token
		for j := range o.learners {
			regs[i].cands = append(regs[i].cands, int64(candBase+i*o.learners+j))
		}
	}
	return regs, nil
}

// plainInsert writes a register's rows as the service does, in plain SQL,
// one transaction.
func plainInsert(ctx context.Context, d *db.DB, r register) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := instant(d, time.Now())
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO class_meetings (course_id, day, minutes, taken_at, taken_by) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, r.course, r.day.Format(time.DateOnly), r.minutes, now, trainerBase).Scan(&id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO register_submissions (key, meeting_id, submitted_at, submitted_by) VALUES ($1, $2, $3, $4)`,
		fmt.Sprintf("plain-%d", r.course), id, now, trainerBase); err != nil {
		return err
	}
	// The marks in one multi-row statement, as the service writes them.
	var q strings.Builder
	q.WriteString(`INSERT INTO attendance_marks (meeting_id, candidature_id, mark, reason, marked_at, marked_by) VALUES `)
	args := []any{id, now, trainerBase}
	for i, c := range r.cands {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($1, $%d, $%d, '', $2, $3)", len(args)+1, len(args)+2)
		args = append(args, c, markOf(i))
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return err
	}
	return tx.Commit()
}

func instant(d *db.DB, t time.Time) any {
	if d.Dialect == db.Postgres {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func engineName(d db.Dialect) string {
	if d == db.Postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
