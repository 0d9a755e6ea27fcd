package selection_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"cma/internal/accounts"
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
)

// t0 is inside the demo's 2nd-semester candidature period, which closes
// 21 days later; its answer period opens 28 days later.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type runEnv struct {
	st      *store.Store
	d       *db.DB
	sel     *selection.Service
	cands   *candidature.Service
	accts   *accounts.Service
	ix      *catalogue.Index
	central domain.Actor
	now     time.Time
	n       int
	session int64
}

func newRunEnv(t *testing.T, d *db.DB) *runEnv {
	t.Helper()
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: t0.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &runEnv{st: st, d: d, now: t0}
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
	cat := catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, client, "cours.exemple")
	e.cands = candidature.New(st, cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "https://cours.exemple/mes-candidatures"}, now, paris)
	e.accts = accounts.New(st, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.sel = selection.New(selection.Deps{Store: st, Catalogue: cat, Outbox: box, Words: words, Now: now, Paris: paris,
		PublicURL: "https://cours.exemple"})
	st.RenderMessagesWith(selection.MessageKindOutcomes, e.sel.RenderOutcomesMessage)
	if e.ix, err = cat.Index(ctx); err != nil {
		t.Fatal(err)
	}
	if e.session, err = st.SelectionSessionByCode(ctx, demo.SessionSemester2Code); err != nil {
		t.Fatal(err)
	}
	staff, _ := e.person(t)
	e.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	return e
}

func (e *runEnv) person(t *testing.T) (domain.Account, domain.Actor) {
	t.Helper()
	e.n++
	subject := "p" + string(rune('a'+e.n/26)) + string(rune('a'+e.n%26))
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom",
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

// apply gives a new person validated candidatures on the courses, each
// accepting a redirect (SEL-5).
func (e *runEnv) apply(t *testing.T, obj domain.Objective, courses ...*catalogue.Entry) domain.Account {
	t.Helper()
	return e.applyRedirect(t, obj, true, courses...)
}

// applyRedirect is apply with the answer to a redirect (SEL-5) given for
// every course.
func (e *runEnv) applyRedirect(t *testing.T, obj domain.Objective, redirect bool, courses ...*catalogue.Entry) domain.Account {
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
	f := candidature.Form{Token: b.Token, Objective: obj,
		AcceptRules: true, RulesVersion: b.Rules.Version, Social: domain.SocialSituation{JobSeeker: a.ID%3 == 0}}
	if redirect {
		for _, c := range courses {
			f.RedirectCourses = append(f.RedirectCourses, c.ID)
		}
	}
	if _, err := e.cands.Validate(ctx, actor, a.ID, f); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRun_SEL5_RedirectOnlyWhoAccepted: a full course, two candidates of it,
// and another course of the same formation and level with room. The one who
// ticked "accepts a redirect" is accepted in the other course, redirected;
// the one who did not waits for the course chosen.
func TestRun_SEL5_RedirectOnlyWhoAccepted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		var full, room *catalogue.Entry
		var courses []*catalogue.Entry
		for _, c := range e.ix.All() {
			if c.SessionID == e.session && c.Session.CandidatureOpen(t0) && !c.Remote && c.Formation.Evaluation == domain.EvaluationNone {
				courses = append(courses, c)
			}
		}
	find:
		for i, x := range courses {
			for _, y := range courses[i+1:] {
				if x.FormationID == y.FormationID && x.Level == y.Level && x.ID != y.ID {
					full, room = x, y
					break find
				}
			}
		}
		if full == nil {
			t.Skip("the demo's 2nd semester has no formation without evaluation with two courses of one level")
		}
		// Only this test's candidatures in the session.
		e.exec(t, `UPDATE candidatures SET status = 'cancelled' WHERE session_id = $1`, e.session)
		// The course's one place goes to first: every social criterion and
		// the most pressing objective (SEL-1); yes and no have neither.
		first := e.applyRedirect(t, domain.ObjectiveIntegration, false, full)
		yes := e.applyRedirect(t, domain.ObjectivePersonal, true, full)
		no := e.applyRedirect(t, domain.ObjectivePersonal, false, full)
		for _, a := range []domain.Account{first, yes, no} {
			e.exec(t, `UPDATE candidatures SET rsa = $1, job_seeker = $1, subsidised = $1 WHERE account_id = $2`, a.ID == first.ID, a.ID)
		}
		e.exec(t, `UPDATE courses SET capacity = 1 WHERE id = $1`, full.ID)
		e.exec(t, `UPDATE courses SET capacity = 10 WHERE id = $1`, room.ID)

		e.now = t0.Add(22 * 24 * time.Hour)
		run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		outcome := func(a domain.Account) (string, int64, bool) {
			var o string
			var course sql.NullInt64
			var redirected bool
			if err := d.R.QueryRow(`SELECT o.outcome, o.course_id, o.redirected FROM selection_outcomes o
				JOIN candidatures c ON c.id = o.candidature_id WHERE o.run_id = $1 AND c.account_id = $2`, run.ID, a.ID).
				Scan(&o, &course, &redirected); err != nil {
				t.Fatal(err)
			}
			return o, course.Int64, redirected
		}
		if o, course, _ := outcome(first); o != string(domain.OutcomeAccepted) || course != full.ID {
			t.Fatalf("the first: %s in course %d, want accepted in %d", o, course, full.ID)
		}
		if o, course, redirected := outcome(yes); o != string(domain.OutcomeAccepted) || course != room.ID || !redirected {
			t.Fatalf("who accepts a redirect: %s in course %d (redirected %v), want accepted in %d, redirected", o, course, redirected, room.ID)
		}
		if o, course, redirected := outcome(no); o != string(domain.OutcomeWaiting) || redirected {
			t.Fatalf("who does not accept a redirect: %s in course %d (redirected %v), want waiting", o, course, redirected)
		}
	})
}

// pick returns two courses of one S2 formation evaluated by mode, on slots
// that do not overlap, and a course of another formation (evaluation none)
// that overlaps neither.
func (e *runEnv) pick(t *testing.T, mode domain.EvaluationMode) (a, b, other *catalogue.Entry) {
	t.Helper()
	byForm := map[int64][]*catalogue.Entry{}
	var none []*catalogue.Entry
	for _, c := range e.ix.All() {
		if c.SessionID != e.session || !c.Session.CandidatureOpen(t0) || c.Remote {
			continue
		}
		switch c.Formation.Evaluation {
		case mode:
			byForm[c.FormationID] = append(byForm[c.FormationID], c)
		case domain.EvaluationNone:
			none = append(none, c)
		}
	}
	overlap := func(x, y *catalogue.Entry) bool {
		return x.Weekday == y.Weekday && x.StartMinute < y.EndMinute && y.StartMinute < x.EndMinute
	}
	ids := make([]int64, 0, len(byForm))
	for id := range byForm {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		cs := byForm[id]
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				if overlap(cs[i], cs[j]) {
					continue
				}
				for _, o := range none {
					if !overlap(o, cs[i]) && !overlap(o, cs[j]) {
						return cs[i], cs[j], o
					}
				}
			}
		}
	}
	t.Skipf("the demo's 2nd semester has no formation evaluated by %s with two courses", mode)
	return nil, nil, nil
}

func (e *runEnv) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.d.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func refusedWith(t *testing.T, err error, key string) {
	t.Helper()
	var r *selection.Refusal
	if !errors.As(err, &r) || r.Key != key {
		t.Fatalf("want refusal %s, got %v", key, err)
	}
}

// TestRun_SEL1_SEL5_CAN3_PER2_PER1 walks a session's selection: refused
// before the closing date and with missing results; a dry run with its seed,
// digest and summary; refused while another instance runs, allowed again
// once that instance is dead; verified by a re-run; published in the answer
// period only, once; and the database read back holds capacity, no clash and
// the evaluation order per course.
func TestRun_SEL1_SEL5_CAN3_PER2_PER1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		a, b, other := e.pick(t, domain.EvaluationInterview)
		var people []domain.Account
		objectives := domain.Objectives
		for i := range 9 {
			courses := []*catalogue.Entry{a}
			if i%2 == 1 {
				courses = []*catalogue.Entry{b}
			}
			if i%3 == 0 {
				courses = append(courses, other)
			}
			people = append(people, e.apply(t, objectives[i%len(objectives)], courses...))
		}
		// Small courses, so that some wait and some are redirected (SEL-5).
		e.exec(t, `UPDATE courses SET capacity = 2 WHERE id IN ($1, $2, $3)`, a.ID, b.ID, other.ID)

		_, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		refusedWith(t, err, "selection.run.not_closed")

		e.now = t0.Add(22 * 24 * time.Hour) // closed, before the answer period
		_, err = e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		refusedWith(t, err, "selection.run.missing_results")
		var r *selection.Refusal
		errors.As(err, &r)
		if r.Args["Formation"] != a.Formation.Title || r.Args["Count"] != 9 {
			t.Fatalf("the refusal names %v, want %q and 9 missing", r.Args, a.Formation.Title)
		}

		// Results: distinct scores, one absent, one failed.
		var ids []int64
		rows, err := d.R.Query(`SELECT id FROM candidatures WHERE formation_id = $1 AND status = 'submitted' ORDER BY account_id`, a.FormationID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for i, id := range ids {
			kind, score := "score", any((i*7)%21)
			switch i {
			case 0:
				kind, score = "absent", nil
			case 1:
				kind, score = "fail", nil
			}
			e.exec(t, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at)
				VALUES ($1, $2, $3, 0, $4, $5)`, id, kind, score, e.central.AccountID, e.now.UTC().Format("2006-01-02T15:04:05.000000Z"))
		}

		// Another instance runs the session: refused. Dead (its heartbeat
		// old): taken over.
		if _, err := e.st.StartRun(ctx, e.session, domain.PassMain, 1, e.central.AccountID, e.now, e.now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		_, err = e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		refusedWith(t, err, "selection.run.in_progress")
		e.now = e.now.Add(selection.StaleAfter + time.Second)
		run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatalf("a run whose instance died blocks the next: %v", err)
		}
		if run.Status != domain.RunDry || run.Digest == "" || run.Seed == 0 {
			t.Fatalf("run %+v", run)
		}
		sum, err := selection.Decode(run.Summary)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Candidatures != 12 || sum.Outcomes[domain.OutcomeWithdrawn] != 1 || sum.Outcomes[domain.OutcomeNotRetained] != 1 ||
			sum.Course(a.ID) == nil || sum.Course(a.ID).Capacity != 2 {
			t.Fatalf("summary %+v", sum)
		}
		v, err := e.sel.VerifyRun(ctx, run.ID)
		if err != nil || !v.Same() || v.Outcomes != 12 {
			t.Fatalf("verify: %+v, %v", v, err)
		}
		second, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}

		_, err = e.sel.Publish(ctx, e.central, run.ID)
		refusedWith(t, err, "selection.publish.before_answer")
		e.now = t0.Add(29 * 24 * time.Hour)
		// A candidature cancelled meanwhile (made by hand: the candidate can
		// no longer cancel after the closing date) makes both dry runs stale:
		// refused, and a new dry run is published (PER-1).
		e.exec(t, `UPDATE candidatures SET status = 'cancelled' WHERE account_id = $1`, people[8].ID)
		_, err = e.sel.Publish(ctx, e.central, run.ID)
		refusedWith(t, err, "selection.publish.stale")
		if run, err = e.sel.StartRun(ctx, e.central, e.session, domain.PassMain); err != nil {
			t.Fatal(err)
		}
		res, err := e.sel.Publish(ctx, e.central, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Already || res.Changed != 11 || res.Told != 8 || res.Run.Status != domain.RunPublished {
			t.Fatalf("publish: %+v", res)
		}
		again, err := e.sel.Publish(ctx, e.central, run.ID)
		if err != nil || !again.Already {
			t.Fatalf("publishing twice: %+v, %v", again, err)
		}
		_, err = e.sel.Publish(ctx, e.central, second.ID)
		refusedWith(t, err, "selection.publish.another_published")
		_, err = e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		refusedWith(t, err, "selection.run.already_published")
		var emails int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM messages WHERE kind = 'selection_outcomes'`).Scan(&emails); err != nil || emails != 8 {
			t.Fatalf("%d outcome emails (%v), want one per candidate: 8", emails, err)
		}
		var audits int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action IN ('selection.run', 'selection.published')`).Scan(&audits); err != nil || audits != 4 {
			t.Fatalf("%d audit events (%v), want 3 runs and 1 publication", audits, err)
		}
		checkPublished(t, e, run.ID)
	})
}

// checkPublished reads the database back after a publication and checks the
// engine's invariants on what was stored: capacity, no two accepted courses
// of a person on overlapping slots (CAN-3), and per course no accepted
// candidature with a lower evaluation than one left waiting (SEL-1).
func checkPublished(t *testing.T, e *runEnv, runID int64) {
	t.Helper()
	type acc struct {
		account, course int64
		eval            int
	}
	rows, err := e.d.R.Query(`SELECT c.account_id, c.accepted_course_id, o.evaluation FROM candidatures c
		JOIN selection_outcomes o ON o.candidature_id = c.id AND o.run_id = $1
		WHERE c.decided_run_id = $1 AND c.status = 'accepted'`, runID)
	if err != nil {
		t.Fatal(err)
	}
	var accepted []acc
	for rows.Next() {
		var a acc
		if err := rows.Scan(&a.account, &a.course, &a.eval); err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, a)
	}
	rows.Close()
	if len(accepted) == 0 {
		t.Fatal("nobody accepted")
	}
	perCourse := map[int64]int{}
	minEval := map[int64]int{}
	byAccount := map[int64][]int64{}
	for _, a := range accepted {
		perCourse[a.course]++
		if m, ok := minEval[a.course]; !ok || a.eval < m {
			minEval[a.course] = a.eval
		}
		byAccount[a.account] = append(byAccount[a.account], a.course)
	}
	for id, n := range perCourse {
		var capacity int
		if err := e.d.R.QueryRow(`SELECT capacity FROM courses WHERE id = $1`, id).Scan(&capacity); err != nil {
			t.Fatal(err)
		}
		if n > capacity {
			t.Errorf("course %d: %d accepted over a capacity of %d", id, n, capacity)
		}
	}
	for account, courses := range byAccount {
		for i := range courses {
			for j := i + 1; j < len(courses); j++ {
				x, _ := e.ix.Course(courses[i])
				y, _ := e.ix.Course(courses[j])
				if x.Weekday == y.Weekday && x.StartMinute < y.EndMinute && y.StartMinute < x.EndMinute {
					t.Errorf("CAN-3: person %d accepted in %s and %s on overlapping slots", account, x.Code, y.Code)
				}
			}
		}
	}
	wrows, err := e.d.R.Query(`SELECT w.course_id, o.evaluation FROM waiting_list w
		JOIN selection_outcomes o ON o.candidature_id = w.candidature_id AND o.run_id = w.run_id WHERE w.run_id = $1`, runID)
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for wrows.Next() {
		var course int64
		var eval int
		if err := wrows.Scan(&course, &eval); err != nil {
			t.Fatal(err)
		}
		waiting++
		if m, ok := minEval[course]; ok && eval > m {
			t.Errorf("SEL-1: course %d accepted an evaluation of %d while one of %d waits", course, m, eval)
		}
	}
	wrows.Close()
	if waiting == 0 {
		t.Error("nobody waits: the test's courses are not full")
	}
}
