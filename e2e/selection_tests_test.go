package e2e

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

// TestTestsJourney_SEL2_SEL3_ROLE3 is the director of Voltaire after the 2nd
// semester's candidatures closed: she schedules a sitting of an anticipated
// test in her establishment from the session's tests page, sends the
// convocations, and enters the results on the sitting's form, one candidate
// absent (withdrawn). The two candidatures are made in Go on the server's
// database before the closing, since the demo has none yet.
func TestTestsJourney_SEL2_SEL3_ROLE3(t *testing.T) {
	tools := needBrowser(t)
	var clock atomic.Int64
	clock.Store(fixedNow().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	base, dbURL := startServerDB(t, now)
	ctx := context.Background()

	f := newFiler(t, dbURL, now)
	ix, err := f.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var course *catalogue.Entry
	for _, e := range ix.All() {
		if strings.Contains(e.Establishment.Name, "Voltaire") && e.Formation.Evaluation == domain.EvaluationAnticipatedTest &&
			e.Session.CandidatureOpen(now()) && e.PlacesLeft() > 2 {
			course = e
			break
		}
	}
	if course == nil {
		t.Skip("no anticipated test open in Voltaire in the demo")
	}
	for _, who := range []string{"Aubry", "Berger"} {
		f.apply(t, accounts.Identity{Issuer: "https://e2e.exemple", Subject: who, Email: strings.ToLower(who) + "@exemple.fr",
			EmailVerified: true, FirstName: "Alex", LastName: who, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}, course.ID)
	}
	// The candidatures close.
	clock.Store(course.Session.CandidatureCloses.End().Add(2 * time.Hour).UnixNano())

	b := newBrowser(t, tools)
	if p := signIn(b, base, directorPersona); p != "/back-office" {
		t.Fatalf("director signed in at %s", p)
	}
	b.activate("main a", "Tests et entretiens : "+course.Session.Name)
	section := "#formation-" + idText(course.FormationID)
	if !eval[bool](b, `!!document.querySelector(`+jsString(section)+`)`) {
		t.Fatalf("the tests page has no section for %s", course.Formation.Title)
	}
	// Schedule a sitting: open the form, fill it, submit with Enter.
	day := course.Session.CandidatureCloses.Day().AddDate(0, 0, 3).Format(time.DateOnly)
	prefix := "f" + idText(course.FormationID) + "-"
	b.do("fill the sitting", 5*time.Second, jsDo(`(() => { const s = document.querySelector(`+jsString(section)+`);
		s.querySelector('details').open = true;
		document.getElementById(`+jsString(prefix+"date")+`).value = `+jsString(day)+`;
		document.getElementById(`+jsString(prefix+"heure")+`).value = '18:30';
		document.getElementById(`+jsString(prefix+"places")+`).value = '10';
		const sel = document.getElementById(`+jsString(prefix+"etablissement")+`); sel.selectedIndex = 1; })()`))
	b.activate(section+" form button[type=submit]", "Programmer la séance")
	if msg := eval[string](b, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); msg != "La séance est programmée." {
		t.Fatalf("after scheduling: %q at %s", msg, b.location())
	}
	b.checkA11y("the tests page", 20*time.Second)
	b.activate(section+" form button[type=submit]", "Envoyer les convocations")
	if msg := eval[string](b, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); msg != "2 convocations envoyées." {
		t.Fatalf("after sending: %q", msg)
	}
	b.activate(section+" a", "Saisir les résultats")
	names := eval[[]string](b, `[...document.querySelectorAll('main .result-name')].map(h => h.textContent.trim())`)
	if len(names) != 2 || !strings.HasPrefix(names[0], "AUBRY") || !strings.HasPrefix(names[1], "BERGER") {
		t.Fatalf("results rows %q, want AUBRY then BERGER (by name)", names)
	}
	b.do("enter the results", 5*time.Second, jsDo(`(() => { const rows = document.querySelectorAll('main .result-rows li');
		rows[0].querySelector('select').value = 'score'; rows[0].querySelector('input[name^="note-"]').value = '14';
		rows[1].querySelector('select').value = 'absent'; })()`))
	b.activate("main form button[type=submit]", "Enregistrer les résultats")
	if msg := eval[string](b, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); msg != "Les résultats sont enregistrés." {
		t.Fatalf("after the results: %q", msg)
	}
	if w := eval[string](b, `(document.querySelectorAll('main .result-rows li')[1].querySelector('.notice') || {textContent: ''}).textContent.trim()`); w != "Candidature retirée (désistement)." {
		t.Errorf("the absent candidate: %q", w)
	}
	b.checkA11y("the results page", 20*time.Second)
}

// filer files candidatures in Go on the server's database, through the
// candidature services, for journeys that need more candidatures than a
// browser would file in reasonable time (the demo they start has none).
type filer struct {
	st    *store.Store
	cat   *catalogue.Service
	cands *candidature.Service
	accts *accounts.Service
	box   *outbox.Outbox // queues on the server's database; its workers send
	words *i18n.Catalog
}

// newFiler opens the server's database and publishes rules when it has none.
func newFiler(t *testing.T, dbURL string, now func() time.Time) *filer {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	st := store.New(d)
	words, _ := i18n.Load()
	paris, _ := time.LoadLocation("Europe/Paris")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	queue, err := jobs.New(d, st, nil, jobs.Config{Log: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, queue, "cma.test")
	cands := candidature.New(st, cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "http://cma.test/mes-candidatures"}, now, paris)
	if rules, err := st.CurrentRules(ctx); err != nil || rules.Version == "" {
		if err := st.InTx(ctx, func(tx *sql.Tx) error {
			return st.PublishRules(ctx, tx, domain.Rules{Version: "e2e-1", Published: now().Add(-time.Hour), Body: "Règlement."})
		}); err != nil {
			t.Fatal(err)
		}
	}
	return &filer{st: st, cat: cat, cands: cands, accts: accounts.New(st, now, log), box: box, words: words}
}

// publish runs the session's main pass as the central service and publishes
// it (the clock in the answer period), as the back office would; it returns
// the central service's actor.
func (f *filer) publish(t *testing.T, sessionID int64, base string, now func() time.Time) domain.Actor {
	t.Helper()
	ctx := context.Background()
	staff, err := f.st.AccountByEmail(ctx, nil, "service.central.cma@paris.exemple")
	if err != nil {
		t.Fatal(err)
	}
	central := accounts.ActorOf(staff)
	sel := selection.New(selection.Deps{Store: f.st, Catalogue: f.cat, Outbox: f.box, Words: f.words, Now: now,
		Paris: domain.Paris(), PublicURL: base})
	run, err := sel.StartRun(ctx, central, sessionID, domain.PassMain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Publish(ctx, central, run.ID); err != nil {
		t.Fatal(err)
	}
	return central
}

// apply signs the person in (an account at the identity's issuer) and
// validates a basket of one course, without accepting redirects (SEL-5).
func (f *filer) apply(t *testing.T, id accounts.Identity, courseID int64) {
	t.Helper()
	f.applyAs(t, id, courseID, domain.SocialSituation{}, domain.ObjectivePersonal)
}

// applyAs is apply with the person's social situation and objective, which
// order the candidates of a course without a test (SEL-1).
func (f *filer) applyAs(t *testing.T, id accounts.Identity, courseID int64, social domain.SocialSituation, objective domain.Objective) {
	t.Helper()
	ctx := context.Background()
	acc, err := f.accts.SignIn(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	actor := accounts.ActorOf(acc)
	if err := f.cands.Add(ctx, actor, acc.ID, courseID); err != nil {
		t.Fatal(err)
	}
	b, err := f.cands.ShowBasket(ctx, actor, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cands.Validate(ctx, actor, acc.ID, candidature.Form{Token: b.Token, Objective: objective, Social: social,
		AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
		t.Fatal(err)
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

func jsDo(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}
