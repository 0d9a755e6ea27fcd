package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
)

const (
	coordinatorPersona = "Karim Haddad — Coordinateur pédagogique (Voltaire)"
	thomasPersona      = "Thomas Nguyen — Candidat adulte"
)

// TestSelectionRunJourney_SEL1_SEL2_SEL3_SEL5_PER1_PER2 is the selection of the
// 2nd semester, end to end in the browser. The candidatures of one course of
// the formation the demo coordinator coordinates (an anticipated test, in
// Voltaire) are filed in Go before the closing: as many as the course has
// seats, plus four more, plus an absent one. After the closing the
// coordinator schedules the sitting, sends the convocations and enters the
// results, Thomas Nguyen absent (withdrawn, SEL-2). The central service starts
// a dry run, reviews the course (every seat taken, four waiting), and
// publishes it in the answer period (PER-1). Camille Martin, whose mark is the
// best, sees "Admis(e)" with the explanation; Yasmine Benali, whose mark is
// the third below the last accepted one and who did not accept redirects
// (SEL-5), sees "En liste d'attente" at rank 3; Thomas sees the withdrawal.
// Each has the outcomes email in the demo's mail sink. Every page passes
// axe-core at desktop and phone width.
func TestSelectionRunJourney_SEL1_SEL2_SEL3_SEL5_PER1_PER2(t *testing.T) {
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
	// The course: the first Voltaire course of the 2nd semester with an
	// anticipated test, the formation the demo coordinator is granted.
	var course *catalogue.Entry
	for _, e := range ix.All() {
		if strings.Contains(e.Establishment.Name, "Voltaire") && e.Session.Code == demo.SessionSemester2Code &&
			e.Formation.Evaluation == domain.EvaluationAnticipatedTest {
			course = e
			break
		}
	}
	if course == nil {
		t.Fatal("the demo has no 2nd-semester course with an anticipated test in Voltaire")
	}
	seats := course.Capacity // what the run fills (the catalogue's "places left" counts the demo's enrolled)
	if seats < 2 {
		t.Fatalf("course %s has %d seats; the journey needs 2 or more", course.Code, seats)
	}
	session := course.Session
	clock.Store(session.CandidatureCloses.End().Add(-48 * time.Hour).UnixNano())

	// Who applies, and the mark each gets: Camille first; seats-1 others
	// accepted after her; two waiting before Yasmine, one after; Thomas absent.
	type applicant struct {
		issuer, subject, email, first, last string
		mark                                string // a score, or "absent"
	}
	devIdP := base + "/dev-idp"
	people := []applicant{
		{devIdP, "demo-candidate-1", "camille.martin@exemple.fr", "Camille", "Martin", "20"},
		{devIdP, "demo-candidate-2", "yasmine.benali@exemple.fr", "Yasmine", "Benali", "12"},
		{devIdP, "demo-candidate-3", "thomas.nguyen@exemple.fr", "Thomas", "Nguyen", "absent"},
	}
	filler := func(i int, mark string) applicant {
		last := fmt.Sprintf("Candidat%02d", i)
		return applicant{"https://e2e.exemple", last, strings.ToLower(last) + "@exemple.fr", "Alex", last, mark}
	}
	for i := 1; i < seats; i++ {
		people = append(people, filler(i, "18"))
	}
	people = append(people, filler(seats, "15"), filler(seats+1, "14"), filler(seats+2, "10"))
	marks := map[string]string{} // by the name the results form shows first: the last name in capitals
	for _, p := range people {
		f.apply(t, accounts.Identity{Issuer: p.issuer, Subject: p.subject, Email: p.email,
			EmailVerified: true, FirstName: p.first, LastName: p.last, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}, course.ID)
		marks[strings.ToUpper(p.last)] = p.mark
	}

	// --- The candidatures close; the coordinator holds the test.
	clock.Store(session.CandidatureCloses.End().Add(2 * time.Hour).UnixNano())
	coord := newBrowser(t, tools)
	if p := signIn(coord, base, coordinatorPersona); p != "/back-office" {
		t.Fatalf("the coordinator signed in at %s", p)
	}
	coord.activate("main a", "Tests et entretiens : "+session.Name)
	section := "#formation-" + idText(course.FormationID)
	if !eval[bool](coord, `!!document.querySelector(`+jsString(section)+`)`) {
		t.Fatalf("the coordinator's tests page has no section for %s", course.Formation.Title)
	}
	day := session.CandidatureCloses.Day().AddDate(0, 0, 2).Format(time.DateOnly)
	prefix := "f" + idText(course.FormationID) + "-"
	coord.do("fill the sitting", 5*time.Second, jsDo(`(() => { const s = document.querySelector(`+jsString(section)+`);
		s.querySelector('details').open = true;
		document.getElementById(`+jsString(prefix+"date")+`).value = `+jsString(day)+`;
		document.getElementById(`+jsString(prefix+"heure")+`).value = '18:30';
		document.getElementById(`+jsString(prefix+"places")+`).value = '30';
		const sel = document.getElementById(`+jsString(prefix+"etablissement")+`); sel.selectedIndex = 1; })()`))
	coord.activate(section+" form button[type=submit]", "Programmer la séance")
	coord.activate(section+" form button[type=submit]", "Envoyer les convocations")
	if msg := eval[string](coord, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); msg != fmt.Sprintf("%d convocations envoyées.", len(people)) {
		t.Fatalf("after sending the convocations: %q", msg)
	}
	// The day after the sitting (a new sign-in: the first one has expired).
	clock.Store(session.CandidatureCloses.End().Add(3 * 24 * time.Hour).UnixNano())
	signIn(coord, base, coordinatorPersona)
	coord.activate("main a", "Tests et entretiens : "+session.Name)
	coord.activate(section+" a", "Saisir les résultats")
	marksJSON, _ := json.Marshal(marks)
	missing := eval[[]string](coord, `(() => { const marks = `+string(marksJSON)+`; const missing = [];
		for (const li of document.querySelectorAll('main .result-rows li')) {
			const name = li.querySelector('.result-name').textContent.trim().split(' ')[0];
			const m = marks[name]; if (m === undefined) { missing.push(name); continue; }
			const kind = li.querySelector('select');
			if (m === 'absent') { kind.value = 'absent'; } else { kind.value = 'score'; li.querySelector('input[name^="note-"]').value = m; }
		}
		return missing; })()`)
	if len(missing) != 0 {
		t.Fatalf("the results form lists people who did not apply: %v", missing)
	}
	coord.activate("main form button[type=submit]", "Enregistrer les résultats")
	if msg := eval[string](coord, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); msg != "Les résultats sont enregistrés." {
		t.Fatalf("after the results: %q (%s)", msg, eval[string](coord, `[...document.querySelectorAll('.error-summary li')].map(e => e.textContent.trim()).join(' | ')`))
	}

	// --- The central service: a dry run, its review.
	central := newBrowser(t, tools)
	if p := signIn(central, base, centralPersona); p != "/back-office" {
		t.Fatalf("the central service signed in at %s", p)
	}
	central.activate("main a", "Traitement des candidatures : "+session.Name)
	runs := eval[string](central, `location.href`)
	central.checkA11y("the selection runs page", 20*time.Second)
	central.activate("main form button[type=submit]", "Lancer le traitement à blanc")
	const runStatus = `(document.querySelector('main table tbody tr td:nth-child(2)') || {textContent: ''}).textContent.trim()`
	for deadline := time.Now().Add(30 * time.Second); !strings.HasPrefix(eval[string](central, runStatus), "à blanc"); {
		if time.Now().After(deadline) {
			t.Fatalf("the dry run is not done after 30s: %q", eval[string](central, runStatus))
		}
		time.Sleep(300 * time.Millisecond)
		central.navigate(runs)
	}
	central.do("open the run", 5*time.Second, jsDo(`document.querySelector('main table tbody tr td a').focus()`))
	central.pressAndWaitLoad(kb.Enter)
	type courseRow struct{ Code, Capacity, Accepted, Waiting string }
	rows := eval[[]courseRow](central, `[...document.querySelectorAll('main section table tbody tr')].map(tr => ({
		Code: tr.cells[0].textContent.trim(), Capacity: tr.cells[1].textContent.trim(),
		Accepted: tr.cells[2].textContent.trim(), Waiting: tr.cells[3].textContent.trim()}))`)
	i := slices.IndexFunc(rows, func(r courseRow) bool { return r.Code == course.Code })
	if i < 0 {
		t.Fatalf("the review has no row for %s: %v", course.Code, rows)
	}
	if rows[i].Accepted != fmt.Sprint(seats) || rows[i].Waiting != "4" {
		t.Errorf("review of %s: %+v, want %d accepted and 4 waiting", course.Code, rows[i], seats)
	}
	central.checkA11y("the run's review", 20*time.Second)
	central.screenshot("selection-review-desktop")

	// --- Published in the answer period.
	review := eval[string](central, `location.href`)
	clock.Store(session.AnswerOpens.Add(time.Hour).UnixNano())
	signIn(central, base, centralPersona) // a week later: signed in again
	central.navigate(review)
	central.activate("main a.button", "Publier ce traitement")
	central.checkA11y("the publication's confirmation", 20*time.Second)
	central.activate("main form button[type=submit]", "Confirmer la publication")
	if msg := eval[string](central, `(document.querySelector('main [role=status]') || {textContent: ''}).textContent.trim()`); !strings.HasPrefix(msg, "Le traitement est publié") {
		t.Fatalf("after publishing: %q at %s", msg, central.location())
	}

	// --- What each candidate sees.
	type seen struct{ Status, Why string }
	const readSeen = `(() => { const s = document.querySelector('main section.panel');
		return {Status: (s.querySelector('p strong') || {textContent: ''}).textContent.trim(),
			Why: [...s.querySelectorAll('details.why li')].map(l => l.textContent.trim()).join(' | ')}; })()`
	for _, c := range []struct {
		persona, email, status, why, mail string
	}{
		{camillePersona, "camille.martin@exemple.fr", "Admis(e)", "", "Résultat de vos candidatures"},
		{yasminePersona, "yasmine.benali@exemple.fr", "En liste d'attente", "vous êtes au rang 3 sur la liste d'attente", "Résultat de vos candidatures"},
		// Thomas was told when his absence was entered; the run decides nothing more for him.
		{thomasPersona, "thomas.nguyen@exemple.fr", "Désistement (absence au test)", "", "Candidature retirée : « " + course.Formation.Title + " »"},
	} {
		b := newBrowser(t, tools)
		signIn(b, base, c.persona)
		b.navigate(base + "/mes-candidatures")
		got := eval[seen](b, readSeen)
		if !strings.HasSuffix(got.Status, c.status) {
			t.Errorf("%s sees the status %q, want %q", c.persona, got.Status, c.status)
		}
		if c.status != "Désistement (absence au test)" && got.Why == "" {
			t.Errorf("%s has no « Pourquoi ? »", c.persona)
		}
		if c.why != "" && !strings.Contains(got.Why, c.why) {
			t.Errorf("%s's « Pourquoi ? » says %q, want %q", c.persona, got.Why, c.why)
		}
		if c.persona == yasminePersona {
			b.emulatePhone()
			b.do("open Pourquoi", 5*time.Second, jsDo(`document.querySelector('details.why').open = true`))
			b.screenshot("selection-waiting-phone")
			b.emulateDesktop()
		}
		b.checkA11y("/mes-candidatures of "+c.persona, 20*time.Second)
		// The outcomes email, in the demo's mail sink.
		found := false
		for deadline := time.Now().Add(15 * time.Second); !found && time.Now().Before(deadline); {
			b.navigate(base + "/dev/courriels")
			found = eval[bool](b, `[...document.querySelectorAll('main table tbody tr')].some(tr =>
				tr.cells[1].textContent.includes(`+jsString(c.email)+`) && tr.cells[2].textContent.trim().startsWith(`+jsString(c.mail)+`))`)
			if !found {
				time.Sleep(300 * time.Millisecond)
			}
		}
		if !found {
			t.Errorf("the mail sink has no email %q to %s", c.mail, c.email)
		}
	}
}
