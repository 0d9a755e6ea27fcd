package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/waitlist"
)

// TestWaitingListJourney_SEL4_SEL6_CAN1_CAN2_CAN3 is a waiting list that moves,
// in the browser. One 2nd-semester course without a test gets, in Go, as
// many candidatures as it has seats, all with a social criterion and the
// first objective — Camille Martin among them —, then Yasmine Benali and
// Thomas Nguyen (a social criterion, lesser objectives: first and second on
// the list) and two more without (third and fourth). The selection is run
// and published. Camille gives up her place after its confirmation page;
// Yasmine gets the offer in the mail sink, opens it and declines; Thomas
// gets it and accepts, and is admitted. From the 22nd day after the
// course's first class the two left are "en manque de place", as the
// central service's list shows, and the mail sink got nothing for them.
// Then, with a session minimum above its learners, the central service
// decides the course does not open (SEL-6): Thomas is told.
// Every page passes axe-core at desktop and phone width.
func TestWaitingListJourney_SEL4_SEL6_CAN1_CAN2_CAN3(t *testing.T) {
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
		if e.Session.Code == demo.SessionSemester2Code && e.Formation.Evaluation == domain.EvaluationNone && !e.RemoteNow &&
			e.Capacity >= 2 && e.Capacity <= 25 {
			course = e
			break
		}
	}
	if course == nil {
		t.Fatal("the demo has no 2nd-semester course without a test")
	}
	session := course.Session
	clock.Store(session.CandidatureCloses.End().Add(-48 * time.Hour).UnixNano())
	social := domain.SocialSituation{RSA: true}
	person := func(issuer, subject, email, first, last string) accounts.Identity {
		return accounts.Identity{Issuer: issuer, Subject: subject, Email: email, EmailVerified: true, FirstName: first,
			LastName: last, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}
	}
	devIdP := base + "/dev-idp"
	f.applyAs(t, person(devIdP, "demo-candidate-1", "camille.martin@exemple.fr", "Camille", "Martin"), course.ID, social, domain.ObjectiveIntegration)
	for i := 1; i < course.Capacity; i++ {
		last := fmt.Sprintf("Admis%02d", i)
		f.applyAs(t, person("https://e2e.exemple", last, strings.ToLower(last)+"@exemple.fr", "Alex", last), course.ID, social,
			domain.ObjectiveIntegration)
	}
	f.applyAs(t, person(devIdP, "demo-candidate-2", "yasmine.benali@exemple.fr", "Yasmine", "Benali"), course.ID, social, domain.ObjectiveProfessional)
	f.applyAs(t, person(devIdP, "demo-candidate-3", "thomas.nguyen@exemple.fr", "Thomas", "Nguyen"), course.ID, social, domain.ObjectiveDiploma)
	rest := []string{"attente01@exemple.fr", "attente02@exemple.fr"}
	for i, email := range rest {
		last := fmt.Sprintf("Attente%02d", i+1)
		f.applyAs(t, person("https://e2e.exemple", last, email, "Sam", last), course.ID, domain.SocialSituation{}, domain.ObjectivePersonal)
	}

	// --- The selection, run and published in the answer period.
	clock.Store(session.AnswerOpens.Add(time.Hour).UnixNano())
	f.publish(t, session.ID, base, now)
	lists := waitlist.New(waitlist.Deps{Store: f.st, Catalogue: f.cat, Outbox: f.box, Words: f.words, Now: now, PublicURL: base})
	formation := course.Formation.Title

	// --- The central service gives this session's offers three days.
	staffB := newBrowser(t, tools)
	signIn(staffB, base, centralPersona)
	staffB.navigate(fmt.Sprintf("%s/back-office/catalogue/sessions/%d", base, session.ID))
	staffB.do("set three days", 5*time.Second, jsDo(`document.getElementById('jours').value = '3'`))
	staffB.activate("form[action$='/delai-offres'] button[type=submit]", "Enregistrer le délai")
	if msg := eval[string](staffB, `(document.querySelector('main [role=status]') || {textContent: ''}).textContent.trim()`); !strings.HasPrefix(msg, "Le délai de réponse") {
		t.Fatalf("after setting the offers' delay: %q at %s", msg, staffB.location())
	}
	staffB.checkA11y("the session's page with the offers' delay", 20*time.Second)

	// --- Camille gives up her place.
	camille := newBrowser(t, tools)
	signIn(camille, base, camillePersona)
	camille.navigate(base + "/mes-candidatures")
	if got := statusOf(camille); got != "Admis(e)" {
		t.Fatalf("Camille sees %q, want Admis(e)", got)
	}
	camille.activate("main a.button", "Me désister de « "+formation+" »")
	camille.checkA11y("the give-up confirmation", 20*time.Second)
	camille.activate("main form button[type=submit]", "Confirmer mon désistement de « "+formation+" »")
	if msg := doneMessage(camille); !strings.HasPrefix(msg, "Désistement enregistré") {
		t.Fatalf("after giving up: %q at %s", msg, camille.location())
	}
	if got := statusOf(camille); got != "Désistement" {
		t.Errorf("Camille sees %q after giving up", got)
	}
	waitMail(camille, base, "camille.martin@exemple.fr", "Désistement enregistré : « "+formation+" »")

	// --- Yasmine, first on the list, gets the offer and declines it.
	yasmine := newBrowser(t, tools)
	waitMail(yasmine, base, "yasmine.benali@exemple.fr", "Une place vous est proposée : « "+formation+" »")
	signIn(yasmine, base, yasminePersona)
	yasmine.navigate(base + "/mes-candidatures")
	if !eval[bool](yasmine, `!!document.querySelector('main .offer form[action$="/refuser"]')`) {
		t.Fatalf("Yasmine's space shows no offer: %s", eval[string](yasmine, `document.querySelector('main').innerText`))
	}
	yasmine.emulatePhone()
	yasmine.screenshot("waitlist-offer-phone")
	yasmine.checkA11y("/mes-candidatures with an offer, phone", 20*time.Second)
	yasmine.emulateDesktop()
	yasmine.activate("main .offer a", "Voir le détail de la place proposée")
	yasmine.checkA11y("the offer's page", 20*time.Second)
	deadline := domain.OfferDeadline(now(), 3).Day()
	months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	want := fmt.Sprintf("%d %s %d inclus", deadline.Day(), months[deadline.Month()-1], deadline.Year())
	if facts := eval[string](yasmine, `document.querySelector('main dl.facts').innerText`); !strings.Contains(facts, want) {
		t.Errorf("the offer's page does not give the deadline three days on (%s):\n%s", want, facts)
	}
	yasmine.screenshot("waitlist-offer-desktop")
	yasmine.activate("main form button[type=submit]", "Refuser la place")
	if msg := doneMessage(yasmine); !strings.HasPrefix(msg, "Place refusée") {
		t.Fatalf("after declining: %q", msg)
	}
	if got := statusOf(yasmine); got != "Place proposée refusée" {
		t.Errorf("Yasmine sees %q after declining", got)
	}

	// --- Thomas, second, gets it and accepts.
	thomas := newBrowser(t, tools)
	waitMail(thomas, base, "thomas.nguyen@exemple.fr", "Une place vous est proposée : « "+formation+" »")
	signIn(thomas, base, thomasPersona)
	thomas.navigate(base + "/mes-candidatures")
	thomas.activate("main .offer form button[type=submit]", "Accepter la place")
	if msg := doneMessage(thomas); !strings.HasPrefix(msg, "Place acceptée") {
		t.Fatalf("after accepting: %q", msg)
	}
	if got := statusOf(thomas); got != "Admis(e)" {
		t.Errorf("Thomas sees %q after accepting", got)
	}
	thomas.checkA11y("/mes-candidatures after accepting", 20*time.Second)
	waitMail(thomas, base, "thomas.nguyen@exemple.fr", "Place acceptée : « "+formation+" »")

	// --- The central service sees every offer made from the list, and
	// moves the last one up with a reason.
	staffB.navigate(fmt.Sprintf("%s/back-office/cours/%d/listes", base, course.ID))
	offers := eval[string](staffB, `(document.querySelector('#offres + div table') || {innerText: ''}).innerText`)
	for _, want := range []string{"Yasmine BENALI", "Refusée", "Thomas NGUYEN", "Acceptée", "un désistement", "une offre refusée"} {
		if !strings.Contains(offers, want) {
			t.Errorf("the course's offers lack %q:\n%s", want, offers)
		}
	}
	staffB.do("open the reorder form", 5*time.Second, jsDo(`(() => { const d = document.querySelector('main details.panel'); d.open = true;
		const sel = document.getElementById('candidature'); sel.selectedIndex = sel.options.length - 1;
		document.getElementById('rang').value = '1'; document.getElementById('motif').value = 'résultat mal saisi'; })()`))
	last := eval[string](staffB, `(() => { const sel = document.getElementById('candidature');
		return sel.options[sel.selectedIndex].textContent.split(' — ')[1].trim(); })()`)
	staffB.checkA11y("the course's lists with its offers", 20*time.Second)
	staffB.screenshot("waitlist-staff-desktop")
	staffB.activate("main details.panel form button[type=submit]", "Changer le rang")
	if msg := doneMessage(staffB); !strings.HasPrefix(msg, "Le rang est changé") {
		t.Fatalf("after the change of rank: %q at %s", msg, staffB.location())
	}
	if first := eval[string](staffB, `document.querySelector('#attente + div table tbody tr th').textContent.trim()`); first != last {
		t.Errorf("first on the list after the move: %q, want %q", first, last)
	}

	// --- SEL-4: from the 22nd day after the first class, silently.
	before := map[string]int{}
	for _, email := range rest {
		before[email] = mailCount(thomas, base, email)
	}
	closes := domain.ListsCloseOn(course.FirstClass)
	clock.Store(time.Date(closes.Year(), closes.Month(), closes.Day(), 0, 30, 0, 0, domain.Paris()).UnixNano())
	if r, err := lists.Tick(ctx); err != nil || r.NoPlace < 2 {
		t.Fatalf("the timer on the 22nd day: %+v, %v", r, err)
	}
	signIn(staffB, base, centralPersona) // three weeks later: signed in again
	staffB.navigate(fmt.Sprintf("%s/back-office/candidatures?session=%d&cours=%d&statut=no_place", base, session.ID, course.ID))
	staffB.checkA11y("the central service's list of the course, en manque de place", 20*time.Second)
	listed := eval[string](staffB, `document.querySelector('main').innerText`)
	for _, email := range rest {
		if !strings.Contains(listed, email) {
			t.Errorf("the central service's list of en manque de place lacks %s:\n%s", email, listed)
		}
		if n := mailCount(staffB, base, email); n != before[email] {
			t.Errorf("%s got %d emails when the lists closed, want none (SEL-4)", email, n-before[email])
		}
	}

	// --- SEL-6: the session's minimum set, the course does not open.
	staffB.navigate(fmt.Sprintf("%s/back-office/catalogue/sessions/%d", base, session.ID))
	today := now().In(domain.Paris()).Format(time.DateOnly)
	staffB.do("set the opening rule", 5*time.Second, jsDo(`document.getElementById('minimum').value = '`+fmt.Sprint(course.Capacity+1)+`';
		document.getElementById('decision').value = '`+today+`'`))
	staffB.activate("form[action$='/ouverture'] button[type=submit]", "Enregistrer la règle d'ouverture")
	if msg := eval[string](staffB, `(document.querySelector('main [role=status]') || {textContent: ''}).textContent.trim()`); !strings.HasPrefix(msg, "La règle d'ouverture") {
		t.Fatalf("after setting the opening rule: %q", msg)
	}
	staffB.navigate(fmt.Sprintf("%s/back-office/cours/%d/listes", base, course.ID))
	staffB.do("fill the closing", 5*time.Second, jsDo(`(() => { const ds = [...document.querySelectorAll('main details.panel')];
		ds.forEach(d => d.open = true);
		document.getElementById('motif-fermeture').value = 'trop peu d’auditeurs'; document.getElementById('confirmer').checked = true; })()`))
	staffB.checkA11y("the course's lists with the closing form", 20*time.Second)
	staffB.activate("form[action$='/fermer'] button[type=submit]", "Ne pas ouvrir le cours")
	if msg := doneMessage(staffB); !strings.HasPrefix(msg, "Le cours n'ouvrira pas") {
		t.Fatalf("after closing the course: %q at %s", msg, staffB.location())
	}
	staffB.screenshot("waitlist-course-closed-desktop")
	// The payments made for it are refunds due (REF-2), listed for the
	// central service.
	staffB.navigate(base + "/back-office/remboursements-dus")
	if h := eval[string](staffB, `document.querySelector('main h1').textContent.trim()`); h != "Remboursements dus" {
		t.Fatalf("the refunds due page: %q", h)
	}
	staffB.checkA11y("the refunds due", 20*time.Second)
	staffB.screenshot("refunds-due-desktop")
	signIn(thomas, base, thomasPersona)
	thomas.navigate(base + "/mes-candidatures")
	if got := statusOf(thomas); got != "Cours non ouvert" {
		t.Errorf("Thomas sees %q after the course closed", got)
	}
	waitMail(thomas, base, "thomas.nguyen@exemple.fr", "Cours non ouvert : « "+formation+" »")
}

// statusOf is the status of the first candidature on "Mes candidatures".
func statusOf(b *browser) string {
	b.t.Helper()
	s := eval[string](b, `(document.querySelector('main section.panel p strong') || {textContent: ''}).textContent.trim()`)
	_, after, _ := strings.Cut(s, ":")
	return strings.TrimSpace(after)
}

// doneMessage is the success notice of the page.
func doneMessage(b *browser) string {
	b.t.Helper()
	return eval[string](b, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`)
}

// waitMail waits for the demo's mail sink to hold an email to address
// whose subject starts with subject.
func waitMail(b *browser, base, address, subject string) {
	b.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		b.navigate(base + "/dev/courriels")
		if eval[bool](b, `[...document.querySelectorAll('main table tbody tr')].some(tr =>
			tr.cells[1].textContent.includes(`+jsString(address)+`) && tr.cells[2].textContent.trim().startsWith(`+jsString(subject)+`))`) {
			return
		}
	}
	b.t.Errorf("the mail sink has no email %q to %s", subject, address)
}

// mailCount counts the emails to address in the demo's mail sink.
func mailCount(b *browser, base, address string) int {
	b.t.Helper()
	b.navigate(base + "/dev/courriels")
	return eval[int](b, `[...document.querySelectorAll('main table tbody tr')].filter(tr =>
		tr.cells[1].textContent.includes(`+jsString(address)+`)).length`)
}
