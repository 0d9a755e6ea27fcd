package e2e

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/payment"
)

// fetched is what a same-origin fetch of the page got.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Head   string `json:"head"`
}

// fetchDoc fetches path with the browser's session and returns its status,
// content type and first bytes (a PDF starts with "%PDF-").
func fetchDoc(b *browser, path string) fetched {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+jsString(path)+`, {redirect: 'manual'})
		.then(async r => { const t = await r.text(); return {status: r.status, type: r.headers.get('Content-Type') || '', head: t.slice(0, 5)}; })`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	return v
}

// attestationToken is what the newest attestation's QR code carries, read
// as the server signs it (the key is in the shared database).
func attestationToken(t *testing.T, f *filer, now func() time.Time) string {
	t.Helper()
	var id int64
	if err := f.st.DB().R.QueryRow(`SELECT id FROM attestations ORDER BY id DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	token, err := payment.New(payment.Deps{Store: f.st, Catalogue: f.cat, Now: now}).AttestationToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestThirdPartyJourney_PAY4_PAY7_PAY2 is a third party paying in the
// learner's place, then the learner's attestation. Camille is admitted in a
// 2nd-semester course of the Voltaire establishment; the director confirms
// her enrolment. Camille makes a payment link ("Faire payer par un tiers");
// an anonymous browser — her social worker — opens it, sees her first name
// and initial, the course and the amount, gives a name and an email (and
// an amount slipped into the form, ignored), pays through the PayFiP
// simulator and lands on a public thank-you page. The link then says it was
// used. Camille's page shows "Payé par …", her receipt is a PDF, another
// learner (Yasmine) and the staff get nothing of hers; she asks a payment attestation, downloads
// it, and its verification page says valid. Every page passes axe-core at
// phone and desktop width.
func TestThirdPartyJourney_PAY4_PAY7_PAY2(t *testing.T) {
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
	var x *catalogue.Entry
	for _, e := range ix.All() {
		if e.Session.Code == demo.SessionSemester2Code && e.Formation.Evaluation == domain.EvaluationNone && !e.RemoteNow &&
			e.Establishment != nil && strings.Contains(e.Establishment.Name, "Voltaire") && !e.FirstClass.IsZero() && e.Capacity >= 2 {
			x = e
			break
		}
	}
	if x == nil {
		t.Fatal("the demo's Voltaire establishment has no 2nd-semester course without a test")
	}
	session := x.Session
	clock.Store(session.CandidatureCloses.End().Add(-48 * time.Hour).UnixNano())
	person := func(subject, email, first, last string) accounts.Identity {
		return accounts.Identity{Issuer: base + "/dev-idp", Subject: subject, Email: email, EmailVerified: true,
			FirstName: first, LastName: last, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}
	}
	f.apply(t, person("demo-candidate-1", "camille.martin@exemple.fr", "Camille", "Martin"), x.ID)
	clock.Store(session.AnswerOpens.Add(time.Hour).UnixNano())
	f.publish(t, session.ID, base, now)
	// No half-tariff claim to check: the fee is known at once.
	if _, err := f.st.DB().W.Exec(`UPDATE candidatures SET half_tariff_claim = FALSE WHERE accepted_course_id = $1`, x.ID); err != nil {
		t.Fatal(err)
	}

	fc := x.FirstClass
	clock.Store(time.Date(fc.Year(), fc.Month(), fc.Day(), 20, 45, 0, 0, domain.Paris()).UnixNano())
	director := newBrowser(t, tools)
	signIn(director, base, directorPersona)
	director.navigate(base + "/back-office/cours/" + idText(x.ID) + "/inscriptions")
	director.activate("main form#confirmer button[name=tous]", "Confirmer toutes les inscriptions")
	if msg := doneMessage(director); !strings.Contains(msg, "confirmée") {
		t.Fatalf("after confirming: %q at %s", msg, director.location())
	}

	// --- Camille makes a link for her social worker.
	camille := newBrowser(t, tools)
	signIn(camille, base, camillePersona)
	camille.navigate(base + "/historique-et-paiement")
	camille.activate("main form[action$='/lien-tiers'] button", "Faire payer par un tiers")
	link := eval[string](camille, `document.querySelector('main input.token-value').value`)
	if !strings.HasPrefix(link, base+"/paiement-tiers/") || len(link) < len(base+"/paiement-tiers/")+43 {
		t.Fatalf("the payment link %q", link)
	}
	if mailto := eval[string](camille, `decodeURIComponent(document.querySelector('main a[href^="mailto:"]').href)`); !strings.Contains(mailto, strings.TrimPrefix(link, base)) {
		t.Errorf("the mailto: link does not carry the payment link: %s", mailto)
	}
	camille.checkA11y("historique et paiement, a link just made", 20*time.Second)
	camille.screenshot("thirdparty-link-made-desktop")
	camille.emulatePhone()
	camille.screenshot("thirdparty-link-made-phone")
	camille.emulateDesktop()

	// --- The social worker, without an account.
	worker := newBrowser(t, tools)
	worker.navigate(link)
	text := eval[string](worker, `document.querySelector('main').innerText`)
	for _, want := range []string{"Camille M.", x.Code, "Voltaire", "€"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the link's page does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Martin") {
		t.Errorf("the link's page gives the learner's full last name:\n%s", text)
	}
	worker.checkA11y("the third party's payment page", 20*time.Second)
	worker.emulatePhone()
	worker.screenshot("thirdparty-page-phone")
	worker.emulateDesktop()
	// The name is required.
	worker.activate("main form button[type=submit]", "Payer par carte bancaire")
	if msg := eval[string](worker, `(document.querySelector('main .error-summary') || {textContent: ''}).textContent.trim()`); !strings.Contains(msg, "nom du payeur") {
		t.Fatalf("without a name: %q", msg)
	}
	worker.checkA11y("the third party's page with errors", 20*time.Second)
	due := eval[string](worker, `[...document.querySelectorAll('main dl.facts div')].find(d => d.querySelector('dt').textContent.includes('Montant')).querySelector('dd').textContent.trim()`)
	worker.do("fill the payer", 5*time.Second, jsDo(`(() => {
		document.getElementById('payeur').value = 'Service social du 11e — Mme Diallo';
		document.getElementById('courriel').value = 'social11@exemple.fr';
		const f = document.querySelector('main form');
		const m = document.createElement('input'); m.type = 'hidden'; m.name = 'montant'; m.value = '1'; f.appendChild(m);
		const a = document.createElement('input'); a.type = 'hidden'; a.name = 'amount_cents'; a.value = '1'; f.appendChild(a); })()`))
	worker.activate("main form button[type=submit]", "Payer par carte bancaire")
	if p := eval[string](worker, `location.pathname`); p != "/dev/payfip/paiement" {
		t.Fatalf("not on the PayFiP simulator's page: %s", worker.location())
	}
	amount := strings.TrimSuffix(strings.TrimSpace(strings.ReplaceAll(due, "\u00a0", " ")), " €")
	if page := eval[string](worker, `document.body.innerText`); !strings.Contains(strings.ReplaceAll(page, "\u00a0", " "), amount) {
		t.Fatalf("the simulator's page does not ask %s (the amount posted was 0,01):\n%s", amount, page)
	}
	worker.activate("button[value='P']", "Payer (carte acceptée)")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if eval[bool](worker, `location.pathname === '/paiement-tiers/resultat' && document.readyState === 'complete'`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not back from PayFiP: %s", worker.location())
		}
	}
	if msg := doneMessage(worker); !strings.HasPrefix(msg, "Merci : le paiement est enregistré") {
		t.Fatalf("after paying: %q", msg)
	}
	worker.checkA11y("the third party's thank-you page", 20*time.Second)
	worker.screenshot("thirdparty-paid-desktop")
	// The link is used up.
	worker.navigate(link)
	if msg := eval[string](worker, `document.querySelector('main .error-summary').textContent.trim()`); !strings.Contains(msg, "déjà servi") {
		t.Fatalf("the link replayed says %q", msg)
	}
	if worker.exists("main form button[type=submit]") {
		t.Error("a used link still offers to pay")
	}
	worker.screenshot("thirdparty-used-desktop")
	// A token made up: unknown.
	worker.navigate(base + "/paiement-tiers/" + strings.Repeat("A", 43))
	if msg := eval[string](worker, `document.querySelector('main .error-summary').textContent.trim()`); !strings.Contains(msg, "inconnu") {
		t.Fatalf("a made-up link says %q", msg)
	}

	// --- Camille: paid by her social worker; the receipt; the attestation.
	waitMail(camille, base, "camille.martin@exemple.fr", "Paiement reçu : « "+x.Formation.Title+" »")
	camille.navigate(base + "/historique-et-paiement")
	if text := eval[string](camille, `document.querySelector('main').innerText`); !strings.Contains(text, "Payé par") ||
		!strings.Contains(text, "Service social du 11e — Mme Diallo") {
		t.Fatalf("the page does not say who paid:\n%s", text)
	}
	receipt := eval[string](camille, `document.querySelector('main a[href$="/recu.pdf"]').getAttribute('href')`)
	if got := fetchDoc(camille, receipt); got.Status != 200 || got.Type != "application/pdf" || got.Head != "%PDF-" {
		t.Fatalf("the receipt: %+v", got)
	}
	director.navigate(base + "/back-office/cours/" + idText(x.ID) + "/inscriptions")
	if text := eval[string](director, `document.querySelector('main table').innerText`); !strings.Contains(text, "Service social du 11e") {
		t.Errorf("the enrolment list does not name the third party:\n%s", text)
	}
	director.checkA11y("the enrolment list, paid by a third party", 20*time.Second)
	director.screenshot("thirdparty-roster-paid-desktop")
	staffReceipt := eval[string](director, `document.querySelector('main table a[href$="/recu.pdf"]').getAttribute('href')`)
	if got := fetchDoc(director, staffReceipt); got.Status != 200 || got.Head != "%PDF-" {
		t.Fatalf("the director's receipt: %+v", got)
	}
	camille.activate("main form[action$='/attestation-paiement'] button", "Demander une attestation de paiement")
	if msg := doneMessage(camille); !strings.Contains(msg, "attestation n° A") {
		t.Fatalf("after asking the attestation: %q", msg)
	}
	camille.checkA11y("historique et paiement, paid by a third party", 20*time.Second)
	camille.screenshot("thirdparty-learner-paid-desktop")
	camille.emulatePhone()
	camille.screenshot("thirdparty-learner-paid-phone")
	camille.emulateDesktop()
	attestation := eval[string](camille, `document.querySelector('main a[href$="/attestation-paiement.pdf"]').getAttribute('href')`)
	if got := fetchDoc(camille, attestation); got.Status != 200 || got.Head != "%PDF-" {
		t.Fatalf("the attestation: %+v", got)
	}
	// Both as pages too (PAY-2, PAY-7): the same words as the PDF, the
	// third party named, the notice of PAY-8.
	camille.navigate(base + strings.TrimSuffix(receipt, ".pdf"))
	if text := eval[string](camille, `document.querySelector('main').innerText`); !strings.Contains(text, "Reçu de paiement") ||
		!strings.Contains(text, "Service social du 11e — Mme Diallo (tiers payeur)") || !strings.Contains(text, "n'est pas une facture") {
		t.Errorf("the receipt's page:\n%s", text)
	}
	camille.checkA11y("the receipt's page", 20*time.Second)
	camille.navigate(base + strings.TrimSuffix(attestation, ".pdf"))
	if text := eval[string](camille, `document.querySelector('main').innerText`); !strings.Contains(text, "Attestation de paiement") ||
		!strings.Contains(text, "réglé pour son compte par Service social du 11e") || !strings.Contains(text, "ni un devis ni une facture") {
		t.Errorf("the attestation's page:\n%s", text)
	}
	camille.checkA11y("the attestation's page", 20*time.Second)
	camille.emulatePhone()
	camille.screenshot("attestation-payment-page-phone")
	camille.emulateDesktop()
	camille.navigate(base + "/historique-et-paiement")
	// A second click: the same attestation, no second one.
	if camille.exists("main form[action$='/attestation-paiement'] button") {
		t.Error("the button still offers to ask the attestation asked for")
	}
	waitMail(camille, base, "camille.martin@exemple.fr", "Votre attestation est disponible")

	// Someone else gets nothing of Camille's: another learner, and staff.
	yasmine := newBrowser(t, tools)
	signIn(yasmine, base, "Yasmine Benali — Candidate adulte")
	for _, b := range []*browser{yasmine, director} {
		for _, path := range []string{receipt, attestation} {
			if got := fetchDoc(b, path); got.Status != 403 && got.Status != 404 {
				t.Errorf("someone else on Camille's %s: %d %s", path, got.Status, got.Head)
			}
		}
	}

	// The verification page, as the attestation's QR code leads.
	token := attestationToken(t, f, now)
	worker.navigate(base + "/attestation/" + token)
	if v := eval[string](worker, `document.querySelector('main .scan-verdict').textContent.trim()`); v != "Attestation valide" {
		t.Fatalf("the verification says %q", v)
	}
	if text := eval[string](worker, `document.querySelector('main').innerText`); !strings.Contains(text, "Camille Martin") ||
		!strings.Contains(text, "Attestation de paiement") || !strings.Contains(text, "Service social du 11e") {
		t.Errorf("the verification page:\n%s", text)
	}
	worker.checkA11y("the attestation's verification, valid", 20*time.Second)
	worker.emulatePhone()
	worker.screenshot("thirdparty-attestation-valid-phone")
	worker.emulateDesktop()
	worker.navigate(base + "/attestation/" + strings.Repeat("B", 32))
	if v := eval[string](worker, `document.querySelector('main .scan-verdict').textContent.trim()`); v != "Attestation inconnue" {
		t.Fatalf("a forged attestation says %q", v)
	}
	worker.checkA11y("the attestation's verification, unknown", 20*time.Second)
}
