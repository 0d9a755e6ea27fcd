package selection_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
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

// today is inside the demo's open candidature periods.
var today = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type env struct {
	st      *store.Store
	d       *db.DB
	cat     *catalogue.Service
	sel     *selection.Service
	cands   *candidature.Service
	accts   *accounts.Service
	ix      *catalogue.Index
	clock   atomic.Int64
	central domain.Actor
	session domain.Session
	n       int
}

func (e *env) now() time.Time { return time.Unix(0, e.clock.Load()).UTC() }

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: today.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, d: d}
	e.clock.Store(today.UnixNano())
	client, err := jobs.New(d, st, nil, jobs.Config{Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: today.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	e.cat = catalogue.NewService(st, words, "C", 0, e.now)
	box := outbox.New(st, client, "cours.exemple")
	e.sel = selection.New(selection.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: e.now, Paris: paris,
		PublicURL: "https://cours.exemple/"})
	e.cands = candidature.New(st, e.cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "https://cours.exemple/mes-candidatures"}, e.now, paris)
	e.accts = accounts.New(st, e.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if e.ix, err = e.cat.Index(ctx); err != nil {
		t.Fatal(err)
	}
	staff, _ := e.person(t)
	e.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	// The session whose candidatures are open today and close before it starts.
	for _, se := range e.ix.Sessions {
		if se.CandidatureCloses.Open(today) && !se.CandidatureOpens.After(today) && se.FirstDay.After(se.CandidatureCloses.Day()) {
			e.session = se
		}
	}
	if e.session.ID == 0 {
		t.Fatal("no demo session open for candidatures")
	}
	return e
}

func (e *env) person(t *testing.T) (domain.Account, domain.Actor) {
	t.Helper()
	e.n++
	subject := "p" + string(rune('a'+e.n))
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom" + subject,
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

// apply gives a new person a validated candidature on the course.
func (e *env) apply(t *testing.T, c *catalogue.Entry) (domain.Account, domain.Actor) {
	t.Helper()
	ctx := context.Background()
	a, actor := e.person(t)
	if err := e.cands.Add(ctx, actor, a.ID, c.ID); err != nil {
		t.Fatalf("adding %s: %v", c.Code, err)
	}
	b, err := e.cands.ShowBasket(ctx, actor, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cands.Validate(ctx, actor, a.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
		AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
		t.Fatal(err)
	}
	return a, actor
}

// courses returns open courses of the session of a formation in that mode:
// two of the same formation, in two establishments when there are.
func (e *env) courses(t *testing.T, mode domain.EvaluationMode) []*catalogue.Entry {
	t.Helper()
	byFormation := map[int64][]*catalogue.Entry{}
	for _, c := range e.ix.All() {
		if c.SessionID == e.session.ID && c.Formation.Evaluation == mode && c.PlacesLeft() > 2 && !c.Archived {
			byFormation[c.FormationID] = append(byFormation[c.FormationID], c)
		}
	}
	var best []*catalogue.Entry
	for _, cs := range byFormation {
		if len(cs) >= 2 && (best == nil || cs[0].FormationID < best[0].FormationID) {
			best = cs
		}
	}
	if best == nil {
		t.Skipf("no formation with two courses in mode %s", mode)
	}
	return best[:2]
}

func (e *env) closeCandidatures() {
	e.clock.Store(e.session.CandidatureCloses.End().Add(time.Hour).UnixNano())
}

func fieldKey(err error, field string) string {
	var fe domain.FieldErrors
	if errors.As(err, &fe) {
		for _, f := range fe {
			if f.Field == field {
				return f.Key
			}
		}
	}
	return ""
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func sittingIn(e *env, c *catalogue.Entry, day time.Time, seats string) selection.SittingInput {
	return selection.SittingInput{Date: day.Format(time.DateOnly), Time: "18:30", Minutes: "60", Seats: seats,
		EstablishmentID: c.EstablishmentID, Room: "Salle 2"}
}

// TestSittingsConvocationsResults_SEL2_SEL3_ROLE3_ROLE4_CON2 walks the life
// of an anticipated test: sittings refused before the closing, scheduled
// after it by the coordinator, refused to another formation's coordinator;
// convocations refused while seats are short, then sent once per candidate
// with their emails, again sending nothing twice; the sitting's date then
// fixed; results entered with a score out of range refused, an absent
// candidate withdrawn and told, and a change after a published run flagged.
func TestSittingsConvocationsResults_SEL2_SEL3_ROLE3_ROLE4_CON2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		cs := e.courses(t, domain.EvaluationAnticipatedTest)
		c1, c2 := cs[0], cs[1]
		a1, cand1 := e.apply(t, c1)
		_, _ = e.apply(t, c1)
		a3, _ := e.apply(t, c2)
		coord := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: c1.FormationID}}}
		other := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: c1.FormationID + 100000}}}
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c1.EstablishmentID}}}
		day := e.session.CandidatureCloses.Day().AddDate(0, 0, 3)

		// Before the closing: refused with the closing date.
		_, err := e.sel.ScheduleSitting(ctx, coord, e.session.ID, c1.FormationID, sittingIn(e, c1, day, "1"))
		if fieldKey(err, "date") != "sitting.error.still_open" {
			t.Fatalf("before the closing: %v", err)
		}
		e.closeCandidatures()
		if _, err := e.sel.ScheduleSitting(ctx, other, e.session.ID, c1.FormationID, sittingIn(e, c1, day, "1")); !errors.Is(err, selection.ErrForbidden) {
			t.Fatalf("another formation's coordinator (ROLE-4): %v", err)
		}
		bad := sittingIn(e, c1, e.session.CandidatureCloses.Day(), "0")
		_, err = e.sel.ScheduleSitting(ctx, coord, e.session.ID, c1.FormationID, bad)
		if fieldKey(err, "places") != "sitting.error.seats" || fieldKey(err, "date") != "sitting.error.before_closing" {
			t.Fatalf("bad input: %v", err)
		}
		_, err = e.sel.ScheduleSitting(ctx, coord, e.session.ID, c1.FormationID, sittingIn(e, c1, e.session.FirstDay.AddDate(0, 0, 1), "1"))
		if fieldKey(err, "date") != "sitting.error.after_first_day" {
			t.Fatalf("after the first day: %v", err)
		}
		st, err := e.sel.ScheduleSitting(ctx, coord, e.session.ID, c1.FormationID, sittingIn(e, c1, day, "1"))
		if err != nil {
			t.Fatal(err)
		}

		// Seats short: nothing sent, the message says how many are missing.
		_, err = e.sel.SendConvocations(ctx, coord, e.session.ID, c1.FormationID)
		if fieldKey(err, "convocations") != "convocation.error.seats_short" {
			t.Fatalf("seats short: %v", err)
		}
		var fe domain.FieldErrors
		errors.As(err, &fe)
		if fe[0].Args["Missing"] != 2 {
			t.Fatalf("missing seats: %v", fe[0].Args)
		}
		// The director changes the sitting in her establishment (ROLE-3).
		if st, err = e.sel.ChangeSitting(ctx, director, st.ID, sittingIn(e, c1, day, "5")); err != nil {
			t.Fatal(err)
		}
		messagesBefore := e.count(t, `SELECT COUNT(*) FROM messages`)
		res, err := e.sel.SendConvocations(ctx, coord, e.session.ID, c1.FormationID)
		if err != nil || res.Convoked != 3 {
			t.Fatalf("send: %+v %v", res, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages`) - messagesBefore; n != 3 {
			t.Fatalf("%d emails, want 3 (CON-2)", n)
		}
		res, err = e.sel.SendConvocations(ctx, coord, e.session.ID, c1.FormationID)
		if err != nil || res.Convoked != 0 || res.Already != 3 {
			t.Fatalf("send again: %+v %v", res, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM convocations`); n != 3 {
			t.Fatalf("%d convocations", n)
		}
		if _, err := e.sel.ChangeSitting(ctx, coord, st.ID, sittingIn(e, c1, day.AddDate(0, 0, 1), "5")); fieldKey(err, "date") != "sitting.error.convoked" {
			t.Fatalf("date fixed once convoked: %v", err)
		}
		if err := e.sel.DeleteSitting(ctx, coord, st.ID); fieldKey(err, "date") != "sitting.error.convoked" {
			t.Fatalf("delete once convoked: %v", err)
		}

		// The candidate's convocation and its PDF (ROLE-1 own only).
		conv, err := e.sel.MyConvocation(ctx, cand1, candidatureOf(t, e, a1.ID))
		if err != nil || conv.Place == "" || conv.When == "" {
			t.Fatalf("my convocation: %+v %v", conv, err)
		}
		pdf, err := e.sel.ConvocationPDF(ctx, cand1, conv.CandidatureID)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("PDF: %v", err)
		}
		_, stranger := e.person(t)
		if _, err := e.sel.MyConvocation(ctx, stranger, conv.CandidatureID); !errors.Is(err, selection.ErrNotFound) {
			t.Fatalf("someone else's convocation: %v", err)
		}

		// Results: out of range refused, nothing recorded; then entered.
		sh, err := e.sel.Sheet(ctx, coord, selection.ResultTarget{SittingID: st.ID})
		if err != nil || len(sh.Convokees) != 3 {
			t.Fatalf("sheet: %d %v", len(sh.Convokees), err)
		}
		id1, id3 := candidatureOf(t, e, a1.ID), candidatureOf(t, e, a3.ID)
		_, err = e.sel.EnterResults(ctx, coord, sh.Target, []selection.ResultEntry{{CandidatureID: id1, Result: "score", Score: "21"}})
		if fieldKey(err, selection.ScoreField(id1)) != "selection.result.score_range" {
			t.Fatalf("score out of range: %v", err)
		}
		_, err = e.sel.EnterResults(ctx, coord, sh.Target, []selection.ResultEntry{{CandidatureID: 999999, Result: "pass"}})
		if fieldKey(err, selection.ResultField(999999)) != "selection.result.not_convoked" {
			t.Fatalf("not convoked: %v", err)
		}
		messagesBefore = e.count(t, `SELECT COUNT(*) FROM messages`)
		sum, err := e.sel.EnterResults(ctx, coord, sh.Target, []selection.ResultEntry{
			{CandidatureID: id1, Result: "score", Score: "14", Level: "2"}, {CandidatureID: id3, Result: "absent"}})
		if err != nil || sum.Entered != 2 || sum.Withdrawn != 1 {
			t.Fatalf("enter: %+v %v", sum, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE id = $1 AND status = 'withdrawn'`, id3); n != 1 {
			t.Fatal("the absent candidate is not withdrawn (SEL-2)")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages`) - messagesBefore; n != 1 {
			t.Fatalf("%d emails to the absent candidate", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditResultEntered); n != 2 {
			t.Fatalf("%d result audits", n)
		}
		// After a published run, a change is flagged for a decision.
		if _, err := d.W.ExecContext(ctx, `INSERT INTO selection_runs (session_id, pass, status, seed, started_by, started_at, heartbeat_at)
			VALUES ($1, 'main', 'published', '1', $2, $3, $3)`, e.session.ID, e.central.AccountID, e.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.EnterResults(ctx, coord, sh.Target, []selection.ResultEntry{{CandidatureID: id1, Result: "pass"}}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM test_results WHERE candidature_id = $1 AND needs_decision = TRUE`, id1); n != 1 {
			t.Fatal("a change after a published run is not flagged")
		}
		if _, err := e.sel.EnterResults(ctx, coord, sh.Target, []selection.ResultEntry{{CandidatureID: id3, Result: "pass"}}); fieldKey(err, selection.ResultField(id3)) != "selection.result.absent_final" {
			t.Fatalf("absent changed: %v", err)
		}

		// The import: a dry run lists the change and every problem by line;
		// with a problem nothing is imported; a clean file is.
		n1 := strconv.FormatInt(id1, 10)
		file := "candidature;courriel;résultat;note;niveau\n" + n1 + ";;note;15;3\n;inconnu@exemple.fr;;12;\n;" + a3.Email + ";note;25;\n"
		rep, err := e.sel.ImportResults(ctx, coord, e.session.ID, c1.FormationID, "r.csv", []byte(file), true)
		if err != nil || rep.Applied || len(rep.Lines) != 1 || len(rep.Problems) != 2 || rep.Problems[0].Line != 3 {
			t.Fatalf("import with problems: %+v %v", rep, err)
		}
		file = "candidature;résultat;note;niveau\n" + n1 + ";note;15;3\n"
		if rep, err = e.sel.ImportResults(ctx, coord, e.session.ID, c1.FormationID, "r.csv", []byte(file), true); err != nil || !rep.Applied || rep.Summary.Changed != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM test_results WHERE candidature_id = $1 AND score = 15 AND placed_level = 3`, id1); n != 1 {
			t.Fatal("the import did not record the result")
		}
	})
}

// TestFirstDayConvocation_SEL2 convokes a first-day test's candidates to
// their course's first class, without a sitting.
func TestFirstDayConvocation_SEL2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		cs := e.courses(t, domain.EvaluationFirstDayTest)
		e.apply(t, cs[0])
		e.closeCandidatures()
		res, err := e.sel.SendConvocations(ctx, e.central, e.session.ID, cs[0].FormationID)
		if err != nil || res.Convoked != 1 {
			t.Fatalf("send: %+v %v", res, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM convocations WHERE sitting_id IS NULL AND course_id = $1`, cs[0].ID); n != 1 {
			t.Fatal("no first-class convocation")
		}
		sh, err := e.sel.Sheet(ctx, e.central, selection.ResultTarget{CourseID: cs[0].ID})
		if err != nil || len(sh.Convokees) != 1 {
			t.Fatalf("sheet: %+v %v", sh, err)
		}
	})
}

func candidatureOf(t *testing.T, e *env, accountID int64) int64 {
	t.Helper()
	cs, err := e.st.Candidatures(context.Background(), nil, accountID)
	if err != nil || len(cs) == 0 {
		t.Fatalf("candidatures of %d: %v", accountID, err)
	}
	return cs[0].ID
}
