package reliability

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
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
// The burst also has the staff's events: withdrawals (désistements
// recorded by the establishment) and day changes (SEL-8) between each
// popular course and a quiet equivalent one, recorded at the desk,
// forwarded and decided.

// wlT0 is inside the demo's 2nd-semester candidature period (as in
// internal/waitlist's tests); the answer period opens 28 days later.
var wlT0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// wlServeAt is the instances' demo clock: the answer period, published.
var wlServeAt = wlT0.Add(29*24*time.Hour + time.Hour)

// wlBackdate is the deadline an offer is moved to so that the timer expires
// it (the day before wlServeAt's).
var wlBackdate = time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)

// wlBurstAt is the burst's clock: the waiting lists still run (SEL-4: until
// three weeks after the first class) and the desk takes day changes (SEL-8:
// from the first class day), the 2nd semester having begun on 1 February
// 2027. The lists are built and published at wlServeAt as in the other
// drills; only the burst runs later, on the same published lists.
var wlBurstAt = time.Date(2027, time.February, 10, 11, 0, 0, 0, time.UTC)

// wlBurstBackdate is wlBackdate for the burst: the day before wlBurstAt's.
var wlBurstBackdate = time.Date(2027, time.February, 9, 0, 0, 0, 0, time.UTC)

// wlCentralEmail is the drill's central service agent.
const wlCentralEmail = "central.drill@paris.exemple"

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
	// backdate is the deadline expireOffer moves an offer to.
	backdate time.Time
}

func (w *wlWorld) now() time.Time { return time.Unix(0, w.clock.Load()) }

func newWorld(t *testing.T, d *db.DB, at time.Time) *wlWorld {
	t.Helper()
	ctx := context.Background()
	w := &wlWorld{st: store.New(d), d: d, backdate: wlBackdate}
	if at.After(wlBurstAt.Add(-24 * time.Hour)) {
		w.backdate = wlBurstBackdate
	}
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
//
// With quiet > 0 each popular course gets a quiet equivalent one (same
// session, formation and level: a day change's target, SEL-8) of the same
// capacity, on which quiet more people file, fewer than its seats: it has
// free seats and no waiting list. The courses returned are then the popular
// ones followed by their quiet ones in the same order, and the people on
// the quiet ones follow the others. Both courses of a pair start within the
// desk's window of day changes at wlBurstAt.
func buildLists(t *testing.T, d *db.DB, courses, capacity, people, quiet int) (*wlWorld, []int64, []wlPerson) {
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
	// The central service's agent of the drill, a staff account (ROLE-5):
	// the withdrawals and the day changes' steps are theirs, over HTTP too.
	staff := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: wlCentralEmail,
		FirstName: "Claire", LastName: "Centrale", CreatedAt: wlT0}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.InsertAccount(ctx, tx, &staff); err != nil {
			return err
		}
		return st.InsertGrant(ctx, tx, staff.ID, domain.Grant{Role: domain.RoleCentral})
	}); err != nil {
		t.Fatal(err)
	}
	w.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	ix, err := w.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var picked, quiets []*catalogue.Entry
	formations := map[int64]bool{}
	usable := func(e *catalogue.Entry) bool {
		return e.SessionID == w.session && e.Session.CandidatureOpen(wlT0) && !e.Remote && e.Formation.Evaluation == domain.EvaluationNone &&
			(quiet == 0 || domain.DeskDayChangeOpen(e.FirstClass, wlBurstAt))
	}
	for _, e := range ix.All() {
		if !usable(e) || formations[e.FormationID] {
			continue
		}
		if quiet > 0 {
			eq := slices.DeleteFunc(waitlist.Equivalents(ix, e), func(k *catalogue.Entry) bool { return !usable(k) })
			if len(eq) == 0 {
				continue
			}
			quiets = append(quiets, eq[0])
		}
		formations[e.FormationID] = true
		picked = append(picked, e)
		if len(picked) == courses {
			break
		}
	}
	if len(picked) < courses {
		t.Fatalf("only %d 2nd-semester courses without a test (with an equivalent one: %v)", len(picked), quiet > 0)
	}
	picked = append(picked, quiets...)
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
	total := people + len(quiets)*quiet
	out := make([]wlPerson, total)
	var wg sync.WaitGroup
	var failed atomic.Value
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < total; i += 4 {
				a := w.signUp(t, fmt.Sprintf("wl%05d", i))
				actor := accounts.ActorOf(a)
				c := ids[i%courses]
				if i >= people {
					c = ids[courses+(i-people)%len(quiets)]
				}
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
	t.Logf("%d candidatures on %d courses of %d seats (%d of them on %d quiet equivalent courses), published, in %s",
		total, len(ids), capacity, total-people, len(quiets), time.Since(began).Round(time.Millisecond))
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
	// give_up, accept, decline, expire, withdraw (by staff), dc_ask (a day
	// change recorded at the desk and forwarded), day_change (its decision,
	// accepted), day_change_refused (refused for want of a seat)
	kind   string
	person int    // index in the people
	course int64  // the offer's course (accept, decline, expire), the course left (day change, withdraw)
	to     int64  // the course a day change asks for
	seq    int64  // its history line: the commit order within a course
	via    string // A, B, B (restarted), service
	// A refused day change commits nothing: it took place between history
	// lines lo and hi; key is its refusal's.
	lo, hi int64
	key    string
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
		w.backdate, offer); err != nil {
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
	for _, r := range queryInts(t, d, `SELECT candidature_id, from_course_id, to_course_id, CASE state WHEN 'requested' THEN 1
		WHEN 'forwarded' THEN 2 WHEN 'not_forwarded' THEN 3 WHEN 'accepted' THEN 4 WHEN 'refused' THEN 5 ELSE 9 END
		FROM day_changes ORDER BY candidature_id, id`) {
		fmt.Fprintf(&b, "day change %d %d→%d %d\n", r[0], r[1], r[2], r[3])
	}
	rows2, err := d.R.Query(`SELECT account_id, kind, COUNT(*) FROM messages WHERE kind LIKE 'waitlist_%' OR kind LIKE 'daychange_%'
		GROUP BY account_id, kind ORDER BY 1, 2`)
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
	return startWaitlistServerAt(t, name, dbURL, wlServeAt)
}

// startWaitlistServerAt starts an instance on the demo clock at.
func startWaitlistServerAt(t *testing.T, name, dbURL string, at time.Time) *server {
	t.Helper()
	return startServerWith(t, name, dbURL, "--demo-now", at.Format(time.RFC3339), "--demo-force")
}

// wlPost posts an empty form with a person's session cookie.
func wlPost(client *http.Client, s *server, cookie, path string) (int, string, string, error) {
	return wlPostForm(client, s, cookie, path, nil)
}

// wlPostForm posts a form with a person's session cookie.
func wlPostForm(client *http.Client, s *server, cookie, path string, form url.Values) (int, string, string, error) {
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(form.Encode()))
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
// instances' own timers run too). The staff's events are among them, by the
// central service's agent: withdrawals of learners and of waiting
// candidates, and day changes (SEL-8) between each popular course and its
// quiet equivalent — recorded at the desk and forwarded by the service,
// then decided over HTTP or by the service; a decision refused for want of
// a seat (or for someone waiting) is checked against the replay's states
// around it. The burst runs at wlBurstAt, after the first class, the desk
// window open. Instance B is SIGKILLed in the middle and
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
	w0, courses, ppl := buildLists(t, d, nCourses, capacity, people, capacity/2)
	central := w0.central
	staff, err := w0.st.AccountByEmail(ctx, nil, wlCentralEmail)
	if err != nil {
		t.Fatal(err)
	}
	// twin: the course a day change of a learner in a course asks for.
	twin := map[int64]int64{}
	for i := range nCourses {
		twin[courses[i]], twin[courses[nCourses+i]] = courses[nCourses+i], courses[i]
	}
	d.Close()
	replayDB, _ := clonePostgres(t, dbURL)
	d = openDB(t, dbURL)
	w := newWorld(t, d, wlBurstAt)
	w.central = central

	a := startWaitlistServerAt(t, "A", dbURL, wlBurstAt)
	b := startWaitlistServerAt(t, "B", dbURL, wlBurstAt)
	// The test process's clock runs with the instances'.
	origin := time.Now()
	w.clock.Store(wlBurstAt.UnixNano())
	tick := func() { w.clock.Store(wlBurstAt.Add(time.Since(origin)).UnixNano()) }
	cookies := make([]string, len(ppl))
	for i, p := range ppl {
		cookies[i] = w.cookie(t, p.account)
	}
	staffCookie := w.cookie(t, staff)
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
	lastLine := func() (int64, error) {
		var n int64
		err := d.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM candidature_events`).Scan(&n)
		return n, err
	}
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
				status, in, err := statusIn(ctx, d, p.cand)
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
				path, form := "", url.Values{}
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
					// (one in three acts, as before the staff's events: a
					// give-up, a withdrawal, or for a learner a day change)
					r := rng.IntN(9)
					switch {
					case r < 2:
						ev.kind, path = "give_up", "/mes-candidatures/"+strconv.FormatInt(p.cand, 10)+"/renoncer"
					case r == 2:
						ev.kind, ev.course = "withdraw", in
						if status == "waiting" {
							ev.course = p.course
						}
						path = "/back-office/cours/" + strconv.FormatInt(ev.course, 10) + "/listes/desistement"
						form.Set("candidature-desistement", strconv.FormatInt(p.cand, 10))
						form.Set("motif-desistement", "ne vient plus")
					case r < 6 && status == "accepted":
						ev.kind, ev.course, ev.to = "day_change", in, twin[in]
					default:
						idle++
						continue
					}
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
				if ev.kind == "day_change" {
					// The desk's request and the director's forward, by the
					// service: they move no seat (and commute with every
					// other event); then the decision, the part that moves
					// seats, by the via drawn.
					dc, asked, err := openDayChange(ctx, d, p.cand)
					if err != nil {
						bad.add("day change of %d: %v", p.cand, err)
						continue
					}
					if !asked {
						if _, err := w.wl.RecordDayChange(ctx, central, p.cand, ev.to, "garde d'enfants le lundi"); err != nil {
							bad.add("record a day change of %d %d→%d: %v", p.cand, in, ev.to, err)
							continue
						}
						if dc, _, err = openDayChange(ctx, d, p.cand); err != nil {
							bad.add("day change of %d: %v", p.cand, err)
							continue
						}
						if _, err := w.wl.ForwardDayChange(ctx, central, dc, true, ""); err != nil {
							bad.add("forward day change %d: %v", dc, err)
							continue
						}
						ask := wlEvent{kind: "dc_ask", person: i, course: in, to: ev.to, via: "service"}
						if ask.seq, err = lastLine(); err != nil {
							bad.add("history: %v", err)
							continue
						}
						mu.Lock()
						acked = append(acked, ask)
						mu.Unlock()
					}
					if ev.lo, err = lastLine(); err != nil {
						bad.add("history: %v", err)
						continue
					}
					path = "/back-office/changements-de-jour/" + strconv.FormatInt(dc, 10) + "/decider"
					form.Set("accepter", "1")
					form.Set("note-"+strconv.FormatInt(dc, 10), "")
				}
				cookie := cookies[i]
				if ev.kind == "withdraw" || ev.kind == "day_change" {
					cookie = staffCookie
				}
				switch via {
				case 0, 1:
					ev.via = s.name
					status, loc, body, err := wlPostForm(client, s, cookie, path, form)
					if err != nil {
						if via == 1 && isConnError(err) {
							// Cut by the kill: the transaction committed or
							// is rolled back; once PostgreSQL has seen the
							// connection gone, the state says which.
							time.Sleep(time.Second)
							st, now, _ := statusIn(ctx, d, p.cand)
							_, _, still, _ := pendingOf(ctx, d, p.cand)
							var committed bool
							switch ev.kind {
							case "give_up", "withdraw":
								committed = st == "given_up"
							case "day_change":
								committed = now == ev.to // else rolled back, or refused: nothing changed
							default:
								committed = !still
							}
							if !committed {
								continue
							}
						} else {
							bad.add("%s %s on %s: %v", ev.kind, path, s.name, err)
							continue
						}
					} else if ev.kind == "day_change" && status == http.StatusConflict {
						ev.kind, ev.key = "day_change_refused", refusalOf(body)
					} else if want := wlLanding(ev.kind); status != http.StatusSeeOther || !strings.HasPrefix(loc, want) {
						bad.add("%s %s on %s: %d %s (want %s) %.300s", ev.kind, path, s.name, status, loc, want, body)
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
					case "withdraw":
						_, err = w.wl.Withdraw(ctx, central, p.cand, "ne vient plus")
					case "expire":
						err = expireOffer(ctx, w, offer)
					case "day_change":
						dc, _, _ := openDayChange(ctx, d, p.cand)
						_, err = w.wl.DecideDayChange(ctx, central, dc, true, "")
						var refusal *waitlist.Refusal
						if errors.As(err, &refusal) {
							ev.kind, ev.key, err = "day_change_refused", refusal.Key, nil
						}
					}
					if err != nil {
						bad.add("%s of person %d by the service: %v", ev.kind, i, err)
						continue
					}
				}
				switch ev.kind {
				case "expire":
					var state string
					if err := d.R.QueryRowContext(ctx, `SELECT state FROM waiting_offers WHERE id = $1`, offer).Scan(&state); err != nil || state != "expired" {
						bad.add("offer %d after the timer: %q %v", offer, state, err)
						continue
					}
				case "day_change":
					if _, now, err := statusIn(ctx, d, p.cand); err != nil || now != ev.to {
						bad.add("day change of %d to %d accepted, in %d after: %v", p.cand, ev.to, now, err)
						continue
					}
				case "day_change_refused":
					if _, now, err := statusIn(ctx, d, p.cand); err != nil || now != ev.course {
						bad.add("day change of %d to %d refused (%s), in %d after: %v", p.cand, ev.to, ev.key, now, err)
						continue
					}
				}
				if ev.kind == "day_change_refused" {
					// Nothing committed: its moment is somewhere between the
					// last history line before it was sent and the last
					// after its answer, where the replay looks for it.
					ev.seq = ev.lo
					if ev.hi, err = lastLine(); err != nil {
						bad.add("history: %v", err)
						continue
					}
				} else if err := d.R.QueryRowContext(ctx, `SELECT MAX(id) FROM candidature_events WHERE candidature_id = $1`, p.cand).Scan(&ev.seq); err != nil {
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
	b2 := startWaitlistServerAt(t, "B (restarted)", dbURL, wlBurstAt)
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
		if r.state == "pending" && state == "pending" && !deadline.Equal(r.deadline) && !deadline.Equal(w.backdate) { // the drill's own expiries go on
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
	checkStaffEvents(t, d)
	// (one pass over the jobs: the per-message subquery of checkWhole is
	// quadratic, minutes at this size)
	for _, r := range queryInts(t, d, `SELECT m.id, COUNT(j.id) FROM messages m LEFT JOIN
		(SELECT j.id, CAST(e.value AS BIGINT) AS message_id FROM river_job j, jsonb_array_elements_text(j.args->'message_ids') e
			WHERE j.kind = 'send_email') j ON j.message_id = m.id
		WHERE m.kind LIKE 'waitlist_%' OR m.kind LIKE 'daychange_%' GROUP BY m.id HAVING COUNT(j.id) <> 1`) {
		t.Errorf("email %d has %d send_email jobs, want exactly 1", r[0], r[1])
	}

	t.Logf("final checks in %s", time.Since(checksBegan).Round(time.Millisecond))
	// The replay: the same events, one at a time, in their commit order
	// (within a course the order of their history lines, written under its
	// lock — a day change's under both its courses' —; events on other
	// courses commute), on the copy taken before the burst.
	slices.SortStableFunc(acked, func(x, y wlEvent) int { return cmp.Compare(x.seq, y.seq) })
	rw := newWorld(t, replayDB, wlBurstAt)
	rw.central = central
	replayBegan := time.Now()
	if _, err := rw.wl.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// A refused decision committed nothing: it is checked, rather than
	// replayed, against the states the replay goes through between the
	// history lines that bracket it — at one of them the target course was
	// full or had someone waiting, as the refusal said.
	var refusals, watching []wlEvent
	for _, ev := range acked {
		if ev.kind == "day_change_refused" {
			refusals = append(refusals, ev)
		}
	}
	acked = slices.DeleteFunc(acked, func(ev wlEvent) bool { return ev.kind == "day_change_refused" })
	refusedHeld := func(ev wlEvent) bool {
		full, waiting, err := targetState(ctx, rw, ppl[ev.person].cand, ev.to)
		if err != nil {
			t.Fatal(err)
		}
		switch ev.key {
		case "daychange.decide.full":
			return full
		case "daychange.decide.waiting":
			return waiting
		}
		return full || waiting
	}
	// watch is called before the event of history line next is replayed.
	watch := func(next int64) {
		for len(refusals) > 0 && refusals[0].lo < next {
			watching = append(watching, refusals[0])
			refusals = refusals[1:]
		}
		watching = slices.DeleteFunc(watching, func(ev wlEvent) bool {
			if refusedHeld(ev) {
				return true
			}
			if ev.hi <= next {
				t.Errorf("day change of candidature %d %d→%d refused (%s, by %s), yet the target had a free seat and nobody waiting "+
					"all along in the replay", ppl[ev.person].cand, ev.course, ev.to, ev.key, ev.via)
				return true
			}
			return false
		})
	}
	nRefused := len(refusals)
	for n, ev := range acked {
		watch(ev.seq)
		p := ppl[ev.person]
		var err error
		offer := int64(0)
		switch ev.kind {
		case "accept", "decline", "expire":
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
		case "withdraw":
			_, err = rw.wl.Withdraw(ctx, central, p.cand, "ne vient plus")
		case "expire":
			err = expireOffer(ctx, rw, offer)
		case "dc_ask":
			if _, err = rw.wl.RecordDayChange(ctx, central, p.cand, ev.to, "garde d'enfants le lundi"); err == nil {
				dc, _, _ := openDayChange(ctx, replayDB, p.cand)
				_, err = rw.wl.ForwardDayChange(ctx, central, dc, true, "")
			}
		case "day_change":
			// SEL-8: never past a waiting candidate, never over capacity.
			full, waiting, err := targetState(ctx, rw, p.cand, ev.to)
			if err != nil {
				t.Fatal(err)
			}
			if full || waiting {
				t.Errorf("replay event %d: day change of candidature %d %d→%d accepted (by %s) while the target was full (%v) "+
					"or had someone waiting (%v)", n, p.cand, ev.course, ev.to, ev.via, full, waiting)
			}
			dc, _, _ := openDayChange(ctx, replayDB, p.cand)
			_, err = rw.wl.DecideDayChange(ctx, central, dc, true, "")
		}
		if err != nil {
			t.Fatalf("replay event %d (%+v): %v", n, ev, err)
		}
	}
	watch(math.MaxInt64)
	t.Logf("replayed %d events single-threaded in %s, and checked %d refused day changes", len(acked), time.Since(replayBegan).Round(time.Millisecond), nRefused)
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

// statusIn reads a candidature's status and the course it is accepted in.
func statusIn(ctx context.Context, d *db.DB, cand int64) (string, int64, error) {
	var s string
	var in int64
	err := d.R.QueryRowContext(ctx, `SELECT status, COALESCE(accepted_course_id, 0) FROM candidatures WHERE id = $1`, cand).Scan(&s, &in)
	return s, in, err
}

// openDayChange reads a candidature's open day change request, if any.
func openDayChange(ctx context.Context, d *db.DB, cand int64) (int64, bool, error) {
	var id int64
	err := d.R.QueryRowContext(ctx, `SELECT id FROM day_changes WHERE candidature_id = $1 AND state IN ('requested', 'forwarded')`, cand).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return id, err == nil, err
}

// targetState says whether course to is full (accepted + offered seats)
// and whether another candidature than cand waits for it, as a day
// change's decision reads them.
func targetState(ctx context.Context, w *wlWorld, cand, to int64) (full, waiting bool, err error) {
	capacity, accepted, pending, err := w.st.CourseSeats(ctx, nil, to)
	if err != nil {
		return false, false, err
	}
	err = w.st.InTx(ctx, func(tx *sql.Tx) error {
		n, err := w.st.WaitingFor(ctx, tx, to, cand)
		waiting = n > 0
		return err
	})
	return capacity-accepted-pending <= 0, waiting, err
}

// refusalOf tells a refused decision's reason from the page (French).
func refusalOf(body string) string {
	body = strings.ReplaceAll(body, "&#39;", "'")
	switch {
	case strings.Contains(body, "pas de place libre"):
		return "daychange.decide.full"
	case strings.Contains(body, "ne passe jamais devant la liste d'attente"):
		return "daychange.decide.waiting"
	}
	// another refusal: its message, for the burst's log
	if i := strings.Index(body, `role="alert"`); i >= 0 {
		body = body[i:]
	}
	return "?" + strings.Join(strings.Fields(body[:min(len(body), 300)]), " ")
}

// wlLanding is where an acknowledged event's form redirects.
func wlLanding(kind string) string {
	switch kind {
	case "withdraw":
		return "/back-office/cours/"
	case "day_change":
		return "/back-office/changements-de-jour?fait="
	}
	return "/mes-candidatures?"
}

// checkStaffEvents checks the staff's events after the burst: one
// withdrawal email and one audit line per withdrawal; each day change
// request decided at most once, with one audit line and one email per
// decision (a refused decision for want of a seat commits nothing).
func checkStaffEvents(t *testing.T, d *db.DB) {
	t.Helper()
	for _, r := range queryInts(t, d, `SELECT c.id, (SELECT COUNT(*) FROM messages m WHERE m.account_id = c.account_id AND m.kind = 'waitlist_given_up')
		FROM candidatures c WHERE c.status = 'given_up'
		AND (SELECT COUNT(*) FROM messages m WHERE m.account_id = c.account_id AND m.kind = 'waitlist_given_up') <> 1`) {
		t.Errorf("candidature %d given up or withdrawn with %d emails, want 1", r[0], r[1])
	}
	for _, r := range queryInts(t, d, `SELECT subject_account_id, COUNT(*) FROM audit_events WHERE action = $1
		GROUP BY subject_account_id HAVING COUNT(*) > 1`, domain.AuditWaitingWithdrawn) {
		t.Errorf("person %d withdrawn %d times", r[0], r[1])
	}
	for _, r := range queryInts(t, d, `SELECT x.account_id, x.decided, x.audited, x.mailed FROM (SELECT a.id AS account_id,
		(SELECT COUNT(*) FROM day_changes d WHERE d.account_id = a.id AND d.state IN ('accepted', 'refused')) AS decided,
		(SELECT COUNT(*) FROM audit_events e WHERE e.subject_account_id = a.id AND e.action IN ($1, $2)) AS audited,
		(SELECT COUNT(*) FROM messages m WHERE m.account_id = a.id AND m.kind IN ('daychange_accepted', 'daychange_refused')) AS mailed
		FROM accounts a WHERE EXISTS (SELECT 1 FROM day_changes d WHERE d.account_id = a.id)) x
		WHERE x.decided <> x.audited OR x.decided <> x.mailed`, domain.AuditDayChangeAccepted, domain.AuditDayChangeRefused) {
		t.Errorf("person %d: %d day change requests decided, %d decisions audited, %d emailed (SEL-8: one decision a request)",
			r[0], r[1], r[2], r[3])
	}
	for _, r := range queryInts(t, d, `SELECT candidature_id, COUNT(*) FROM day_changes WHERE state IN ('requested', 'forwarded')
		GROUP BY candidature_id HAVING COUNT(*) > 1`) {
		t.Errorf("candidature %d has %d open day change requests", r[0], r[1])
	}
}

func countVia(evs []wlEvent) string {
	n := map[string]int{}
	for _, e := range evs {
		n[e.via]++
		n[e.kind]++
	}
	other := map[string]int{} // refusals for another reason, by reason
	for _, e := range evs {
		if e.kind == "day_change_refused" && e.key != "daychange.decide.full" && e.key != "daychange.decide.waiting" {
			other[e.key+" by "+e.via]++
		}
	}
	return fmt.Sprintf("A %d, B %d, service %d; give_up %d, withdraw %d, accept %d, decline %d, expire %d, "+
		"day change asked %d, accepted %d, refused %d (full %d, waiting %d, other %v)",
		n["A"], n["B"]+n["B (restarted)"], n["service"], n["give_up"], n["withdraw"], n["accept"], n["decline"], n["expire"],
		n["dc_ask"], n["day_change"], n["day_change_refused"], countKey(evs, "daychange.decide.full"), countKey(evs, "daychange.decide.waiting"), other)
}

func countKey(evs []wlEvent, key string) int {
	n := 0
	for _, e := range evs {
		if e.key == key {
			n++
		}
	}
	return n
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
	w, courses, ppl := buildLists(t, d, 1, 2, 6, 0)
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
