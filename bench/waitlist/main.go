// Command waitlist measures the waiting lists' speed targets of issue 15:
//
//   - freed: the morning after the first classes, --courses courses with
//     long waiting lists (--line candidatures each, behind --capacity
//     accepted) get --freed seats each at once (their capacities raised,
//     10,000 seats by default), and waitlist.Sweep offers them: one offer
//     per seat to the first in line who can take it (CAN-1..3 checked), its
//     email rendered, kept and queued through the outbox, one transaction per
//     course. The figure is the sweep's time as a ratio to inserting the same
//     rows — the offers, their messages and their River jobs — with plain
//     single-row SQL in one transaction, measured on the same database just
//     before (those rows are then deleted). On PostgreSQL, and SQLite with
//     --db both.
//   - accept: the platform (`cma serve --demo`) runs in this process on the
//     same database, --accepts of those candidates are signed in, and
//     --connections keep-alive connections POST /mes-offres/{id}/accepter,
//     each candidate once: half of them as fast as the answers come (closed
//     loop), the other half at half the rate just measured (open loop, each
//     request timed from the instant it was due). The baseline is the GET of
//     the same candidates' offer pages in the same way: closed loop before
//     and after, open loop at the same rate.
//
// Usage:
//
//	go run ./bench/waitlist [--db postgres|sqlite|both] [--phases freed,accept] [--courses 1000] [--freed 10]
//	    [--open-rate 100] [--drain-mail] [--analyze]
//
// Targets (issue 15): the sweep ≤ 3× the plain inserts and every offer out
// within 60 s; accepting an offer over HTTP at 64 connections with p99 <
// 100 ms. PASS/FAIL is printed per target; the command exits 0 either way.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
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
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
	"cma/internal/waitlist"
)

type options struct {
	engines     string
	phases      string
	openRate    float64
	drainMail   bool
	analyze     bool
	courses     int
	line        int
	capacity    int
	freed       int
	accepts     int
	connections int
	server      string
	cpuprofile  string
	acceptProf  string
	keep        bool
}

func main() {
	var o options
	flag.StringVar(&o.engines, "db", "postgres", "engines: postgres, sqlite or both")
	flag.StringVar(&o.phases, "phases", "freed,accept", "phases: freed, accept (accept answers freed's offers: it runs the sweep anyway)")
	flag.IntVar(&o.courses, "courses", 1000, "courses with a waiting list (even)")
	flag.IntVar(&o.line, "line", 30, "candidatures waiting on each course's list")
	flag.IntVar(&o.capacity, "capacity", 20, "accepted candidatures per course before the seats are freed (≤ --line)")
	flag.IntVar(&o.freed, "freed", 10, "seats freed per course (≤ --line)")
	flag.IntVar(&o.accepts, "accepts", 4000, "offers accepted over HTTP in the accept phase")
	flag.IntVar(&o.connections, "connections", 64, "keep-alive connections of the accept phase")
	flag.BoolVar(&o.analyze, "analyze", false, "ANALYZE the tables the sweep filled before the accepts (as autovacuum would)")
	flag.BoolVar(&o.drainMail, "drain-mail", false, "wait for the closed loop's emails to be sent before the open loop")
	flag.Float64Var(&o.openRate, "open-rate", 0, "requests per second of the open loop (0: half the closed loop's accepts/s)")
	flag.StringVar(&o.server, "postgres", os.Getenv("CMA_TEST_POSTGRES"), "PostgreSQL server URL")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the PostgreSQL sweep to this file")
	flag.StringVar(&o.acceptProf, "accept-cpuprofile", "", "write a CPU profile of the accepts (platform included) to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the databases (URLs printed)")
	flag.Parse()
	verdicts, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench waitlist:", err)
		os.Exit(1)
	}
	fmt.Println("verdicts:")
	for _, v := range verdicts {
		fmt.Println("  " + v)
	}
}

// The bench's clock: the demo is loaded as on 2 June 2026; the seats are
// freed on Monday 5 October 2026 at 9:00, the morning after the annual
// session's first week of classes (it starts on 28 September).
var (
	paris, _  = time.LoadLocation("Europe/Paris")
	demoToday = time.Date(2026, 6, 2, 10, 0, 0, 0, paris)
	freedAt   = time.Date(2026, 10, 5, 9, 0, 0, 0, paris)
)

func run(ctx context.Context, o options, out io.Writer) ([]string, error) {
	if o.courses%2 != 0 || o.capacity > o.line || o.freed > o.line || o.courses < 2 {
		return nil, errors.New("--courses must be even, --capacity and --freed at most --line")
	}
	phases := strings.Split(o.phases, ",")
	engines := []string{o.engines}
	if o.engines == "both" {
		engines = []string{"postgres", "sqlite"}
	}
	fmt.Fprintln(out, benchkit.MachineLine())
	var verdicts []string
	for _, engine := range engines {
		if engine == "postgres" && o.server == "" {
			fmt.Fprintln(out, "PostgreSQL skipped: no --postgres URL and no CMA_TEST_POSTGRES")
			continue
		}
		v, err := runEngine(ctx, o, engine, phases, out)
		if err != nil {
			return verdicts, fmt.Errorf("%s: %w", engine, err)
		}
		verdicts = append(verdicts, v...)
	}
	return verdicts, nil
}

func runEngine(ctx context.Context, o options, engine string, phases []string, out io.Writer) ([]string, error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, engine, o.server)
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "database kept:", dbURL)
	} else {
		defer drop()
	}
	accept := slices.Contains(phases, "accept")
	if accept {
		// A first start loads the demo city and marks the database as the
		// demo's, so that the accept phase's platform starts on it again.
		fmt.Fprintf(os.Stderr, "%s: loading the demo through cma serve --demo…\n", engine)
		_, stop, err := benchkit.StartPlatform(ctx, dbURL, platformEnv(func() time.Time { return demoToday }))
		if err != nil {
			return nil, err
		}
		if err := stop(); err != nil {
			return nil, err
		}
	}
	e, err := prepare(ctx, o, dbURL, !accept)
	if err != nil {
		return nil, err
	}
	defer e.d.Close()
	var verdicts []string
	if slices.Contains(phases, "freed") || accept {
		v, err := e.freedPhase(ctx, o, out)
		if err != nil {
			return nil, err
		}
		verdicts = append(verdicts, v...)
	}
	if accept {
		v, err := e.acceptPhase(ctx, o, dbURL, out)
		if err != nil {
			return nil, err
		}
		verdicts = append(verdicts, v...)
	}
	return verdicts, nil
}

func platformEnv(now func() time.Time) app.Env {
	return app.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard, Now: now}
}

// env is the bench's database with the waiting lists' service.
type env struct {
	d       *db.DB
	st      *store.Store
	wl      *waitlist.Service
	words   *i18n.Catalog
	session int64
	first   int64 // the first synthetic course
	clock   func() time.Time
}

// Synthetic IDs: courses and formations 1,000,000 + k, accounts 2,000,000 +
// n, candidatures 3,000,000 + n (waiting) and 4,000,000 + n (accepted).
const (
	courseBase   = 1_000_000
	accountBase  = 2_000_000
	waitingBase  = 3_000_000
	acceptedBase = 4_000_000
)

// prepare opens the database, loads the demo when loadDemo (else it is
// there), and writes the synthetic courses and their lists.
func prepare(ctx context.Context, o options, dbURL string, loadDemo bool) (*env, error) {
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return nil, err
	}
	st := store.New(d)
	if loadDemo {
		if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 1, Today: demoToday}); err != nil {
			return nil, err
		}
	}
	e := &env{d: d, st: st, first: courseBase}
	if e.session, err = st.SelectionSessionByCode(ctx, demo.SessionAnnualCode); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "%s: writing %d courses, %d waiting and %d accepted candidatures…\n", d.Dialect, o.courses,
		o.courses*o.line, o.courses*o.capacity)
	t := time.Now()
	if err := e.write(ctx, o); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "%s: written in %s\n", d.Dialect, time.Since(t).Round(time.Millisecond))
	start := time.Now()
	e.clock = func() time.Time { return freedAt.Add(time.Since(start)) }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: e.clock})
	if err != nil {
		return nil, err
	}
	if e.words, err = i18n.Load(); err != nil {
		return nil, err
	}
	cat := catalogue.NewService(st, e.words, "C", time.Second, e.clock)
	e.wl = waitlist.New(waitlist.Deps{Store: st, Catalogue: cat, Outbox: outbox.New(st, client, "bench.exemple"), Words: e.words,
		Now: e.clock, PublicURL: "https://bench.exemple"})
	ix, err := cat.Index(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := ix.Course(courseBase)
	if !ok {
		return nil, errors.New("the synthetic courses are not in the catalogue")
	}
	if domain.ListsClosed(c.FirstClass, freedAt) {
		return nil, fmt.Errorf("course %s: lists closed on %s (first class %s)", c.Code, freedAt, c.FirstClass)
	}
	return e, nil
}

// write inserts the synthetic session's part, set-based (the same SQL on
// both engines): M formations and courses copied from a demo course of the
// annual session, the first half in the morning and the second in the
// evening; L waiting candidatures per course, one account each, on the
// course's list in order; C accepted candidatures per course, belonging to
// the waiting candidates of the other half's courses (a second formation,
// no slot clash: every first in line can take the seat, CAN-1..3 checked).
func (e *env) write(ctx context.Context, o options) error {
	m, l, c := o.courses, o.line, o.capacity
	half := m / 2
	at := "'" + demoToday.UTC().Format("2006-01-02T15:04:05.000000Z") + "'"
	return e.st.InTx(ctx, func(tx *sql.Tx) error {
		if err := e.st.PublishRules(ctx, tx, domain.Rules{Version: "bench", Published: demoToday.Add(-time.Hour), Body: "Règlement."}); err != nil {
			return err
		}
		var tmplC, tmplF, central int64
		if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM courses WHERE session_id = $1 AND archived_at IS NULL`, e.session).Scan(&tmplC); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT formation_id FROM courses WHERE id = $1`, tmplC).Scan(&tmplF); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO accounts (kind, status, email, first_name, last_name, identity_key, phone,
			address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
			totp_last_step, search_key) VALUES ('staff', 'active', 'central@bench.exemple', 'Central', 'Service', '', '', '', '', '',
			'', '', `+at+`, 0, '', '', 0, '') RETURNING id`).Scan(&central); err != nil {
			return fmt.Errorf("central account: %w", err)
		}
		series := func(n int) string {
			return fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < %d) `, n-1)
		}
		clone := func(table string, tmpl int64, n int, set map[string]string) error {
			rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE id = $1`, tmpl)
			if err != nil {
				return err
			}
			cols, err := rows.Columns()
			rows.Close()
			if err != nil {
				return err
			}
			exprs := make([]string, len(cols))
			for i, col := range cols {
				exprs[i] = "t." + col
				if x, ok := set[col]; ok {
					exprs[i] = x
				}
			}
			q := series(n) + `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(exprs, ", ") +
				` FROM ` + table + ` t, g WHERE t.id = ` + strconv.FormatInt(tmpl, 10)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("clone %s: %w", table, err)
			}
			return nil
		}
		k := fmt.Sprint(courseBase)
		if err := clone("formations", tmplF, m, map[string]string{"id": k + " + n", "code": "'SYN-' || n",
			"title": "'Formation ' || n", "evaluation": "'none'"}); err != nil {
			return err
		}
		if err := clone("courses", tmplC, m, map[string]string{"id": k + " + n", "code": "'SYN-C' || n", "formation_id": k + " + n",
			"weekday": "n % 5 + 1", "start_minute": fmt.Sprintf("CASE WHEN n < %d THEN 540 ELSE 1080 END", half),
			"end_minute": fmt.Sprintf("CASE WHEN n < %d THEN 660 ELSE 1200 END", half), "capacity": fmt.Sprint(c),
			"enrolled": "0", "archived_at": "NULL"}); err != nil {
			return err
		}
		w := m * l
		for _, q := range []string{
			series(w) + `INSERT INTO accounts (id, kind, status, email, first_name, last_name, identity_key, phone,
				address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
				totp_last_step, search_key) SELECT ` + fmt.Sprint(accountBase) + ` + n, 'candidate', 'active', 'c' || n || '@bench.exemple',
				'Prénom' || n, 'Nom', '', '', '', '', '', '', '', ` + at + `, 0, '', '', 0, '' FROM g`,
			series(w) + `INSERT INTO validations (key, account_id, created_at) SELECT 'v' || n, ` + fmt.Sprint(accountBase) + ` + n, ` + at + ` FROM g`,
			series(w) + fmt.Sprintf(`INSERT INTO candidatures (id, account_id, course_id, formation_id, session_id, status, objective,
				motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
				SELECT %d + n, %d + n, %d + n / %d, %d + n / %d, %d, 'waiting', 'personal', '', false, false, false, 'bench', false,
				'v' || n, %s FROM g`, waitingBase, accountBase, courseBase, l, courseBase, l, e.session, at),
			// Accepted candidature n: half h = n / (half*c) of the accounts, j its rank in it;
			// account h*half*l + j, course of the other half (1-h)*half + j / c.
			series(m*c) + fmt.Sprintf(`INSERT INTO candidatures (id, account_id, course_id, formation_id, session_id, status, objective,
				motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at, accepted_course_id)
				SELECT %[1]d + n, %[2]d + (n / %[3]d) * %[4]d + n %% %[3]d, %[5]d + (1 - n / %[3]d) * %[6]d + (n %% %[3]d) / %[7]d,
				%[5]d + (1 - n / %[3]d) * %[6]d + (n %% %[3]d) / %[7]d, %[8]d, 'accepted', 'personal', '', false, false, false, 'bench', false,
				'v' || ((n / %[3]d) * %[4]d + n %% %[3]d), %[9]s, %[5]d + (1 - n / %[3]d) * %[6]d + (n %% %[3]d) / %[7]d FROM g`,
				acceptedBase, accountBase, half*c, half*l, courseBase, half, c, e.session, at),
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%.80s: %w", strings.TrimSpace(q), err)
			}
		}
		var runID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO selection_runs (session_id, pass, status, seed, started_by, started_at,
			heartbeat_at, finished_at, published_by, published_at) VALUES ($1, 'main', 'published', 'bench', $2, `+at+`, `+at+`, `+at+`, $2, `+at+`)
			RETURNING id`, e.session, central).Scan(&runID); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		if _, err := tx.ExecContext(ctx, series(w)+fmt.Sprintf(`INSERT INTO waiting_list (course_id, candidature_id, position, run_id)
			SELECT %d + n / %d, %d + n, n %% %d + 1, %d FROM g`, courseBase, l, waitingBase, l, runID)); err != nil {
			return fmt.Errorf("waiting list: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`)
		return err
	})
}

// freedPhase measures the plain inserts, then the sweep of the same seats.
func (e *env) freedPhase(ctx context.Context, o options, out io.Writer) ([]string, error) {
	n := o.courses * o.freed
	if _, err := e.d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	base, err := e.baseline(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if _, err := e.d.W.ExecContext(ctx, fmt.Sprintf(`UPDATE courses SET capacity = capacity + %d WHERE id >= %d`, o.freed, courseBase)); err != nil {
		return nil, err
	}
	if e.d.Dialect == db.Postgres && o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	cpu0 := benchkit.ReadCPU()
	t := time.Now()
	offered, err := e.wl.Sweep(ctx)
	sweep := time.Since(t)
	cpu1 := benchkit.ReadCPU()
	pprof.StopCPUProfile()
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var offers, msgs, jobsQueued int
	if err := e.d.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM waiting_offers WHERE state = 'pending'),
		(SELECT COUNT(*) FROM messages WHERE kind = 'waitlist_offer'), (SELECT COUNT(*) FROM river_job WHERE kind = 'send_email')`).
		Scan(&offers, &msgs, &jobsQueued); err != nil {
		return nil, err
	}
	if offered != n || offers != n || msgs != n {
		return nil, fmt.Errorf("the sweep made %d offers (%d pending, %d emails kept), want %d", offered, offers, msgs, n)
	}
	var wrong int // an offer to someone else than the first in line
	if err := e.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM waiting_offers o JOIN waiting_list w
		ON w.course_id = o.course_id AND w.candidature_id = o.candidature_id WHERE w.position > $1`, o.freed).Scan(&wrong); err != nil {
		return nil, err
	}
	if wrong != 0 {
		return nil, fmt.Errorf("%d offers went past the first %d in line", wrong, o.freed)
	}
	ratio := float64(sweep) / float64(max(base, time.Millisecond))
	name := engineName(e.d.Dialect)
	fmt.Fprintf(out, "\n%s: %d seats freed at once in %d courses (lists of %d behind %d accepted), the morning after the first classes\n",
		name, n, o.courses, o.line, o.capacity)
	fmt.Fprintf(out, "  plain SQL, one transaction (%d offers + %d messages + %d River jobs, single-row INSERTs): %s\n", n, n, n, ms(base))
	fmt.Fprintf(out, "  waitlist.Sweep (%d transactions of up to %d courses, %d offers, %d emails rendered, kept and queued in %d jobs): %s = %.2fx the plain SQL; %.0f offers/s\n",
		(o.courses+waitlist.SweepCourses-1)/waitlist.SweepCourses, waitlist.SweepCourses, offered, msgs, jobsQueued, ms(sweep), ratio, float64(n)/sweep.Seconds())
	fmt.Fprintf(out, "  CPU during the sweep: this process %s, PostgreSQL server %s, other processes %s of the machine\n",
		benchkit.Pct(float64(cpu1.Busy(cpu0, false))/float64(sweep)/2), benchkit.Pct(cpu1.ServerShare(cpu0)), benchkit.Pct(cpu1.OtherShare(cpu0)))
	return []string{
		fmt.Sprintf("%s %d freed seats: sweep %.2fx the plain SQL (target ≤ 3x) %s", name, n, ratio, pass(ratio <= 3)),
		fmt.Sprintf("%s %d freed seats: every offer out in %s (target < 60 s) %s", name, n, ms(sweep), pass(sweep < time.Minute)),
	}, nil
}

// baseline inserts, with plain single-row SQL in one transaction, the rows
// the sweep will write — an offer to each of the first --freed of every
// list, its message (a rendered offer email's size) and its River job —,
// times it, then deletes them.
func (e *env) baseline(ctx context.Context, o options) (time.Duration, error) {
	subject, text, html, err := mail.RenderOffer(mail.OfferMail{Seat: mail.Seat{FirstName: "Prénom12345", Formation: "Formation 123",
		Course: "SYN-C123, lundi 09:00–11:00, Établissement", Address: "Établissement, 1 rue de l'Exemple 75001 Paris",
		First: "lundi 28/09/2026 à 09:00", SpaceURL: "https://bench.exemple/mes-candidatures"}, Deadline: "mercredi 07/10/2026",
		OfferURL: "https://bench.exemple/mes-offres/1234567"})
	if err != nil {
		return 0, err
	}
	pg := e.d.Dialect == db.Postgres
	sent, deadline, created := any(freedAt.UTC().Format("2006-01-02T15:04:05.000000Z")), any("2026-10-07"), any(freedAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
	if pg {
		sent, deadline, created = freedAt, time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC), freedAt
	}
	jobAt := "CURRENT_TIMESTAMP"
	t := time.Now()
	var offers, msgs []int64
	err = e.st.InTx(ctx, func(tx *sql.Tx) error {
		offers, msgs = offers[:0], msgs[:0]
		insOffer, err := tx.PrepareContext(ctx, `INSERT INTO waiting_offers (course_id, candidature_id, account_id, redirect, position,
			freed_by, sent_at, deadline, state) VALUES ($1, $2, $3, false, $4, 'left', $5, $6, 'pending') RETURNING id`)
		if err != nil {
			return err
		}
		defer insOffer.Close()
		insMsg, err := tx.PrepareContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at)
			VALUES ($1, 'waitlist_offer', $2, $3, $4, $5, $6) RETURNING id`)
		if err != nil {
			return err
		}
		defer insMsg.Close()
		insJob, err := tx.PrepareContext(ctx, `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at, created_at)
			VALUES ($1, 'send_email', 25, 1, 'default', 'available', `+jobAt+`, `+jobAt+`)`)
		if err != nil {
			return err
		}
		defer insJob.Close()
		for k := range o.courses {
			for p := range o.freed {
				n := int64(k*o.line + p)
				var oid, mid int64
				if err := insOffer.QueryRowContext(ctx, courseBase+k, waitingBase+n, accountBase+n, p+1, sent, deadline).Scan(&oid); err != nil {
					return err
				}
				if err := insMsg.QueryRowContext(ctx, accountBase+n, subject, text, html, fmt.Sprintf("<b%d@bench.exemple>", oid), created).Scan(&mid); err != nil {
					return err
				}
				args, _ := json.Marshal(outbox.SendEmailArgs{MessageIDs: []int64{mid}})
				if pg {
					_, err = insJob.ExecContext(ctx, args)
				} else {
					_, err = insJob.ExecContext(ctx, string(args))
				}
				if err != nil {
					return err
				}
				offers, msgs = append(offers, oid), append(msgs, mid)
			}
		}
		return nil
	})
	d := time.Since(t)
	if err != nil {
		return 0, err
	}
	for _, q := range []string{`DELETE FROM river_job`, `DELETE FROM messages WHERE kind = 'waitlist_offer'`, `DELETE FROM waiting_offers`} {
		if _, err := e.d.W.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	if pg {
		if _, err := e.d.W.ExecContext(ctx, `VACUUM ANALYZE river_job, messages, waiting_offers`); err != nil {
			return 0, err
		}
	}
	return d, nil
}

// candidate is a signed-in candidate holding a pending offer.
type candidate struct {
	offer  int64
	cookie string
}

// acceptPhase starts the platform on the database and has candidates accept
// their offers over HTTP.
func (e *env) acceptPhase(ctx context.Context, o options, dbURL string, out io.Writer) ([]string, error) {
	// The sweep's emails are not the measurement's: they are taken off the
	// queue, so that the platform's email worker sends only the accepts'.
	if _, err := e.d.W.ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'send_email'`); err != nil {
		return nil, err
	}
	if o.analyze && e.d.Dialect == db.Postgres {
		// What autovacuum would have done within its naptime after the
		// sweep's 10,000 offers (the test server runs without it): without
		// it the planner believes there are no pending offers.
		if _, err := e.d.W.ExecContext(ctx, `ANALYZE waiting_offers, messages, river_job, candidatures, waiting_list`); err != nil {
			return nil, err
		}
	}
	rows, err := e.d.R.QueryContext(ctx, `SELECT id, account_id FROM waiting_offers WHERE state = 'pending' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	type pair struct{ offer, account int64 }
	var all []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.offer, &p.account); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, p)
	}
	rows.Close()
	if len(all) < o.accepts {
		return nil, fmt.Errorf("%d pending offers, want --accepts %d", len(all), o.accepts)
	}
	// Every other offer of the list, so that the accepts spread over the courses.
	step := len(all) / o.accepts
	sm := websession.New(e.st.Sessions(), false, websession.Timeouts{})
	fmt.Fprintf(os.Stderr, "accept: signing in %d candidates…\n", o.accepts)
	cands := make([]candidate, 0, o.accepts)
	for i := 0; len(cands) < o.accepts; i += step {
		acc, err := e.st.Account(ctx, all[i].account)
		if err != nil {
			return nil, err
		}
		sctx, err := sm.Load(ctx, "")
		if err != nil {
			return nil, err
		}
		if err := sm.Start(sctx, acc, e.clock()); err != nil {
			return nil, err
		}
		token, _, err := sm.Commit(sctx)
		if err != nil {
			return nil, err
		}
		cands = append(cands, candidate{offer: all[i].offer, cookie: websession.CookieName + "=" + token})
	}
	// Candidates answer in no particular order: the accepts spread over
	// the courses as they would (the offers' order would make neighbours
	// queue on the same course's lock).
	rand.New(rand.NewPCG(15, 15)).Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	fmt.Fprintln(os.Stderr, "accept: starting cma serve --demo on the database…")
	platform, stop, err := benchkit.StartPlatform(ctx, dbURL, platformEnv(e.clock))
	if err != nil {
		return nil, err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.connections, MaxConnsPerHost: o.connections,
		DisableCompression: true, Proxy: nil}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method string, c candidate, want int) error {
		path := "/mes-offres/" + strconv.FormatInt(c.offer, 10)
		if method == http.MethodPost {
			path += "/accepter"
		}
		req, _ := http.NewRequestWithContext(ctx, method, platform+path, nil)
		req.Header.Set("Cookie", c.cookie)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != want {
			err = fmt.Errorf("%s %s: %s, want %d: %.300s", method, path, resp.Status, want, body)
		}
		return err
	}
	// each asks once per candidate of list, from o.connections workers: as
	// fast as they answer when rate is 0 (closed loop), else at rate
	// requests per second, each timed from the instant it was due.
	each := func(list []candidate, method string, want int, rate float64) ([]time.Duration, time.Duration, error) {
		return benchkit.Run(len(list), o.connections, rate, func(i int) error { return do(method, list[i], want) })
	}
	// Warm-up: each connection opened and the pages' code paths run.
	if err := do(http.MethodGet, cands[0], http.StatusOK); err != nil {
		return nil, err
	}
	closed, paced := cands[:len(cands)/2], cands[len(cands)/2:]
	g1, w1, err := each(cands, http.MethodGet, http.StatusOK, 0)
	if err != nil {
		return nil, err
	}
	if o.acceptProf != "" {
		f, err := os.Create(o.acceptProf)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	cpu0 := benchkit.ReadCPU()
	acc, wa, err := each(closed, http.MethodPost, http.StatusSeeOther, 0)
	cpu1 := benchkit.ReadCPU()
	pprof.StopCPUProfile()
	if err != nil {
		return nil, err
	}
	// The open loop runs at half the accepts' closed-loop rate just measured,
	// or at --open-rate (builds compared at the same rate).
	rate := float64(len(acc)) / wa.Seconds() / 2
	if o.openRate > 0 {
		rate = o.openRate
	}
	if o.drainMail {
		// The closed loop's emails sent first: the open loop then meets only
		// its own, as a steady morning of accepts would.
		t := time.Now()
		if err := e.drainMail(ctx, time.Minute); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "accept: the closed loop's emails sent in %s\n", time.Since(t).Round(time.Millisecond))
	}
	pg, wpg, err := each(paced, http.MethodGet, http.StatusOK, rate)
	if err != nil {
		return nil, err
	}
	cpu2 := benchkit.ReadCPU()
	pacc, wpacc, err := each(paced, http.MethodPost, http.StatusSeeOther, rate)
	cpu3 := benchkit.ReadCPU()
	if err != nil {
		return nil, err
	}
	g2, w2, err := each(cands, http.MethodGet, http.StatusOK, 0)
	if err != nil {
		return nil, err
	}
	var accepted int
	if err := e.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM waiting_offers WHERE state = 'accepted'`).Scan(&accepted); err != nil {
		return nil, err
	}
	if accepted != len(cands) {
		return nil, fmt.Errorf("%d offers accepted, want %d", accepted, len(cands))
	}
	pAcc, pG := quantile(acc, 0.99), (quantile(g1, 0.99)+quantile(g2, 0.99))/2
	pPaced, pPacedG := quantile(pacc, 0.99), quantile(pg, 0.99)
	name := engineName(e.d.Dialect)
	fmt.Fprintf(out, "\n%s: %d candidates accept their offer over HTTP, %d keep-alive connections, the platform (cma serve --demo) in this process\n",
		name, len(cands), o.connections)
	row := func(what string, l []time.Duration, wall time.Duration) {
		fmt.Fprintf(out, "  %-62s %6.0f req/s  p50 %8s  p99 %8s  max %8s\n", what, float64(len(l))/wall.Seconds(), ms(quantile(l, 0.5)),
			ms(quantile(l, 0.99)), ms(quantile(l, 1)))
	}
	row(fmt.Sprintf("closed loop: GET /mes-offres/{id}, %d (baseline, before)", len(g1)), g1, w1)
	row(fmt.Sprintf("closed loop: POST /mes-offres/{id}/accepter, %d", len(acc)), acc, wa)
	row(fmt.Sprintf("open loop at %.0f/s: GET /mes-offres/{id}, %d (baseline)", rate, len(pg)), pg, wpg)
	row(fmt.Sprintf("open loop at %.0f/s: POST /mes-offres/{id}/accepter, %d", rate, len(pacc)), pacc, wpacc)
	row(fmt.Sprintf("closed loop: GET /mes-offres/{id}, %d (baseline, after)", len(g2)), g2, w2)
	fmt.Fprintf(out, "  closed loop: accept p99 ÷ the page's mean p99 %.2fx; the PostgreSQL server took %s, other processes %s of the machine\n",
		float64(pAcc)/float64(max(pG, time.Microsecond)), benchkit.Pct(cpu1.ServerShare(cpu0)), benchkit.Pct(cpu1.OtherShare(cpu0)))
	fmt.Fprintf(out, "  open loop: accept p99 ÷ the page's p99 at the same rate %.2fx; the PostgreSQL server took %s, other processes %s of the machine\n",
		float64(pPaced)/float64(max(pPacedG, time.Microsecond)), benchkit.Pct(cpu3.ServerShare(cpu2)), benchkit.Pct(cpu3.OtherShare(cpu2)))
	return []string{
		fmt.Sprintf("%s accept over HTTP, %d connections, closed loop (%.0f/s): p99 %s (target < 100 ms) %s; %.2fx the offer page's p99",
			name, o.connections, float64(len(acc))/wa.Seconds(), ms(pAcc), pass(pAcc < 100*time.Millisecond), float64(pAcc)/float64(max(pG, time.Microsecond))),
		fmt.Sprintf("%s accept over HTTP, %d connections, open loop at %.0f/s: p99 %s (target < 100 ms) %s; %.2fx the offer page's p99",
			name, o.connections, rate, ms(pPaced), pass(pPaced < 100*time.Millisecond), float64(pPaced)/float64(max(pPacedG, time.Microsecond))),
	}, nil
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
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// drainMail waits, at most limit, until no email job is left to run.
func (e *env) drainMail(ctx context.Context, limit time.Duration) error {
	end := time.Now().Add(limit)
	for {
		var n int
		if err := e.d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_email'
			AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&n); err != nil {
			return fmt.Errorf("email jobs left: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("%d email jobs still to run after %s", n, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
