package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

// TestTestsOverHTTP_SEL2_SEL3_CON2: after the closing, the central service
// schedules a sitting on the session's tests page (a bad one refused with its
// message next to the field), sends the convocations, enters the results on
// the sitting's form with one absent (withdrawn); the candidate sees her
// convocation line in her space, its page and its PDF.
func TestTestsOverHTTP_SEL2_SEL3_CON2(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	st := store.New(d)
	paris, _ := time.LoadLocation("Europe/Paris")
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: inputToday.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: inputToday.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(inputToday.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	queue, err := jobs.New(d, st, nil, jobs.Config{Log: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, _ := i18n.Load()
	cat := catalogue.NewService(st, words, "C", 0, now)
	ix, _ := cat.Index(ctx)
	accts := accounts.New(st, now, log)
	box := outbox.New(st, queue, "cma.test")
	cands := candidature.New(st, cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "http://cma.test/mes-candidatures"}, now, paris)
	sel := selection.New(selection.Deps{Store: st, Catalogue: cat, Outbox: box, Words: words, Now: now, Paris: paris, PublicURL: "http://cma.test"})
	srv, err := New(Deps{Catalogue: cat, Accounts: accts, Candidatures: cands, Selection: sel, Mail: outbox.NewDesk(st, box, now),
		Sessions: st.Sessions(), Words: words, DB: d, Log: log, Paris: paris, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = srv.HTTPServer()
	ts.Start()
	t.Cleanup(ts.Close)
	site := &inputSite{Server: ts, srv: srv, st: st, accts: accts, ix: ix}

	// Two candidates on an anticipated test's course of the open session.
	var course *catalogue.Entry
	for _, e := range ix.All() {
		if e.Formation.Evaluation == domain.EvaluationAnticipatedTest && e.Session.CandidatureCloses.Open(inputToday) &&
			!e.Session.CandidatureOpens.After(inputToday) && e.PlacesLeft() > 2 {
			course = e
			break
		}
	}
	if course == nil {
		t.Skip("no anticipated test open in the demo")
	}
	var people []domain.Account
	for _, who := range []string{"conv-1", "conv-2"} {
		acc := site.candidate(t, who)
		actor := accounts.ActorOf(acc)
		if err := cands.Add(ctx, actor, acc.ID, course.ID); err != nil {
			t.Fatal(err)
		}
		b, err := cands.ShowBasket(ctx, actor, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cands.Validate(ctx, actor, acc.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
			AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
			t.Fatal(err)
		}
		people = append(people, acc)
	}
	clock.Store(course.Session.CandidatureCloses.End().Add(time.Hour).UnixNano())
	staff := site.session(t, site.central(t))
	tests := "/back-office/selection/sessions/" + itoa64(course.SessionID) + "/tests"
	formation := tests + "/formations/" + itoa64(course.FormationID)
	if res, page := site.get(t, tests, staff); res.StatusCode != http.StatusOK || !strings.Contains(page, course.Formation.Title) {
		t.Fatalf("tests page: %d", res.StatusCode)
	}
	post := func(path string, form url.Values, c *http.Cookie) (*http.Response, string) {
		req, _ := http.NewRequest("POST", site.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return site.send(t, req, c)
	}
	day := course.Session.CandidatureCloses.Day().AddDate(0, 0, 2).Format(time.DateOnly)
	form := url.Values{"date": {day}, "heure": {"18:30"}, "duree": {"60"}, "places": {"0"},
		"etablissement": {itoa64(course.EstablishmentID)}, "salle": {"12"}}
	res, page := post(formation+"/seances", form, staff)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html(page), "Indiquez un nombre de places d'au moins 1.") ||
		!strings.Contains(page, `href="#f`+itoa64(course.FormationID)+`-places"`) {
		t.Fatalf("bad sitting: %d\n%.2000s", res.StatusCode, page)
	}
	form.Set("places", "10")
	if res, _ := post(formation+"/seances", form, staff); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", res.StatusCode)
	}
	if res, _ := post(formation+"/convocations", url.Values{}, staff); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(res.Header.Get("Location"), "convoques=2") {
		t.Fatalf("send: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = site.get(t, tests, staff)
	m := regexp.MustCompile(`href="(/back-office/selection/seances/[0-9]+/resultats)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no results link")
	}
	_, page = site.get(t, m[1], staff)
	ids := regexp.MustCompile(`name="candidature" value="([0-9]+)"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("%d rows on the results form", len(ids))
	}
	a, b := ids[0][1], ids[1][1]
	res, page = post(m[1], url.Values{"candidature": {a, b}, "resultat-" + a: {"score"}, "note-" + a: {"30"}, "resultat-" + b: {"absent"}}, staff)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html(page), "La note doit être un nombre entier entre 0 et 20.") {
		t.Fatalf("score out of range: %d", res.StatusCode)
	}
	if res, _ = post(m[1], url.Values{"candidature": {a, b}, "resultat-" + a: {"score"}, "note-" + a: {"16"}, "niveau-" + a: {"2"},
		"resultat-" + b: {"absent"}}, staff); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("results: %d", res.StatusCode)
	}
	_, page = site.get(t, m[1], staff)
	if !strings.Contains(html(page), "Candidature retirée (désistement).") || !strings.Contains(page, `value="16"`) {
		t.Fatal("the results page does not show what was entered")
	}
	// SEL-3: the level placed is chosen among the levels, the one entered selected.
	if !regexp.MustCompile(`<select id="niveau-`+a+`" name="niveau-`+a+`"`).MatchString(page) ||
		!strings.Contains(html(page), `<option value="2" selected>Élémentaire</option>`) || !strings.Contains(html(page), `<option value="">Non placé</option>`) {
		t.Fatal("the level placed is not a choice of the levels with the one entered selected")
	}

	// The candidate's space, page and PDF.
	for _, acc := range people {
		me := site.session(t, acc)
		_, page := site.get(t, "/mes-candidatures", me)
		link := regexp.MustCompile(`href="(/mes-candidatures/[0-9]+/convocation)"`).FindStringSubmatch(page)
		if link == nil {
			t.Fatalf("no convocation line in the space of %s", acc.LastName)
		}
		if res, page := site.get(t, link[1], me); res.StatusCode != http.StatusOK || !strings.Contains(page, acc.LastName) {
			t.Fatalf("convocation page: %d", res.StatusCode)
		}
		if res, pdf := site.get(t, link[1]+".pdf", me); res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("convocation PDF: %d", res.StatusCode)
		}
		if res, _ := site.get(t, link[1], site.session(t, site.candidate(t, "stranger-"+acc.LastName))); res.StatusCode != http.StatusNotFound {
			t.Fatalf("someone else's convocation: %d", res.StatusCode)
		}
	}
}
