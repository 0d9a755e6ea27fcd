package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
)

// TestPaymentJourney_PAY1_PAY2_PAY6 is enrolment and payment in the
// browser. Three people are admitted in two 2nd-semester courses of the
// Voltaire establishment, one at 300.01 EUR, the other at 300.00 EUR. On the
// first evening the director, Hélène Dubois, confirms their enrolments.
// Camille pays online through the PayFiP simulator: her card is refused
// once, then paid; she opens her learner card. The director records Bruno's
// fee of 300.01 at the desk: cash is not offered, a cheque is taken; and
// Chloé's 300.00 in cash. She scans Camille's card as valid, reprints it,
// and the old card scans as revoked. Every page passes axe-core.
func TestPaymentJourney_PAY1_PAY2_PAY6(t *testing.T) {
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
	var courses []*catalogue.Entry // two courses of the director's establishment
	for _, e := range ix.All() {
		if e.Session.Code != demo.SessionSemester2Code || e.Formation.Evaluation != domain.EvaluationNone || e.RemoteNow ||
			e.Establishment == nil || !strings.Contains(e.Establishment.Name, "Voltaire") || e.FirstClass.IsZero() || e.Capacity < 3 {
			continue
		}
		courses = append(courses, e)
		if len(courses) == 2 {
			break
		}
	}
	if len(courses) < 2 {
		t.Fatal("the demo's Voltaire establishment has no two 2nd-semester courses without a test")
	}
	x, y := courses[0], courses[1]
	for id, cents := range map[int64]int{x.ID: 30001, y.ID: 30000} {
		if _, err := f.st.DB().W.Exec(`UPDATE courses SET price_cents = $1, reduced_cents = $2, own_price = TRUE WHERE id = $3`,
			cents, cents/2, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.DB().W.Exec(`UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	f.cat.Invalidate()

	session := x.Session
	clock.Store(session.CandidatureCloses.End().Add(-48 * time.Hour).UnixNano())
	person := func(subject, email, first, last string) accounts.Identity {
		return accounts.Identity{Issuer: base + "/dev-idp", Subject: subject, Email: email, EmailVerified: true,
			FirstName: first, LastName: last, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}
	}
	f.apply(t, person("demo-candidate-1", "camille.martin@exemple.fr", "Camille", "Martin"), x.ID)
	f.apply(t, person("paiement-bruno", "bruno.petit@exemple.fr", "Bruno", "Petit"), x.ID)
	f.apply(t, person("paiement-chloe", "chloe.roux@exemple.fr", "Chloé", "Roux"), y.ID)
	clock.Store(session.AnswerOpens.Add(time.Hour).UnixNano())
	f.publish(t, session.ID, base, now)

	// --- The first evening: the director confirms every enrolment.
	fc := x.FirstClass
	if y.FirstClass.After(fc) {
		fc = y.FirstClass
	}
	clock.Store(time.Date(fc.Year(), fc.Month(), fc.Day(), 20, 45, 0, 0, domain.Paris()).UnixNano())
	director := newBrowser(t, tools)
	signIn(director, base, directorPersona)
	for _, c := range []*catalogue.Entry{x, y} {
		director.navigate(base + "/back-office/cours/" + idText(c.ID) + "/listes")
		director.activate("main a[href$='/inscriptions']", "Inscriptions et paiements du cours")
		director.checkA11y("the enrolment list of "+c.Code, 20*time.Second)
		director.activate("main form#confirmer button[name=tous]", "Confirmer toutes les inscriptions")
		if msg := doneMessage(director); !strings.Contains(msg, "confirmée") {
			t.Fatalf("after confirming %s: %q at %s", c.Code, msg, director.location())
		}
	}
	director.screenshot("payment-roster-confirmed-desktop")
	waitMail(director, base, "camille.martin@exemple.fr", "Inscription confirmée : « "+x.Formation.Title+" »")

	// --- Camille pays online: refused once, then paid.
	camille := newBrowser(t, tools)
	signIn(camille, base, camillePersona)
	camille.navigate(base + "/historique-et-paiement")
	camille.emulatePhone()
	camille.checkA11y("historique et paiement, due, phone", 20*time.Second)
	camille.screenshot("payment-due-phone")
	camille.emulateDesktop()
	pay := func(button string) {
		camille.activate("main form[action$='/payer'] button", "Payer en ligne par carte bancaire")
		if p := eval[string](camille, `location.pathname`); p != "/dev/payfip/paiement" {
			t.Fatalf("not on the PayFiP simulator's page: %s", camille.location())
		}
		if text := eval[string](camille, `document.body.innerText`); !strings.Contains(text, "300,01") {
			t.Fatalf("the payment page does not show the amount due:\n%s", text)
		}
		camille.checkA11y("the PayFiP simulator's page", 20*time.Second)
		camille.activate("button[value='"+button+"']", map[string]string{"R": "Carte refusée", "P": "Payer (carte acceptée)"}[button])
		// The simulator's page posts the browser back, as PayFiP does.
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if eval[bool](camille, `location.pathname === '/historique-et-paiement' && document.readyState === 'complete'`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not back from PayFiP: %s", camille.location())
			}
		}
	}
	pay("R")
	if msg := eval[string](camille, `(document.querySelector('main .error-summary') || {textContent: ''}).textContent.trim()`); !strings.HasPrefix(msg, "Le paiement a été refusé") {
		t.Fatalf("after a refused card: %q", msg)
	}
	pay("P")
	if msg := doneMessage(camille); !strings.HasPrefix(msg, "Votre paiement est enregistré") {
		t.Fatalf("after paying: %q at %s", msg, camille.location())
	}
	camille.checkA11y("historique et paiement, paid", 20*time.Second)
	camille.activate("main a[href$='/carte']", "Ma carte d'auditeur")
	camille.emulatePhone()
	camille.checkA11y("the learner card, phone", 20*time.Second)
	camille.screenshot("payment-card-phone")
	camille.emulateDesktop()
	oldCard := eval[string](camille, `document.querySelector('main code.scan-url').textContent.trim()`)
	if !strings.HasPrefix(oldCard, base+"/carte/") {
		t.Fatalf("the card's verification address %q", oldCard)
	}
	if n := eval[int](camille, `document.querySelectorAll('main .qr svg[role=img] path').length`); n == 0 {
		t.Error("the card page has no QR code")
	}
	// PAY-6: the card as a PDF to print, from its page's link.
	cardPDF := eval[string](camille, `(document.querySelector('main a[href$="carte.pdf"]') || {getAttribute: () => ''}).getAttribute('href')`)
	if got := fetchDoc(camille, cardPDF); cardPDF == "" || got.Status != 200 || got.Type != "application/pdf" || got.Head != "%PDF-" {
		t.Errorf("the card's PDF %q: %+v", cardPDF, got)
	}
	waitMail(camille, base, "camille.martin@exemple.fr", "Paiement reçu : « "+x.Formation.Title+" »")

	// --- The desk: 300.01 by cheque (no cash offered), 300.00 in cash.
	director.navigate(base + "/back-office/cours/" + idText(x.ID) + "/inscriptions")
	if director.exists("main input[type=radio][value=cash]") {
		t.Error("cash is offered for a fee of 300.01")
	}
	if text := eval[string](director, `document.querySelector('main details').textContent`); !strings.Contains(text, "chèque uniquement") {
		t.Errorf("the desk form does not say why cash is not offered:\n%s", text)
	}
	director.do("fill the cheque", 5*time.Second, jsDo(`(() => {
		const d = document.querySelector('main details'); d.open = true;
		d.querySelector('input[type=radio][value=cheque]').checked = true;
		d.querySelector('input[id^=montant-]').value = '300,01';
		d.querySelector('input[id^=cheque-]').value = '1234567';
		d.querySelector('input[id^=banque-]').value = 'La Banque Postale';
		d.querySelector('input[id^=tireur-]').value = 'Bruno Petit'; })()`))
	director.checkA11y("the desk form", 20*time.Second)
	director.activate("main details form button[type=submit]", "Enregistrer le paiement")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "Paiement enregistré") {
		t.Fatalf("after the cheque: %q at %s", msg, director.location())
	}
	director.navigate(base + "/back-office/cours/" + idText(y.ID) + "/inscriptions")
	director.do("fill the cash", 5*time.Second, jsDo(`(() => {
		const d = document.querySelector('main details'); d.open = true;
		d.querySelector('input[type=radio][value=cash]').checked = true;
		d.querySelector('input[id^=montant-]').value = '300,00'; })()`))
	director.activate("main details form button[type=submit]", "Enregistrer le paiement")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "Paiement enregistré") {
		t.Fatalf("after the cash: %q at %s", msg, director.location())
	}
	if text := eval[string](director, `document.querySelector('main table').innerText`); !strings.Contains(text, "espèces") {
		t.Errorf("the list does not show the cash payment:\n%s", text)
	}
	director.screenshot("payment-roster-paid-desktop")

	// --- The entrance: valid; reprinted; the old card revoked.
	director.navigate(oldCard)
	director.emulatePhone()
	if v := eval[string](director, `document.querySelector('main .scan-verdict').textContent.trim()`); v != "Carte valide" {
		t.Fatalf("the scan of Camille's card says %q", v)
	}
	director.checkA11y("the scan of a valid card, phone", 20*time.Second)
	director.screenshot("payment-scan-valid-phone")
	director.emulateDesktop()
	director.navigate(base + "/back-office/cours/" + idText(x.ID) + "/inscriptions")
	director.activate("main form[action$='/carte'] button", "Réimprimer la carte (carte perdue)")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "Nouvelle carte") {
		t.Fatalf("after the reprint: %q at %s", msg, director.location())
	}
	director.navigate(oldCard)
	if v := eval[string](director, `document.querySelector('main .scan-verdict').textContent.trim()`); v != "Carte révoquée" {
		t.Fatalf("the old card's scan says %q", v)
	}
	director.emulatePhone()
	director.checkA11y("the scan of a revoked card, phone", 20*time.Second)
	director.screenshot("payment-scan-revoked-phone")
	director.navigate(base + "/carte/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if v := eval[string](director, `document.querySelector('main .scan-verdict').textContent.trim()`); v != "Carte inconnue" {
		t.Fatalf("a forged card's scan says %q", v)
	}
}

// TestPaymentOverdueJourney_PAY1 is the director's decision once a window
// has passed, on the demo's Voltaire courses: a learner who has not paid is
// shown overdue on the course's enrolment list; the director gives them a
// week more; when that week has passed too, she frees the seat, which goes
// to the waiting list, and the learner is told.
func TestPaymentOverdueJourney_PAY1(t *testing.T) {
	tools := needBrowser(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, time.October, 20, 18, 0, 0, 0, domain.Paris()).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	base, _ := startServerWith(t, now, []string{"--db", dbURL, "--demo-candidatures=true"}, nil)
	f := newFiler(t, dbURL, now)
	var course, enrolment, candidature int64
	if err := f.st.DB().R.QueryRow(`SELECT e.course_id, e.id, e.candidature_id FROM enrolments e WHERE e.state = 'due' ORDER BY e.id LIMIT 1`).
		Scan(&course, &enrolment, &candidature); err != nil {
		t.Fatalf("the demo has no unpaid enrolment: %v", err)
	}
	director := newBrowser(t, tools)
	signIn(director, base, directorPersona)
	director.navigate(base + "/back-office/cours/" + idText(course) + "/inscriptions")
	row := "#inscrit-" + idText(candidature)
	if text := eval[string](director, `document.querySelector('`+row+`').innerText`); !strings.Contains(text, "non payé — délai passé") {
		t.Fatalf("the unpaid learner's row: %q", text)
	}
	director.emulatePhone()
	director.checkA11y("the enrolment list with an overdue learner, phone", 20*time.Second)
	director.screenshot("payment-overdue-phone")
	director.emulateDesktop()
	until := now().In(domain.Paris()).AddDate(0, 0, 7).Format(time.DateOnly)
	director.do("the new last day", 5*time.Second, jsDo(`document.getElementById('jusquau-`+idText(candidature)+`').value = '`+until+`'`))
	director.activate("main form[action$='/delai'] button", "Prolonger le délai de paiement")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "Délai de paiement prolongé") {
		t.Fatalf("after extending: %q at %s", msg, director.location())
	}
	if director.exists("main form[action$='/liberer']") {
		t.Error("the seat can be freed within the extended window")
	}
	clock.Store(now().AddDate(0, 0, 8).UnixNano())
	signIn(director, base, directorPersona) // a week later: a new session
	director.navigate(base + "/back-office/cours/" + idText(course) + "/inscriptions")
	director.activate("main form[action$='/liberer'] button", "Libérer la place (non payé)")
	if msg := doneMessage(director); !strings.HasPrefix(msg, "Place libérée") {
		t.Fatalf("after freeing: %q at %s", msg, director.location())
	}
	director.checkA11y("the enrolment list after a seat freed", 20*time.Second)
	var status string
	if err := f.st.DB().R.QueryRow(`SELECT status FROM candidatures WHERE id = $1`, candidature).Scan(&status); err != nil ||
		status != string(domain.CandidatureGivenUp) {
		t.Fatalf("the freed learner's candidature is %q (%v), want given up", status, err)
	}
}
