package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cma/internal/domain"
)

const certifiedPersona = "Inès Moreau — Candidate adulte avec des candidatures à la session annuelle"

// TestCertificateJourney_CER1_CER2: the demo's previous year ended with
// evaluations. On a phone, Inès finds her certificate of competences in
// "mon parcours", reads it and its QR code's page says it is genuine; the
// next level, which asks for it, goes into her basket, while Camille,
// without it, is told why not. The central service's dashboard shows the two
// certificates late and delivers them (CER-1, CER-2, ROLE-5).
func TestCertificateJourney_CER1_CER2(t *testing.T) {
	tools := needBrowser(t)
	now := func() time.Time { return time.Date(2026, time.December, 4, 10, 0, 0, 0, domain.Paris()) }
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	base, _ := startServerWith(t, now, []string{"--db", dbURL, "--demo-candidatures=true"}, nil)
	f := newFiler(t, dbURL, now)
	var certificate, next int64
	var number string
	if err := f.st.DB().R.QueryRow(`SELECT ce.id, ce.number, co.id FROM certificates ce JOIN accounts a ON a.id = ce.account_id
		JOIN formations nf ON nf.prerequisite_formation_id = ce.formation_id
		JOIN courses co ON co.formation_id = nf.id JOIN sessions s ON s.id = co.session_id
		WHERE a.email = 'ines.moreau@exemple.fr' AND s.code = '2026-2027-S2'
		AND NOT EXISTS (SELECT 1 FROM candidatures held JOIN courses o ON o.id IN (held.course_id, held.accepted_course_id)
			JOIN sessions hs ON hs.id = o.session_id
			JOIN accounts ha ON ha.id = held.account_id
			WHERE ha.email IN ('ines.moreau@exemple.fr', 'camille.martin@exemple.fr') AND hs.code LIKE '2026-2027-%' AND o.weekday = co.weekday)
		ORDER BY co.id LIMIT 1`).Scan(&certificate, &number, &next); err != nil {
		t.Fatalf("the demo gave Inès no certificate opening a second-semester course on a free day: %v", err)
	}

	ines := newBrowser(t, tools)
	ines.emulatePhone()
	signIn(ines, base, certifiedPersona)
	ines.navigate(base + "/mon-parcours")
	link := "main a[href='/mon-parcours/certificat/" + idText(certificate) + "']"
	if !ines.exists(link) {
		t.Fatalf("mon parcours has no link to the certificate:\n%s", eval[string](ines, `document.querySelector('main').innerText`))
	}
	ines.checkA11y("mon parcours with a certificate, phone", 30*time.Second)
	ines.navigate(base + "/mon-parcours/certificat/" + idText(certificate))
	text := eval[string](ines, `document.querySelector('main').innerText`)
	if !strings.Contains(text, "Certificat de compétences") || !strings.Contains(text, number) {
		t.Fatalf("the certificate's page: %q", text)
	}
	ines.checkA11y("the certificate, phone", 30*time.Second)
	ines.noHorizontalScroll("the certificate")
	ines.screenshot("certificate-phone")
	if f := fetchDoc(ines, "/mon-parcours/certificat/"+idText(certificate)+".pdf"); f.Status != 200 || f.Type != "application/pdf" || f.Head != "%PDF-" {
		t.Errorf("the certificate's PDF: %+v", f)
	}
	verify := eval[string](ines, `(document.querySelector('main code.scan-url') || {textContent: ''}).textContent.trim()`)
	if verify == "" {
		t.Fatalf("the certificate shows no verification address:\n%s", text)
	}
	ines.navigate(verify)
	if h := eval[string](ines, `document.querySelector('main .scan-verdict').textContent.trim()`); h != "Certificat authentique" {
		t.Fatalf("the QR code's page says %q", h)
	}
	ines.checkA11y("the certificate's verification page, phone", 30*time.Second)

	// The next level asks for the certificate: Inès's basket takes it, not
	// Camille's, a newcomer.
	ines.navigate(base + "/catalogue/cours/" + idText(next))
	ines.activate("form[action='/panier/ajouter'] button[type=submit]", addButton)
	if p := eval[string](ines, `location.pathname`); p != "/panier" {
		t.Fatalf("Inès adds the next level: at %s\n%s", ines.location(), eval[string](ines, `document.querySelector('main').innerText`))
	}
	camille := newBrowser(t, tools)
	camille.emulatePhone()
	signIn(camille, base, camillePersona)
	camille.navigate(base + "/catalogue/cours/" + idText(next))
	camille.activate("form[action='/panier/ajouter'] button[type=submit]", addButton)
	if text := eval[string](camille, `document.querySelector('main').innerText`); !strings.Contains(text, "certificat de compétences du niveau précédent") {
		t.Fatalf("Camille, without the certificate: at %s\n%s", camille.location(), text)
	}
	camille.checkA11y("the next level refused without the certificate, phone", 30*time.Second)
	camille.screenshot("certificate-refused-phone")

	// The central service delivers the late ones.
	central := newBrowser(t, tools)
	central.emulatePhone()
	signIn(central, base, centralPersona)
	central.navigate(base + "/back-office/certificats")
	if text := eval[string](central, `document.querySelector('main').innerText`); !strings.Contains(text, "2 certificat(s) en retard") {
		t.Fatalf("the dashboard: %q", text)
	}
	central.checkA11y("the certificates' dashboard, phone", 30*time.Second)
	central.noHorizontalScroll("the certificates' dashboard")
	central.screenshot("certificates-dashboard-phone")
	central.activate("main form[action$='/delivrer'] button", "Délivrer les 2 certificat(s)")
	if text := eval[string](central, `document.querySelector('main').innerText`); !strings.Contains(text, "0 à délivrer") {
		t.Fatalf("after delivering: %q", text)
	}
	// This year's courses end with an evaluation, its learners convoked.
	var annual int64
	if err := f.st.DB().R.QueryRow(`SELECT id FROM courses WHERE evaluation_date IS NOT NULL AND code NOT LIKE '%-2025' ORDER BY id LIMIT 1`).
		Scan(&annual); err != nil {
		t.Fatalf("no course of this year ends with an evaluation: %v", err)
	}
	central.navigate(base + "/back-office/cours/" + idText(annual) + "/evaluation")
	if text := eval[string](central, `document.querySelector('main').innerText`); !strings.Contains(text, "Évaluation le") ||
		!strings.Contains(text, "Les résultats se saisissent à partir du") {
		t.Fatalf("the evaluation of a course of this year: %q", text)
	}
	central.checkA11y("a course's evaluation before its day, phone", 30*time.Second)
	central.screenshot("evaluation-phone")
	var late int
	if err := f.st.DB().R.QueryRow(`SELECT COUNT(*) FROM evaluation_results r LEFT JOIN certificates c ON c.candidature_id = r.candidature_id
		WHERE r.result = 'passed' AND c.id IS NULL`).Scan(&late); err != nil || late != 0 {
		t.Fatalf("%d passed results without a certificate (%v)", late, err)
	}
}
