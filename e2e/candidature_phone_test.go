package e2e

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	halfOnRecap  = "demi-tarif demandé, sous réserve de vérification du justificatif"
	halfInEmail  = "demi-tarif demandé sous réserve de vérification du justificatif"
	proofAgain   = "choisissez-le de nouveau"
	tooBigProof  = "Le justificatif ne doit pas dépasser 5 Mo."
	cancelNotice = "elle ne peut pas être défaite"
)

var referenceRe = regexp.MustCompile(`CMA-[0-9A-Z]{5}-[0-9A-Z]{5}`)

// proofFiles writes the journey's proofs: one over 5 MB, one valid PNG.
func proofFiles(t *testing.T) (tooBig, good string) {
	t.Helper()
	dir := t.TempDir()
	tooBig, good = filepath.Join(dir, "attestation-scannee.pdf"), filepath.Join(dir, "attestation.png")
	big := append([]byte("%PDF-1.7\n"), make([]byte, 7<<20)...)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 300))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tooBig, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return tooBig, good
}

// TestCandidatePhoneJourney_CAN4_CAN5_CAN9_CON2 is a candidate on a phone
// (375 px): signed in, three courses in the basket, each with its price; the
// validation form sent with a proof too large comes back with every answer
// kept and says the file must be chosen again; with a good proof, the recap
// lists the courses with their half tariff requested, subject to the proof's
// check; "Valider définitivement" lands in the space, where each course shows
// its half tariff and the validation's reference; the confirmation email (in
// the demo's mail sink and its copy in the space) shows the half tariff and
// the reference; a candidature is cancelled through its confirmation page and
// the cancellation email names the course. Every page is axe-core clean, and
// none of the platform's scrolls sideways.
func TestCandidatePhoneJourney_CAN4_CAN5_CAN9_CON2(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	b.do("emulate a 375×812 phone", 5*time.Second, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
	tooBig, good := proofFiles(t)
	step := func(name string) {
		t.Helper()
		b.checkA11y(name+" at 375 px", 20*time.Second)
		b.noHorizontalScroll(name)
	}

	_, courses := openSessionCourses(t, base)
	four, _ := pickCourses(t, courses)
	if p := signIn(b, base, yasminePersona); p == "/connexion" || strings.HasPrefix(p, "/dev-idp/") {
		t.Fatalf("after choosing %q: location %s, want to be signed in", yasminePersona, b.location())
	}

	// --- The search a candidate starts from: the open filter is on, every result says until when.
	b.navigate(base + "/catalogue?q=anglais")
	if !eval[bool](b, `document.getElementById('ouverts').checked`) {
		t.Errorf("phone search: the \"ouverts aux candidatures\" box is not checked while a session is open")
	}
	if n := eval[int](b, `[...document.querySelectorAll('.result')].filter(r => !r.querySelector('.badge-open')).length`); n != 0 {
		t.Errorf("phone search with the open filter: %d results without the \"Candidatures ouvertes\" badge", n)
	}
	if n := eval[int](b, `document.querySelectorAll('.result').length`); n == 0 {
		t.Errorf("phone search for anglais with the open filter: no result")
	}
	step("/catalogue?q=anglais with the open filter")

	// --- Three courses, each with its price in the basket (money from the first step).
	for _, c := range four[:3] {
		b.navigate(base + c.URL)
		b.activate("form[action='/panier/ajouter'] button[type=submit]", addButton)
		if p := eval[string](b, `location.pathname`); p != "/panier" {
			t.Fatalf("after adding %s: location %s", c.Code, b.location())
		}
	}
	type priced struct{ Title, Price string }
	items := eval[[]priced](b, `[...document.querySelectorAll('main .result-list .result')].map(r => ({Title: r.querySelector('h2').textContent.trim(),
		Price: ([...r.querySelectorAll('dt')].find(dt => dt.textContent.trim().startsWith('Tarif')) || {nextElementSibling: {textContent: ''}}).nextElementSibling.textContent.trim()}))`)
	if len(items) != 3 {
		t.Fatalf("/panier lists %v, want 3 courses", items)
	}
	for _, it := range items {
		if !strings.Contains(it.Price, "€") || !strings.Contains(it.Price, "demi-tarif") {
			t.Errorf("basket: %q shows the price %q, want the price and its half tariff", it.Title, it.Price)
		}
	}
	step("/panier with three courses")

	// --- The form, with a proof too large: refused, every answer kept.
	motivation := "Parler avec ma famille à Lisbonne et préparer un voyage."
	b.do("fill in the validation form", 15*time.Second,
		chromedp.Click(chromedp.CSS(`#objectif`)),
		chromedp.SendKeys(chromedp.CSS(`#motivation`), motivation),
		chromedp.Click(chromedp.CSS(`#rsa`)),
		chromedp.Click(chromedp.CSS(`#reglement`)),
		chromedp.Click(chromedp.CSS(`#demi_tarif`)),
		chromedp.SendKeys(chromedp.CSS(`#date_justificatif`), "01/09/2026"),
		chromedp.SetUploadFiles(chromedp.CSS(`#justificatif`), []string{tooBig}),
	)
	if hint := eval[string](b, `document.getElementById('motivation-hint').textContent + ' ' + document.getElementById('motivation').maxLength`); !strings.Contains(hint, "2 000 caractères au plus") || !strings.HasSuffix(hint, "2000") {
		t.Errorf("the motivation's limit before one types: %q", hint)
	}
	b.screenshot("phone-form-filled")
	b.activate("form[action='/panier/recapitulatif'] button[type=submit]", recapButton)
	type kept struct {
		Motivation, Date, Objective, Again, Summary, FileError string
		RSA, Rules, Half                                       bool
	}
	k := eval[kept](b, `(() => { const v = id => document.getElementById(id), s = document.querySelector('.error-summary[aria-labelledby="error-summary-title"]');
		return {Motivation: v('motivation').value, Date: v('date_justificatif').value,
			Objective: (document.querySelector('input[name=objectif]:checked') || {value: ''}).value,
			Again: (v('justificatif-again') || {textContent: ''}).textContent.trim(),
			Summary: s ? [...s.querySelectorAll('a')].map(a => a.getAttribute('href') + ' ' + a.textContent.trim()).join(' | ') : '',
			FileError: (v('justificatif-error') || {textContent: ''}).textContent.trim(),
			RSA: v('rsa').checked, Rules: v('reglement').checked, Half: v('demi_tarif').checked}; })()`)
	if k.Motivation != motivation || k.Date != "01/09/2026" || k.Objective == "" || !k.RSA || !k.Rules || !k.Half {
		t.Errorf("CAN-9 the refused form lost answers: %+v", k)
	}
	if !strings.Contains(k.Again, proofAgain) || k.FileError != tooBigProof || !strings.Contains(k.Summary, "#justificatif "+tooBigProof) {
		t.Errorf("CAN-9 the refused form: file notice %q, error %q, summary %q", k.Again, k.FileError, k.Summary)
	}
	step("/panier with the proof refused")
	b.screenshot("phone-proof-refused")

	// --- The good proof: the recap, with the half tariff requested.
	b.do("choose the proof again", 5*time.Second, chromedp.SetUploadFiles(chromedp.CSS(`#justificatif`), []string{good}))
	b.activate("form[action='/panier/recapitulatif'] button[type=submit]", recapButton)
	if p := b.location(); p != "/panier/recapitulatif" {
		t.Fatalf("after the good proof: location %s (errors: %s)", p,
			eval[string](b, `[...document.querySelectorAll('.error-summary li, .error-message')].map(e => e.textContent.trim()).join(' | ')`))
	}
	type recap struct {
		Courses         []priced
		Facts, Buttons  string
		FirstClassCount int
	}
	rc := eval[recap](b, `(() => { const main = document.querySelector('main');
		return {Courses: [...main.querySelectorAll('.result-list .result')].map(r => ({Title: r.querySelector('h3').textContent.trim(),
			Price: [...r.querySelectorAll('dt')].find(dt => dt.textContent.trim() === 'Tarif').nextElementSibling.textContent.trim()})),
			FirstClassCount: [...main.querySelectorAll('dt')].filter(dt => dt.textContent.trim() === 'Premier cours').length,
			Facts: [...main.querySelectorAll('dl')].pop().textContent,
			Buttons: [...main.querySelectorAll('button')].map(x => x.textContent.trim()).join(' | ')}; })()`)
	if len(rc.Courses) != 3 || rc.FirstClassCount != 3 || rc.Buttons != validateButton {
		t.Errorf("CAN-4 recap: %+v", rc)
	}
	for _, c := range rc.Courses {
		if !strings.Contains(c.Price, halfOnRecap) {
			t.Errorf("CAN-9 recap: %q priced %q, want the half tariff requested", c.Title, c.Price)
		}
	}
	for _, want := range []string{"Demandé, avec un justificatif délivré le 1er septembre 2026", "Accepté, version", "au demi-tarif"} {
		if !strings.Contains(rc.Facts, want) {
			t.Errorf("CAN-4 recap facts lack %q: %s", want, rc.Facts)
		}
	}
	step("the recap")
	b.screenshot("phone-recap")

	// --- Validate for good.
	b.activate("form[action='/panier/valider'] button[type=submit]", validateButton)
	if loc := b.location(); loc != "/mes-candidatures?valide=1" {
		t.Fatalf("after validating: location %s", loc)
	}
	type row struct{ Title, Price, Reference string }
	rows := eval[[]row](b, `[...document.querySelectorAll('main section.panel')].map(s => { const f = l => ([...s.querySelectorAll('dt')].find(dt => dt.textContent.trim() === l) || {nextElementSibling: {textContent: ''}}).nextElementSibling.textContent.trim();
		return {Title: s.querySelector('h2').textContent.trim(), Price: f('Tarif'), Reference: f('Référence de la validation')}; })`)
	if len(rows) != 3 {
		t.Fatalf("/mes-candidatures shows %v, want 3 candidatures", rows)
	}
	ref := rows[0].Reference
	for _, r := range rows {
		if !strings.Contains(r.Price, halfOnRecap) || r.Reference != ref || !referenceRe.MatchString(ref) {
			t.Errorf("CAN-9 the space's %q: price %q, reference %q", r.Title, r.Price, r.Reference)
		}
	}
	step("/mes-candidatures after validating")
	b.screenshot("phone-space")

	// --- The confirmation email in the demo's mail sink: the half tariff and the reference.
	confirmation := b.sinkMessage(base, "candidatures aux Cours d'adultes sont enregistrées")
	for _, want := range []string{halfInEmail, "Référence de votre validation : " + ref, "3975"} {
		if !strings.Contains(confirmation, want) {
			t.Errorf("CAN-4 CAN-9 the confirmation email lacks %q:\n%s", want, confirmation)
		}
	}
	for _, c := range four[:3] {
		if !strings.Contains(confirmation, c.Formation.Title) {
			t.Errorf("the confirmation does not name %q", c.Formation.Title)
		}
	}
	// The development sink's pages have no style sheet: their text is wide, so
	// only axe runs there.
	b.checkA11y("the sink's confirmation at 375 px", 20*time.Second)

	// --- Cancel one candidature, after its confirmation page.
	gone := four[1]
	b.navigate(base + "/mes-candidatures")
	b.activate("main a[href$='/annuler']", "Annuler ma candidature en « "+gone.Formation.Title+" »")
	page := eval[string](b, `document.querySelector('main').textContent`)
	if !strings.Contains(page, cancelNotice) || !strings.Contains(page, gone.Formation.Title) || !strings.Contains(page, ref) {
		t.Errorf("CAN-5 the confirmation page:\n%s", page)
	}
	step("the cancellation's confirmation page")
	b.screenshot("phone-cancel-confirm")
	b.activate("main form[action$='/annuler'] button[type=submit]", "Oui, annuler ma candidature en « "+gone.Formation.Title+" »")
	if msg := eval[string](b, `document.querySelector('main .success[role=status]').textContent.trim()`); !strings.Contains(msg, "« "+gone.Formation.Title+" »") {
		t.Errorf("CAN-5 the cancellation message %q does not name the course", msg)
	}
	copies := eval[[]string](b, `[...document.querySelectorAll('main details.panel summary')].map(s => s.textContent.trim())`)
	if !slices.ContainsFunc(copies, func(s string) bool {
		return strings.HasSuffix(s, "Votre candidature en « "+gone.Formation.Title+" » est annulée")
	}) {
		t.Errorf("CON-2 no copy of the cancellation email in the space: %q", copies)
	}
	step("/mes-candidatures after cancelling")
	cancellation := b.sinkMessage(base, "« "+gone.Formation.Title+" » est annulée")
	if !strings.Contains(cancellation, "définitive") || !strings.Contains(cancellation, ref) {
		t.Errorf("CAN-5 the cancellation email:\n%s", cancellation)
	}
	b.checkA11y("the sink's cancellation at 375 px", 20*time.Second)
}

// sinkMessage waits for a message to Yasmine whose subject contains subject in
// the demo's mail sink, opens it and returns its text.
func (b *browser) sinkMessage(base, subject string) string {
	b.t.Helper()
	type row struct{ To, Subject, Href string }
	const readRows = `[...document.querySelectorAll('main table tbody tr')].map(tr => ({To: tr.cells[1].textContent.trim(),
		Subject: tr.cells[2].textContent.trim(), Href: tr.cells[2].querySelector('a').getAttribute('href')}))`
	for deadline := time.Now().Add(10 * time.Second); ; {
		b.navigate(base + "/dev/courriels")
		rows := eval[[]row](b, readRows)
		if i := slices.IndexFunc(rows, func(r row) bool { return strings.Contains(r.To, yasmineEmail) && strings.Contains(r.Subject, subject) }); i >= 0 {
			b.navigate(base + rows[i].Href)
			return eval[string](b, `(document.querySelector('main pre') || {textContent: ''}).textContent`)
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mail sink: no message %q to %s after 10s: %v", subject, yasmineEmail, rows)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
