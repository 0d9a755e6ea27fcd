package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth/websession"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// The waiting-list drills (issue 15, SEL-4, SEL-5, CAN-1..3): a demo city
// whose 2nd semester got many candidatures on a few popular courses, a
// published selection, then waiting lists that move under a burst of
// randomized events — places given up, offers accepted, declined, expired —
// sent in parallel to two `cma serve` instances on one PostgreSQL database
// and to the service from the test process, one instance SIGKILLed in the
// middle. The invariants are checked on the database during and after, and
// the final state is compared with a single-threaded replay of the
// acknowledged events, in their commit order, on a copy of the database
// taken before the burst.
//
// Staff withdrawals are not among the events: there is no service for them
// yet.

// wlT0 is inside the demo's 2nd-semester candidature period (as in
// internal/waitlist's tests); the answer period opens 28 days later.
var wlT0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// wlServeAt is the instances' demo clock: the answer period, published.
var wlServeAt = wlT0.Add(29*24*time.Hour + time.Hour)

// wlBackdate is the deadline an offer is moved to so that the timer expires
// it (the day before wlServeAt's).
var wlBackdate = time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)

// wlWorld is the services of the test process on one database.
type wlWorld struct {
	st      *store.Store
	d       *db.DB
	cat     *catalogue.Service
	cands   *candidature.Service
	accts   *accounts.Service
	sel     *selection.Service
	wl      *waitlist.Service
	central domain.Actor
	session int64
	clock   atomic.Int64
}

func (w *wlWorld) now() time.Time { return time.Unix(0, w.clock.Load()) }

func newWorld(t *testing.T, d *db.DB, at time.Time) *wlWorld {
	t.Helper()
	ctx := context.Background()
	w := &wlWorld{st: store.New(d), d: d}
	w.clock.Store(at.UnixNano())
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	client, err := jobs.New(d, w.st, nil, jobs.Config{Now: w.now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	paris := domain.Paris()
	w.cat = catalogue.NewService(w.st, words, "C", 0, w.now)
	box := outbox.New(w.st, client, "cours.exemple")
	w.cands = candidature.New(w.st, w.cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "https://cours.exemple/mes-candidatures"}, w.now, paris)
	w.accts = accounts.New(w.st, w.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.sel = selection.New(selection.Deps{Store: w.st, Catalogue: w.cat, Outbox: box, Words: words, Now: w.now, Paris: paris,
		PublicURL: "https://cours.exemple"})
	w.wl = waitlist.New(waitlist.Deps{Store: w.st, Catalogue: w.cat, Outbox: box, Words: words, Now: w.now,
		PublicURL: "https://cours.exemple"})
	if w.session, err = w.st.SelectionSessionByCode(ctx, demo.SessionSemester2Code); err != nil {
		t.Fatal(err)
	}
	return w
}

// wlPerson is a synthetic candidate with one candidature.
type wlPerson struct {
	account domain.Account
	actor   domain.Actor
	cand    int64
	course  int64
}

// buildLists loads the demo city on d, files people candidatures on a few
// popular 2nd-semester courses without a test (each person one
// candidature, no redirect: every transaction of the burst then locks one
// course, so that the commit order within a course is the order of the
// history lines and courses commute), runs the selection and publishes it.
// It returns the courses and the people, the world's clock in the answer
// period.
func buildLists(t *testing.T, d *db.DB, courses, capacity, people int) (*wlWorld, []int64, []wlPerson) {
	t.Helper()
	ctx := context.Background()
	began := time.Now()
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: wlT0.In(domain.Paris())}); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, d, wlT0)
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: wlT0.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	staff, err := st.AccountByEmail(ctx, nil, drillCentral)
	if err != nil {
		staff = w.signUp(t, "central")
	}
	w.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	ix, err := w.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var picked []*catalogue.Entry
	formations := map[int64]bool{}
	for _, e := range ix.All() {
		if e.SessionID == w.session && e.Session.CandidatureOpen(wlT0) && !e.Remote && e.Formation.Evaluation == domain.EvaluationNone &&
			!formations[e.FormationID] {
			formations[e.FormationID] = true
			picked = append(picked, e)
			if len(picked) == courses {
				break
			}
		}
	}
	if len(picked) < courses {
		t.Fatalf("only %d 2nd-semester courses without a test", len(picked))
	}
	var ids []int64
	for _, e := range picked {
		ids = append(ids, e.ID)
		if _, err := d.W.ExecContext(ctx, `UPDATE courses SET capacity = $1 WHERE id = $2`, capacity, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.W.ExecContext(ctx, `UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	w.cat.Invalidate()
	out := make([]wlPerson, people)
	var wg sync.WaitGroup
	var failed atomic.Value
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < people; i += 4 {
				a := w.signUp(t, fmt.Sprintf("wl%05d", i))
				actor := accounts.ActorOf(a)
				c := ids[i%len(ids)]
				if err := w.cands.Add(ctx, actor, a.ID, c); err != nil {
					failed.Store(fmt.Sprintf("add %d: %v", c, err))
					return
				}
				b, err := w.cands.ShowBasket(ctx, actor, a.ID)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				if _, err := w.cands.Validate(ctx, actor, a.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
					AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
					failed.Store(fmt.Sprintf("validate: %v", err))
					return
				}
				out[i] = wlPerson{account: a, actor: actor, course: c}
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f != nil {
		t.Fatal(f)
	}
	for i := range out {
		var cand int64
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM candidatures WHERE account_id = $1`, out[i].account.ID).Scan(&cand); err != nil {
			t.Fatal(err)
		}
		out[i].cand = cand
	}
	w.clock.Store(wlT0.Add(22 * 24 * time.Hour).UnixNano())
	run, err := w.sel.StartRun(ctx, w.central, w.session, domain.PassMain)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Store(wlT0.Add(29 * 24 * time.Hour).UnixNano())
	if _, err := w.sel.Publish(ctx, w.central, run.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.Store(wlServeAt.UnixNano())
	t.Logf("%d candidatures on %d courses of %d seats, published, in %s", people, courses, capacity, time.Since(began).Round(time.Millisecond))
	return w, ids, out
}

func (w *wlWorld) signUp(t *testing.T, subject string) domain.Account {
	t.Helper()
	a, err := w.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom",
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// cookie signs a person in as the platform's sign-in does (a web session
// row) and returns the session cookie's value.
func (w *wlWorld) cookie(t *testing.T, a domain.Account) string {
	t.Helper()
	ctx := context.Background()
	sm := websession.New(w.st.Sessions(), false, websession.Timeouts{})
	sctx, err := sm.Load(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := sm.Start(sctx, a, w.now()); err != nil {
		t.Fatal(err)
	}
	token, _, err := sm.Commit(sctx)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// clonePostgres copies the database of dbURL (nobody connected to it) into
// a new one, dropped when the test ends.
func clonePostgres(t *testing.T, dbURL string) (*db.DB, string) {
	t.Helper()
	server := os.Getenv(dbtest.PostgresEnv)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	name := src + "_replay"
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + src); err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", server)
		if err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}
	})
	u.Path = "/" + name
	return openDB(t, u.String()), u.String()
}

// wlEvent is one acknowledged event of the burst.
type wlEvent struct {
	kind   string // give_up, accept, decline, expire
	person int    // index in the people
	course int64  // the offer's course (accept, decline, expire)
	seq    int64  // its history line: the commit order within a course
	via    string // A, B, B (restarted), service
}

// pendingOf reads a candidature's pending offer, if any.
func pendingOf(ctx context.Context, d *db.DB, cand int64) (id, course int64, ok bool, err error) {
	err = d.R.QueryRowContext(ctx, `SELECT id, course_id FROM waiting_offers WHERE candidature_id = $1 AND state = 'pending'`, cand).
		Scan(&id, &course)
	if err == sql.ErrNoRows {
		return 0, 0, false, nil
	}
	return id, course, err == nil, err
}

func statusOf(ctx context.Context, d *db.DB, cand int64) (string, error) {
	var s string
	err := d.R.QueryRowContext(ctx, `SELECT status FROM candidatures WHERE id = $1`, cand).Scan(&s)
	return s, err
}

// expireOffer moves an offer's deadline to the past and runs the timer of
// world w: the offer expires (by this tick, or by a tick of an instance).
func expireOffer(ctx context.Context, w *wlWorld, offer int64) error {
	if _, err := w.d.W.ExecContext(ctx, `UPDATE waiting_offers SET deadline = $1 WHERE id = $2 AND state = 'pending'`,
		wlBackdate, offer); err != nil {
		return err
	}
	_, err := w.wl.Tick(ctx)
	return err
}

// checkLists checks the invariants of the waiting lists on d, in one
// snapshot: no course holds more than its capacity (accepted + pending
// offers); at most one pending offer per candidature, for a course it waits
// for; no seat left free while a candidature that can take it waits (every
// freed seat is offered at once, in order: here CAN-1..3 never pass anyone
// over, each person holding one candidature).
func checkLists(t *testing.T, d *db.DB, courses []int64) {
	t.Helper()
	ctx := context.Background()
	tx, err := d.R.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Error(err)
		return
	}
	defer tx.Rollback()
	q := func(query string, args ...any) [][]int64 {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			t.Errorf("%s: %v", query, err)
			return [][]int64{make([]int64, 4)}
		}
		defer rows.Close()
		var out [][]int64
		cols, _ := rows.Columns()
		for rows.Next() {
			r := make([]int64, len(cols))
			p := make([]any, len(cols))
			for i := range r {
				p[i] = &r[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Error(err)
			}
			out = append(out, r)
		}
		return out
	}
	for _, c := range courses {
		r := q(`SELECT capacity,
			(SELECT COUNT(*) FROM candidatures WHERE status = 'accepted' AND accepted_course_id = $1),
			(SELECT COUNT(*) FROM waiting_offers WHERE course_id = $1 AND state = 'pending'),
			(SELECT COUNT(*) FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
				WHERE w.course_id = $1 AND c.status = 'waiting'
				AND NOT EXISTS (SELECT 1 FROM waiting_offers o WHERE o.candidature_id = c.id AND o.state = 'pending'))
			FROM courses WHERE id = $1`, c)[0]
		capacity, accepted, pending, idle := r[0], r[1], r[2], r[3]
		if accepted+pending > capacity {
			t.Errorf("course %d holds %d accepted + %d offered seats for a capacity of %d", c, accepted, pending, capacity)
		}
		if free := capacity - accepted - pending; free > 0 && idle > 0 {
			t.Errorf("course %d has %d free seats while %d candidatures wait without an offer (SEL-5: a freed seat is offered at once)",
				c, free, idle)
		}
	}
	// CAN-1..3 on what each person holds: accepted seats and pending offers.
	holds := `(SELECT account_id, accepted_course_id AS course_id FROM candidatures WHERE status = 'accepted'
		UNION ALL SELECT account_id, course_id FROM waiting_offers WHERE state = 'pending')`
	for _, r := range q(`SELECT h.account_id, COUNT(*), COUNT(DISTINCT k.formation_id) FROM ` + holds + ` h JOIN courses k ON k.id = h.course_id
		GROUP BY h.account_id HAVING COUNT(*) > 3 OR COUNT(DISTINCT k.formation_id) > 3 OR COUNT(DISTINCT k.formation_id) < COUNT(*)`) {
		t.Errorf("CAN-1/CAN-2: person %d holds %d seats or offers in %d formations", r[0], r[1], r[2])
	}
	for _, r := range q(`SELECT a.account_id, a.course_id, b.course_id FROM ` + holds + ` a JOIN ` + holds + ` b
		ON b.account_id = a.account_id AND b.course_id > a.course_id
		JOIN courses ka ON ka.id = a.course_id JOIN courses kb ON kb.id = b.course_id
		WHERE ka.weekday = kb.weekday AND ka.start_minute < kb.end_minute AND kb.start_minute < ka.end_minute`) {
		t.Errorf("CAN-3: person %d holds courses %d and %d whose slots overlap", r[0], r[1], r[2])
	}
	for _, r := range q(`SELECT candidature_id, COUNT(*) FROM waiting_offers WHERE state = 'pending' GROUP BY candidature_id HAVING COUNT(*) > 1`) {
		t.Errorf("candidature %d holds %d pending offers at once", r[0], r[1])
	}
	for _, r := range q(`SELECT o.id, o.candidature_id, CASE c.status WHEN 'waiting' THEN 1 WHEN 'accepted' THEN 2 WHEN 'given_up' THEN 3
		WHEN 'declined' THEN 4 WHEN 'offer_expired' THEN 5 ELSE 9 END,
		(SELECT COUNT(*) FROM waiting_list w WHERE w.course_id = o.course_id AND w.candidature_id = c.id)
		FROM waiting_offers o JOIN candidatures c ON c.id = o.candidature_id
		WHERE o.state = 'pending' AND (c.status <> 'waiting'
			OR NOT EXISTS (SELECT 1 FROM waiting_list w WHERE w.course_id = o.course_id AND w.candidature_id = c.id))`) {
		t.Errorf("pending offer %d of candidature %d, which no longer waits for its course (status %d, on the list %d)", r[0], r[1], r[2], r[3])
	}
	// Nobody skipped: each offer went to the first in line who held no
	// other offer, i.e. on each course the offers sent follow the list's
	// order (positions only grow), nobody on the list ahead of the last
	// offered being left without an offer of their own.
	for _, c := range courses {
		rows := q(`SELECT position, candidature_id FROM waiting_offers WHERE course_id = $1 ORDER BY id`, c)
		for i := 1; i < len(rows); i++ {
			if rows[i][0] < rows[i-1][0] {
				t.Errorf("course %d: offer to candidature %d at position %d after one at position %d: someone was skipped",
					c, rows[i][1], rows[i][0], rows[i-1][0])
				break
			}
		}
		if len(rows) > 0 {
			last := rows[len(rows)-1][0]
			for _, r := range q(`SELECT w.candidature_id, w.position FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
				WHERE w.course_id = $1 AND c.status = 'waiting' AND w.position < $2
				AND NOT EXISTS (SELECT 1 FROM waiting_offers o WHERE o.candidature_id = c.id)`, c, last) {
				t.Errorf("course %d: candidature %d at position %d never offered a seat, skipped for position %d", c, r[0], r[1], last)
			}
		}
	}
}

// wlSnapshot is the state compared with the replay's.
func wlSnapshot(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, r := range queryInts(t, d, `SELECT id, CASE status WHEN 'accepted' THEN 1 WHEN 'waiting' THEN 2 WHEN 'given_up' THEN 3
		WHEN 'declined' THEN 4 WHEN 'offer_expired' THEN 5 WHEN 'not_retained' THEN 6 ELSE 9 END, COALESCE(accepted_course_id, 0)
		FROM candidatures ORDER BY id`) {
		fmt.Fprintf(&b, "candidature %d status %d in %d\n", r[0], r[1], r[2])
	}
	rows, err := d.R.Query(`SELECT candidature_id, course_id, state, redirect, position, freed_by, deadline FROM waiting_offers
		ORDER BY candidature_id, course_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var cand, course, pos int64
		var state, freed string
		var redirect bool
		var deadline time.Time
		if err := rows.Scan(&cand, &course, &state, &redirect, &pos, &freed, &deadline); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "offer %d/%d %s %v %d %s %s\n", cand, course, state, redirect, pos, freed, deadline.Format(time.DateOnly))
	}
	for _, r := range queryInts(t, d, `SELECT course_id, candidature_id, position FROM waiting_list ORDER BY course_id, candidature_id`) {
		fmt.Fprintf(&b, "list %d %d %d\n", r[0], r[1], r[2])
	}
	rows2, err := d.R.Query(`SELECT account_id, kind, COUNT(*) FROM messages WHERE kind LIKE 'waitlist_%' GROUP BY account_id, kind ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var a, n int64
		var k string
		if err := rows2.Scan(&a, &k, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "mail %d %s %d\n", a, k, n)
	}
	return b.String()
}

func wlEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// startWaitlistServer starts an instance on the demo clock of the answer
// period.
func startWaitlistServer(t *testing.T, name, dbURL string) *server {
	t.Helper()
	return startServerWith(t, name, dbURL, "--demo-now", wlServeAt.Format(time.RFC3339), "--demo-force")
}

// wlPost posts an empty form with a person's session cookie.
func wlPost(client *http.Client, s *server, cookie, path string) (int, string, string, error) {
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", websession.CookieName+"="+cookie)
	res, err := client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(body), nil
}

// TestWaitingListsBurstTwoInstances_SEL5_CAN1_CAN2_CAN3 is the burst: many
// randomized events (CMA_WL_EVENTS, default 2,000; CMA_WL_PEOPLE people)
// from 8 workers, each owning a share of the people, sent to instance A,
// instance B (HTTP, signed-in sessions) or the service in the test process;
// expiries by moving an offer's deadline back and running the timer (the
// instances' own timers run too). Instance B is SIGKILLed in the middle and
// restarted. Invariants are checked during and at the end; after the kill
// every accepted offer stands, every pending offer kept its deadline, no
// email was kept twice; the final state equals a single-threaded replay of
// the acknowledged events in their commit order on a copy of the database.
func TestWaitingListsBurstTwoInstances_SEL5_CAN1_CAN2_CAN3(t *testing.T) {
	d, dbURL := dbtest.PostgresURL(t)
	ctx := context.Background()
	events := wlEnvInt("CMA_WL_EVENTS", 2000)
	people := wlEnvInt("CMA_WL_PEOPLE", events*9/10+200) // about 1.15 events a person
	const nCourses = 4
	capacity := max(10, people/nCourses/5)
	w, courses, ppl := buildLists(t, d, nCourses, capacity, people)
	d.Close()
	replayDB, _ := clonePostgres(t, dbURL)
	d = openDB(t, dbURL)
	w = newWorld(t, d, wlServeAt)

	a := startWaitlistServer(t, "A", dbURL)
	b := startWaitlistServer(t, "B", dbURL)
	// The test process's clock runs with the instances'.
	origin := time.Now()
	w.clock.Store(wlServeAt.UnixNano())
	tick := func() { w.clock.Store(wlServeAt.Add(time.Since(origin)).UnixNano()) }
	cookies := make([]string, len(ppl))
	for i, p := range ppl {
		cookies[i] = w.cookie(t, p.account)
	}
	// Sweep once: the seats the selection left free are offered.
	if _, err := w.wl.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	checkLists(t, d, courses)

	var (
		mu       sync.Mutex
		acked    []wlEvent
		bad      errorsOf
		done     atomic.Int64
		bDown    atomic.Bool
		servers  = []*server{a, b}
		serverMu sync.RWMutex
	)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const workers = 8
	began := time.Now()
	stopCheck := make(chan struct{})
	checked := make(chan int)
	go func() { // the invariants during the burst
		n := 0
		for {
			select {
			case <-stopCheck:
				checked <- n
				return
			case <-time.After(300 * time.Millisecond):
				checkLists(t, d, courses)
				n++
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 2026))
			var mine []int
			for i := g; i < len(ppl); i += workers {
				mine = append(mine, i)
			}
			idle := 0
			for done.Load() < int64(events) && idle < 200 && len(mine) > 0 {
				k := rng.IntN(len(mine))
				i := mine[k]
				p := ppl[i]
				tick()
				status, err := statusOf(ctx, d, p.cand)
				if err != nil {
					bad.add("status: %v", err)
					return
				}
				offer, offerCourse, hasOffer, err := pendingOf(ctx, d, p.cand)
				if err != nil {
					bad.add("offer: %v", err)
					return
				}
				ev := wlEvent{person: i}
				path := ""
				switch {
				case hasOffer:
					ev.course = offerCourse
					switch r := rng.IntN(10); {
					case r < 4:
						ev.kind, path = "accept", "/mes-offres/"+strconv.FormatInt(offer, 10)+"/accepter"
					case r < 8:
						ev.kind, path = "decline", "/mes-offres/"+strconv.FormatInt(offer, 10)+"/refuser"
					default:
						ev.kind = "expire"
					}
				case status == "accepted" || status == "waiting":
					if rng.IntN(3) != 0 {
						idle++
						continue
					}
					ev.kind, path = "give_up", "/mes-candidatures/"+strconv.FormatInt(p.cand, 10)+"/renoncer"
				default:
					mine = slices.Delete(mine, k, k+1) // nothing left to do for them
					continue
				}
				idle = 0
				via := rng.IntN(3)
				if ev.kind == "expire" {
					via = 2
				}
				var s *server
				if via < 2 {
					serverMu.RLock()
					s = servers[via]
					serverMu.RUnlock()
					if via == 1 && bDown.Load() {
						via = 2
					}
				}
				switch via {
				case 0, 1:
					ev.via = s.name
					status, loc, body, err := wlPost(client, s, cookies[i], path)
					if err != nil {
						if via == 1 && isConnError(err) {
							// Cut by the kill: the transaction committed or
							// is rolled back; once PostgreSQL has seen the
							// connection gone, the state says which.
							time.Sleep(time.Second)
							st, _ := statusOf(ctx, d, p.cand)
							_, _, still, _ := pendingOf(ctx, d, p.cand)
							committed := (ev.kind == "give_up" && st == "given_up") || (ev.kind != "give_up" && !still)
							if !committed {
								continue
							}
						} else {
							bad.add("%s %s on %s: %v", ev.kind, path, s.name, err)
							continue
						}
					} else if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/mes-candidatures?") {
						bad.add("%s %s on %s: %d %s %.300s", ev.kind, path, s.name, status, loc, body)
						continue
					}
				default:
					ev.via = "service"
					var err error
					switch ev.kind {
					case "accept":
						_, err = w.wl.Accept(ctx, p.actor, p.account.ID, offer)
					case "decline":
						_, err = w.wl.Decline(ctx, p.actor, p.account.ID, offer)
					case "give_up":
						_, err = w.wl.GiveUp(ctx, p.actor, p.account.ID, p.cand)
					case "expire":
						err = expireOffer(ctx, w, offer)
					}
					if err != nil {
						bad.add("%s of person %d by the service: %v", ev.kind, i, err)
						continue
					}
				}
				if ev.kind == "expire" {
					var state string
					if err := d.R.QueryRowContext(ctx, `SELECT state FROM waiting_offers WHERE id = $1`, offer).Scan(&state); err != nil || state != "expired" {
						bad.add("offer %d after the timer: %q %v", offer, state, err)
						continue
					}
				}
				if err := d.R.QueryRowContext(ctx, `SELECT MAX(id) FROM candidature_events WHERE candidature_id = $1`, p.cand).Scan(&ev.seq); err != nil {
					bad.add("history of %d: %v", p.cand, err)
					continue
				}
				mu.Lock()
				acked = append(acked, ev)
				mu.Unlock()
				done.Add(1)
			}
		})
	}

	// SIGKILL B in the middle of the burst, then restart it.
	for done.Load() < int64(events/2) && time.Since(began) < 5*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	type offerRow struct {
		state    string
		deadline time.Time
	}
	bDown.Store(true)
	b.kill()
	killedAt := done.Load()
	before := map[int64]offerRow{}
	rows, err := d.R.Query(`SELECT id, state, deadline FROM waiting_offers WHERE state IN ('accepted', 'pending')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var r offerRow
		if err := rows.Scan(&id, &r.state, &r.deadline); err != nil {
			t.Fatal(err)
		}
		before[id] = r
	}
	rows.Close()
	b2 := startWaitlistServer(t, "B (restarted)", dbURL)
	serverMu.Lock()
	servers[1] = b2
	serverMu.Unlock()
	bDown.Store(false)
	for id, r := range before {
		var state string
		var deadline time.Time
		if err := d.R.QueryRow(`SELECT state, deadline FROM waiting_offers WHERE id = $1`, id).Scan(&state, &deadline); err != nil {
			t.Fatal(err)
		}
		if r.state == "accepted" && state != "accepted" {
			t.Errorf("offer %d accepted before the kill is %s after the restart", id, state)
		}
		if r.state == "pending" && state == "pending" && !deadline.Equal(r.deadline) && !deadline.Equal(wlBackdate) { // the drill's own expiries go on
			t.Errorf("pending offer %d: deadline %s before the kill, %s after", id, r.deadline, deadline)
		}
	}

	wg.Wait()
	close(stopCheck)
	nChecks := <-checked
	elapsed := time.Since(began)
	bad.report(t, "the burst")
	t.Logf("%d events acknowledged in %s (B killed after %d and restarted; %d invariant checks during the burst): %s",
		len(acked), elapsed.Round(time.Millisecond), killedAt, nChecks, countVia(acked))
	if len(acked) < events/2 {
		t.Errorf("only %d events acknowledged, aimed at %d", len(acked), events)
	}
	checkLists(t, d, courses)
	checksBegan := time.Now()
	// No email kept twice: one per offer, one per answer.
	if n, m := count(t, d, `SELECT COUNT(*) FROM waiting_offers`), count(t, d, `SELECT COUNT(*) FROM messages WHERE kind = 'waitlist_offer'`); n != m {
		t.Errorf("%d offers made, %d offer emails kept", n, m)
	}
	for _, kind := range []string{"waitlist_accepted", "waitlist_declined", "waitlist_expired", "waitlist_given_up"} {
		// each person holds one candidature: one answer of each kind at most
		if n := count(t, d, `SELECT COUNT(*) FROM (SELECT account_id FROM messages WHERE kind = $1 GROUP BY account_id HAVING COUNT(*) > 1) x`, kind); n != 0 {
			t.Errorf("%d people got two %s emails", n, kind)
		}
	}
	// (one pass over the jobs: the per-message subquery of checkWhole is
	// quadratic, minutes at this size)
	for _, r := range queryInts(t, d, `SELECT m.id, COUNT(j.id) FROM messages m LEFT JOIN
		(SELECT j.id, CAST(e.value AS BIGINT) AS message_id FROM river_job j, jsonb_array_elements_text(j.args->'message_ids') e
			WHERE j.kind = 'send_email') j ON j.message_id = m.id
		WHERE m.kind LIKE 'waitlist_%' GROUP BY m.id HAVING COUNT(j.id) <> 1`) {
		t.Errorf("email %d has %d send_email jobs, want exactly 1", r[0], r[1])
	}

	t.Logf("final checks in %s", time.Since(checksBegan).Round(time.Millisecond))
	// The replay: the same events, one at a time, in their commit order
	// (within a course the order of their history lines; the courses
	// commute), on the copy taken before the burst.
	slices.SortFunc(acked, func(x, y wlEvent) int { return int(x.seq - y.seq) })
	rw := newWorld(t, replayDB, wlServeAt)
	replayBegan := time.Now()
	if _, err := rw.wl.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	for n, ev := range acked {
		p := ppl[ev.person]
		var err error
		offer := int64(0)
		if ev.kind != "give_up" {
			if err := replayDB.R.QueryRowContext(ctx, `SELECT id FROM waiting_offers WHERE candidature_id = $1 AND course_id = $2
				AND state = 'pending'`, p.cand, ev.course).Scan(&offer); err != nil {
				t.Fatalf("replay event %d (%+v): no pending offer of candidature %d on course %d: %v", n, ev, p.cand, ev.course, err)
			}
		}
		switch ev.kind {
		case "accept":
			_, err = rw.wl.Accept(ctx, p.actor, p.account.ID, offer)
		case "decline":
			_, err = rw.wl.Decline(ctx, p.actor, p.account.ID, offer)
		case "give_up":
			_, err = rw.wl.GiveUp(ctx, p.actor, p.account.ID, p.cand)
		case "expire":
			err = expireOffer(ctx, rw, offer)
		}
		if err != nil {
			t.Fatalf("replay event %d (%+v): %v", n, ev, err)
		}
	}
	t.Logf("replayed %d events single-threaded in %s", len(acked), time.Since(replayBegan).Round(time.Millisecond))
	got, want := wlSnapshot(t, d), wlSnapshot(t, replayDB)
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		shown := 0
		for i := 0; i < max(len(gl), len(wl)) && shown < 20; i++ {
			var g, x string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				x = wl[i]
			}
			if g != x {
				t.Errorf("burst %q, replay %q", g, x)
				shown++
			}
		}
		t.Error("the state after the burst differs from the single-threaded replay of its events")
	}
}

func countVia(evs []wlEvent) string {
	n := map[string]int{}
	for _, e := range evs {
		n[e.via]++
		n[e.kind]++
	}
	return fmt.Sprintf("A %d, B %d, service %d; give_up %d, accept %d, decline %d, expire %d",
		n["A"], n["B"]+n["B (restarted)"], n["service"], n["give_up"], n["accept"], n["decline"], n["expire"])
}

// TestWaitingListAnswersRefusedOverHTTP_SEL4_SEL5 sends a real instance the
// answers it must refuse: a forged offer ID and someone else's offer (not
// found, as a missing page), an offer past its deadline that the timer has
// not expired yet (its accept button refused, saying when the deadline
// ended), and, once the course's lists are closed three weeks after its
// first class (SEL-4, "en manque de place"), an accept of an offer that was
// pending. Each is refused with a clear message in French, and nothing
// changes in the database.
func TestWaitingListAnswersRefusedOverHTTP_SEL4_SEL5(t *testing.T) {
	d, dbURL := dbtest.PostgresURL(t)
	ctx := context.Background()
	w, courses, ppl := buildLists(t, d, 1, 2, 6)
	w = newWorld(t, d, wlServeAt)
	s := startWaitlistServer(t, "A", dbURL)
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var accepted, waiting []wlPerson
	for _, p := range ppl {
		switch st, _ := statusOf(ctx, d, p.cand); st {
		case "accepted":
			accepted = append(accepted, p)
		case "waiting":
			waiting = append(waiting, p)
		}
	}
	if len(accepted) != 2 || len(waiting) != 4 {
		t.Fatalf("%d accepted, %d waiting, want 2 and 4", len(accepted), len(waiting))
	}
	slices.SortFunc(waiting, func(x, y wlPerson) int {
		return int(count(t, d, `SELECT position FROM waiting_list WHERE candidature_id = $1`, x.cand) -
			count(t, d, `SELECT position FROM waiting_list WHERE candidature_id = $1`, y.cand))
	})
	for _, p := range accepted { // two seats freed: offered to the first two in line
		if _, err := w.wl.GiveUp(ctx, p.actor, p.account.ID, p.cand); err != nil {
			t.Fatal(err)
		}
	}
	first, second := waiting[0], waiting[1]
	o1, _, ok1, _ := pendingOf(ctx, d, first.cand)
	o2, _, ok2, _ := pendingOf(ctx, d, second.cand)
	if !ok1 || !ok2 {
		t.Fatal("the two seats given up were not offered to the first two in line")
	}
	refused := func(who wlPerson, path string, status int, texts ...string) {
		t.Helper()
		before := wlSnapshot(t, d)
		code, loc, body, err := wlPost(client, s, w.cookie(t, who.account), path)
		if err != nil {
			t.Fatal(err)
		}
		if code != status {
			t.Errorf("POST %s: %d %s, want %d", path, code, loc, status)
		}
		body = strings.ReplaceAll(body, "&#39;", "'")
		for _, text := range texts {
			if !strings.Contains(body, text) {
				t.Errorf("POST %s: the page does not say %q:\n%.2000s", path, text, body)
			}
		}
		if after := wlSnapshot(t, d); after != before {
			t.Errorf("POST %s refused, yet the database changed", path)
		}
	}
	// A forged ID, someone else's offer: not found, nothing learnt.
	refused(first, "/mes-offres/99999999/accepter", http.StatusNotFound, "Page introuvable")
	refused(second, fmt.Sprintf("/mes-offres/%d/accepter", o1), http.StatusNotFound, "Page introuvable")
	refused(second, fmt.Sprintf("/mes-offres/%d/refuser", o1), http.StatusNotFound, "Page introuvable")
	refused(first, fmt.Sprintf("/mes-candidatures/%d/renoncer", second.cand), http.StatusNotFound, "Page introuvable")
	// Past its deadline, before the timer ran: the button is refused.
	if _, err := d.W.Exec(`UPDATE waiting_offers SET deadline = $1 WHERE id = $2`, wlBackdate, o1); err != nil {
		t.Fatal(err)
	}
	refused(first, fmt.Sprintf("/mes-offres/%d/accepter", o1), http.StatusConflict,
		"Le délai pour répondre s'est terminé le vendredi 25/12/2026 à 23 h 59")
	// The timer expires it: the seat goes to the third; the first's button
	// is still refused.
	if _, err := w.wl.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := pendingOf(ctx, d, waiting[2].cand); !ok {
		t.Fatal("the expired offer's seat was not offered to the third in line")
	}
	refused(first, fmt.Sprintf("/mes-offres/%d/accepter", o1), http.StatusConflict, "Le délai pour répondre s'est terminé")
	// SEL-4: three weeks after the first class the lists close; the offer
	// pending then lapses, the candidature is "en manque de place".
	ix, err := w.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := ix.Course(courses[0])
	closes := domain.ListsCloseOn(e.FirstClass)
	w.clock.Store(time.Date(closes.Year(), closes.Month(), closes.Day(), 0, 30, 0, 0, domain.Paris()).UnixNano())
	// (the second's offer still open then: it lapses rather than expires)
	if _, err := d.W.Exec(`UPDATE waiting_offers SET deadline = $1 WHERE id = $2`, closes.AddDate(0, 0, 7), o2); err != nil {
		t.Fatal(err)
	}
	if r, err := w.wl.Tick(ctx); err != nil || r.NoPlace == 0 {
		t.Fatalf("the timer once the lists close: %+v, %v", r, err)
	}
	if st, _ := statusOf(ctx, d, second.cand); st != "no_place" {
		t.Fatalf("the second in line is %q once the lists closed, want no_place", st)
	}
	refused(second, fmt.Sprintf("/mes-offres/%d/accepter", o2), http.StatusConflict,
		"Les listes d'attente de ce cours sont closes, trois semaines après le début des cours")
}
