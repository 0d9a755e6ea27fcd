package waitlist_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// t0 is inside the demo's 2nd-semester candidature period, which closes 21
// days later; its answer period opens 28 days later.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// env is a demo city whose 2nd semester gets candidatures, a published
// selection, and then its waiting lists moved.
type env struct {
	st      *store.Store
	d       *db.DB
	cat     *catalogue.Service
	cands   *candidature.Service
	accts   *accounts.Service
	sel     *selection.Service
	wl      *waitlist.Service
	central domain.Actor
	session int64
	now     time.Time
	n       int
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	paris := domain.Paris()
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: t0.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, d: d, now: t0}
	now := func() time.Time { return e.now }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: t0.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	e.cat = catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, client, "cours.exemple")
	e.cands = candidature.New(st, e.cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "https://cours.exemple/mes-candidatures"}, now, paris)
	e.accts = accounts.New(st, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.sel = selection.New(selection.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: now, Paris: paris,
		PublicURL: "https://cours.exemple"})
	e.wl = waitlist.New(waitlist.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: now,
		PublicURL: "https://cours.exemple"})
	if e.session, err = st.SelectionSessionByCode(ctx, demo.SessionSemester2Code); err != nil {
		t.Fatal(err)
	}
	staff, _ := e.person(t)
	e.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	return e
}

func (e *env) index(t *testing.T) *catalogue.Index {
	t.Helper()
	ix, err := e.cat.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// changeCatalogue runs SQL on the catalogue and makes the index read it again.
func (e *env) changeCatalogue(t *testing.T, q string, args ...any) {
	t.Helper()
	e.exec(t, q, args...)
	e.exec(t, `UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`)
	e.cat.Invalidate()
}

func (e *env) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.d.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// dump logs the rows of a query, to explain a failure.
func (e *env) dump(t *testing.T, q string, args ...any) {
	t.Helper()
	rows, err := e.d.R.Query(q, args...)
	if err != nil {
		t.Logf("%s: %v", q, err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	t.Logf("%v", cols)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Logf("scan: %v", err)
			return
		}
		t.Logf("%v", vals)
	}
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) person(t *testing.T) (domain.Account, domain.Actor) {
	t.Helper()
	e.n++
	subject := "w" + string(rune('a'+e.n/26)) + string(rune('a'+e.n%26))
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom",
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

// candidate is a person with validated candidatures.
type candidate struct {
	account domain.Account
	actor   domain.Actor
	ids     map[int64]int64 // candidature by course
}

// apply files a new person's candidatures on the courses, redirect being
// their answer for each (SEL-5).
func (e *env) apply(t *testing.T, redirect bool, courses ...*catalogue.Entry) candidate {
	t.Helper()
	ctx := context.Background()
	a, actor := e.person(t)
	for _, c := range courses {
		if err := e.cands.Add(ctx, actor, a.ID, c.ID); err != nil {
			t.Fatalf("adding %s: %v", c.Code, err)
		}
	}
	b, err := e.cands.ShowBasket(ctx, actor, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal, AcceptRules: true, RulesVersion: b.Rules.Version}
	if redirect {
		for _, c := range courses {
			f.RedirectCourses = append(f.RedirectCourses, c.ID)
		}
	}
	if _, err := e.cands.Validate(ctx, actor, a.ID, f); err != nil {
		t.Fatal(err)
	}
	list, err := e.st.Candidatures(ctx, nil, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := candidate{account: a, actor: actor, ids: map[int64]int64{}}
	for _, x := range list {
		c.ids[x.CourseID] = x.ID
	}
	return c
}

// publish runs the main pass after the closing and publishes it in the
// answer period; the clock stays there.
func (e *env) publish(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	e.now = t0.Add(22 * 24 * time.Hour)
	run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
	if err != nil {
		t.Fatal(err)
	}
	e.now = t0.Add(29 * 24 * time.Hour)
	if _, err := e.sel.Publish(ctx, e.central, run.ID); err != nil {
		t.Fatal(err)
	}
}

// pair finds, in the 2nd semester, two courses of one formation without a
// test, at the same level, whose slots do not overlap, and a course of
// another formation without a test that overlaps neither.
func (e *env) pair(t *testing.T) (c, r, x *catalogue.Entry) {
	t.Helper()
	ix := e.index(t)
	var open []*catalogue.Entry
	for _, k := range ix.All() {
		if k.SessionID == e.session && k.Session.CandidatureOpen(t0) && !k.Remote && k.Formation.Evaluation == domain.EvaluationNone {
			open = append(open, k)
		}
	}
	overlap := func(a, b *catalogue.Entry) bool {
		return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute
	}
	for i, a := range open {
		for _, b := range open[i+1:] {
			if a.FormationID != b.FormationID || a.Level != b.Level || overlap(a, b) {
				continue
			}
			for _, o := range open {
				if o.FormationID != a.FormationID && !overlap(o, a) && !overlap(o, b) {
					return a, b, o
				}
			}
		}
	}
	t.Skip("the demo's 2nd semester has no formation without a test with two courses at one level")
	return nil, nil, nil
}

func (e *env) status(t *testing.T, candidatureID int64) domain.CandidatureStatus {
	t.Helper()
	var s domain.CandidatureStatus
	if err := e.d.R.QueryRow(`SELECT status FROM candidatures WHERE id = $1`, candidatureID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// messages counts the person's kept emails of a kind.
func (e *env) messages(t *testing.T, accountID int64, kind string) int {
	t.Helper()
	return e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = $2`, accountID, kind)
}

// pendingOffer is the candidature's pending offer; it fails the test when
// there is none.
func (e *env) pendingOffer(t *testing.T, c candidate) domain.Offer {
	t.Helper()
	sp, err := e.wl.Space(context.Background(), c.actor, c.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	for id := range sp.Offers {
		if o, ok := sp.Pending(id); ok {
			return o
		}
	}
	t.Fatalf("%s has no pending offer", c.account.FirstName)
	return domain.Offer{}
}

// seatsHeld checks the invariant: accepted + pending offers ≤ capacity.
func (e *env) seatsHeld(t *testing.T, courseID int64) int {
	t.Helper()
	capacity := e.count(t, `SELECT capacity FROM courses WHERE id = $1`, courseID)
	held := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE accepted_course_id = $1 AND status = 'accepted'`, courseID) +
		e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE course_id = $1 AND state = 'pending'`, courseID)
	if held > capacity {
		t.Fatalf("course %d holds %d seats for a capacity of %d", courseID, held, capacity)
	}
	return held
}

func refusedWith(t *testing.T, err error, key string) {
	t.Helper()
	var r *waitlist.Refusal
	if !errors.As(err, &r) || r.Key != key {
		t.Fatalf("want refusal %s, got %v", key, err)
	}
}
