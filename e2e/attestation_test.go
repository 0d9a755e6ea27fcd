package e2e

import (
	"strings"
	"testing"
	"time"

	"cma/internal/domain"
)

const (
	assiduousPersona = "Amandine Roux — Apprenante assidue d'un cours annuel (Voltaire)"
	absentPersona    = "Bruno Lemaire — Apprenant souvent absent d'un cours annuel (Voltaire)"
)

// TestAttendanceAttestation_ATT2: on a phone, the demo's assiduous learner
// (always present since September) finds on "mon parcours" the button of the
// attestation d'assiduité, asks for it, reads it as a page, downloads its
// PDF, and the address of its QR code opens the public verification page,
// which says it is genuine; the learner absent every other meeting finds no
// button but the reason. Every page passes axe-core.
func TestAttendanceAttestation_ATT2(t *testing.T) {
	tools := needBrowser(t)
	now := func() time.Time { return time.Date(2026, time.November, 20, 10, 0, 0, 0, domain.Paris()) }
	base, _ := startServerWith(t, now, []string{"--demo-candidatures"}, nil)

	b := newBrowser(t, tools)
	b.emulatePhone()
	signIn(b, base, assiduousPersona)
	b.navigate(base + "/mon-parcours")
	page := eval[string](b, `document.querySelector('main').innerText`)
	if !strings.Contains(page, "100,0\u00a0%") || !strings.Contains(page, "Obtenir mon attestation d'assiduité") {
		t.Fatalf("mon parcours of the assiduous learner:\n%s", page)
	}
	b.checkA11y("mon parcours with the attestation's button, on a phone", 30*time.Second)
	b.noHorizontalScroll("mon parcours")
	b.screenshot("attestation-journey-phone")

	b.activate("main form[action$='/attestation'] button", "Obtenir mon attestation d'assiduité")
	if p := b.location(); !strings.HasPrefix(p, "/mon-parcours/attestation/") {
		t.Fatalf("after asking: %s", p)
	}
	doc := eval[string](b, `document.querySelector('main').innerText`)
	for _, want := range []string{"Attestation d'assiduité", "Amandine Roux", "Taux d'assiduité", "100,0\u00a0%", "Heures de présence"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the attestation's page does not say %q:\n%s", want, doc)
		}
	}
	b.checkA11y("the attestation d'assiduité as a page, on a phone", 30*time.Second)
	b.noHorizontalScroll("the attestation's page")
	b.screenshot("attestation-page-phone")

	pdf := eval[string](b, `document.querySelector('main a[href$=".pdf"]').getAttribute('href')`)
	if f := fetchDoc(b, pdf); f.Status != 200 || f.Type != "application/pdf" || f.Head != "%PDF-" {
		t.Fatalf("the attestation's PDF %s: %+v", pdf, f)
	}
	verify := eval[string](b, `new URL(document.querySelector('main code.scan-url').textContent.trim()).pathname`)
	if !strings.HasPrefix(verify, "/attestation-assiduite/") {
		t.Fatalf("the QR code's address: %s", verify)
	}

	// Anyone holding the paper: the verification page, without a session.
	anyone := newBrowser(t, tools)
	anyone.emulatePhone()
	anyone.navigate(base + verify)
	check := eval[string](anyone, `document.querySelector('main').innerText`)
	if !strings.Contains(check, "Attestation d'assiduité authentique") || !strings.Contains(check, "Amandine Roux") ||
		!strings.Contains(check, "100,0\u00a0%") {
		t.Fatalf("the verification page:\n%s", check)
	}
	anyone.checkA11y("the attestation's verification page, on a phone", 30*time.Second)
	anyone.screenshot("attestation-verify-phone")
	anyone.navigate(base + verify + "x")
	if check := eval[string](anyone, `document.querySelector('main').innerText`); !strings.Contains(check, "Attestation d'assiduité inconnue") {
		t.Fatalf("a forged address:\n%s", check)
	}

	// The learner under 75 %: no button, the reason.
	c := newBrowser(t, tools)
	c.emulatePhone()
	signIn(c, base, absentPersona)
	c.navigate(base + "/mon-parcours")
	page = eval[string](c, `document.querySelector('main').innerText`)
	if strings.Contains(page, "Obtenir mon attestation") || !strings.Contains(page, "inférieur aux 75 % des heures du cours requis") {
		t.Fatalf("mon parcours of the learner under 75 %%:\n%s", page)
	}
	if n := eval[int](c, `document.querySelectorAll('main form[action$="/attestation"]').length`); n != 0 {
		t.Fatalf("%d attestation forms for the learner under 75 %%", n)
	}
	c.checkA11y("mon parcours under 75 %, on a phone", 30*time.Second)
	c.screenshot("attestation-journey-under-phone")
}
