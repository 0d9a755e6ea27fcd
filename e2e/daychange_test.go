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
)

// TestDayChangeJourney_SEL8 is a day change in the browser. Camille Martin
// is admitted in a 2nd-semester course of the Voltaire establishment without
// a test; on the evening of its first class she asks, from her space, to
// move to another course of the same formation and level. The director,
// Hélène Dubois, forwards the request from the day changes' queue; the
// central service decides it (ROLE-5, as the formation's coordinator would):
// Camille is told at each step, by email and in her space, which then shows
// the course she is in. Every page passes axe-core at desktop and phone width.
func TestDayChangeJourney_SEL8(t *testing.T) {
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
	// A course of the director's establishment with an equivalent course.
	var from, to *catalogue.Entry
	for _, e := range ix.All() {
		if from != nil {
			break
		}
		if e.Session.Code != demo.SessionSemester2Code || e.Formation.Evaluation != domain.EvaluationNone || e.RemoteNow ||
			e.Establishment == nil || !strings.Contains(e.Establishment.Name, "Voltaire") || e.FirstClass.IsZero() {
			continue
		}
		for _, k := range ix.All() {
			if k.ID != e.ID && k.SessionID == e.SessionID && k.FormationID == e.FormationID && k.Level == e.Level && !k.Archived {
				from, to = e, k
				break
			}
		}
	}
	if from == nil {
		t.Fatal("the demo's Voltaire establishment has no 2nd-semester course without a test with an equivalent course")
	}
	session := from.Session
	clock.Store(session.CandidatureCloses.End().Add(-48 * time.Hour).UnixNano())
	f.applyAs(t, accounts.Identity{Issuer: base + "/dev-idp", Subject: "demo-candidate-1", Email: "camille.martin@exemple.fr",
		EmailVerified: true, FirstName: "Camille", LastName: "Martin", BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)},
		from.ID, domain.SocialSituation{RSA: true}, domain.ObjectiveIntegration)
	clock.Store(session.AnswerOpens.Add(time.Hour).UnixNano())
	f.publish(t, session.ID, base, now)
	formation := from.Formation.Title

	// --- The evening of the first class: Camille asks from her space.
	fc := from.FirstClass
	clock.Store(time.Date(fc.Year(), fc.Month(), fc.Day(), 21, 30, 0, 0, domain.Paris()).UnixNano())
	camille := newBrowser(t, tools)
	signIn(camille, base, camillePersona)
	camille.navigate(base + "/mes-candidatures")
	if got := statusOf(camille); got != "Admis(e)" {
		t.Fatalf("Camille sees %q, want Admis(e)", got)
	}
	camille.activate("main a.button[href$='/changer-de-jour']", "Demander à changer de jour — "+formation)
	camille.emulatePhone()
	camille.checkA11y("the day change form, phone", 20*time.Second)
	camille.screenshot("daychange-ask-phone")
	camille.emulateDesktop()
	camille.do("choose the course", 5*time.Second, jsDo(`(() => { document.getElementById('cours').value = '`+fmt.Sprint(to.ID)+`';
		document.getElementById('motif').value = 'horaires de travail'; })()`))
	camille.activate("main form button[type=submit]", "Envoyer ma demande")
	if msg := doneMessage(camille); !strings.HasPrefix(msg, "Votre demande de changement de jour est envoyée") {
		t.Fatalf("after asking: %q at %s", msg, camille.location())
	}
	if text := eval[string](camille, `document.querySelector('main section.panel').innerText`); !strings.Contains(text, "Changement de jour demandé") {
		t.Errorf("Camille's space does not show the request:\n%s", text)
	}
	camille.checkA11y("/mes-candidatures with a day change asked", 20*time.Second)
	waitMail(camille, base, "camille.martin@exemple.fr", "Demande de changement de jour : « "+formation+" »")

	// --- The director forwards it from the queue.
	director := newBrowser(t, tools)
	signIn(director, base, directorPersona)
	director.navigate(base + "/back-office/changements-de-jour")
	director.checkA11y("the director's day changes queue", 20*time.Second)
	director.screenshot("daychange-queue-director-desktop")
	director.activate("main form[action$='/transmettre'] button[value='1']", "Transmettre au coordinateur")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "C'est fait") {
		t.Fatalf("after forwarding: %q at %s", msg, director.location())
	}
	if director.exists("main form[action$='/decider']") {
		t.Error("the director is offered the coordinator's decision")
	}
	waitMail(camille, base, "camille.martin@exemple.fr", "Changement de jour : demande transmise, « "+formation+" »")

	// --- The central service decides (ROLE-5): a refusal needs a reason, then accepted.
	central := newBrowser(t, tools)
	signIn(central, base, centralPersona)
	central.navigate(base + "/back-office/changements-de-jour")
	central.activate("main form[action$='/decider'] button[value='0']", "Refuser")
	if msg := eval[string](central, `(document.querySelector('main .error-summary') || {textContent: ''}).textContent.trim()`); !strings.HasPrefix(msg, "Indiquez le motif du refus") {
		t.Fatalf("a refusal without a reason: %q", msg)
	}
	central.emulatePhone()
	central.checkA11y("the queue with a refused step, phone", 20*time.Second)
	central.emulateDesktop()
	central.activate("main form[action$='/decider'] button[value='1']", "Accepter le changement")
	if msg := doneMessage(central); !strings.HasPrefix(msg, "C'est fait") {
		t.Fatalf("after accepting: %q at %s", msg, central.location())
	}
	if done := eval[string](central, `document.querySelector('main').innerText`); !strings.Contains(done, "Acceptée : l'auditeur a changé de cours") {
		t.Errorf("the queue does not show the request accepted:\n%s", done)
	}
	central.screenshot("daychange-queue-decided-desktop")

	// --- Camille sees the course she is in now.
	waitMail(camille, base, "camille.martin@exemple.fr", "Changement de jour accepté : « "+formation+" »")
	camille.navigate(base + "/mes-candidatures")
	text := eval[string](camille, `document.querySelector('main section.panel').innerText`)
	for _, want := range []string{"Changement de jour accepté", to.Code} {
		if !strings.Contains(text, want) {
			t.Errorf("Camille's space lacks %q:\n%s", want, text)
		}
	}
	camille.emulatePhone()
	camille.checkA11y("/mes-candidatures after the day change, phone", 20*time.Second)
	camille.screenshot("daychange-accepted-phone")
}
