package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCatalogueImportJourney_CAT3_ROLE5: the central service checks a
// spreadsheet of the 2nd semester's courses on the import page; a file with
// mistakes lists each by row and column and imports nothing, a clean file
// shows what it would create, and "Importer" imports it, the page following
// the progress. Every page passes axe-core at desktop and phone width.
func TestCatalogueImportJourney_CAT3_ROLE5(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	signIn(b, base, centralPersona)
	dir := t.TempDir()
	header := "\ufeffcode;code formation;code établissement;salle;jour;début;fin;capacité;distanciel\r\n"
	bad := filepath.Join(dir, "cours-erreurs.csv")
	good := filepath.Join(dir, "cours.csv")
	os.WriteFile(bad, []byte(header+
		"N-1;F-NOPE;E-07-SUFFREN;Salle 103;lundi;18:00;20:00;20;non\r\n"+
		"N-2;F-ANGLAIS-DEB;E-99-NULLE;Salle 103;mardi;21:00;18:00;20;non\r\n"+
		"N-2;F-ANGLAIS-DEB;E-07-SUFFREN;Salle 103;mercredi;18:00;20:00;90;peut-être\r\n"), 0o600)
	os.WriteFile(good, []byte(header+
		"N-1;F-ANGLAIS-DEB;E-07-SUFFREN;Salle 103;samedi;14:00;16:00;20;non\r\n"+
		"N-2;F-ANGLAIS-DEB;E-07-SUFFREN;Salle 103;samedi;16:00;18:00;22;oui\r\n"), 0o600)
	page := base + "/back-office/catalogue/sessions/3/import" // the 2nd semester
	b.navigate(page)
	if h := eval[string](b, `document.querySelector("h1").textContent`); !strings.Contains(h, "Import") {
		t.Fatalf("import page title %q", h)
	}
	b.checkA11y("import page", 20*time.Second)

	b.do("choose the file with mistakes", 5*time.Second, chromedp.SetUploadFiles(chromedp.CSS(`#fichier`), []string{bad}))
	b.activate("button[type=submit]", "Vérifier le fichier")
	cells := eval[string](b, `[...document.querySelectorAll("tbody tr")].map(r => r.innerText).join("\n")`)
	for _, want := range []string{"F-NOPE", "E-99-NULLE", "finir après", "ligne 3", "au plus 25", "« oui » ou « non »"} {
		if !strings.Contains(cells, want) {
			t.Errorf("problems table lacks %q:\n%s", want, cells)
		}
	}
	b.checkA11y("import problems", 20*time.Second)
	b.emulatePhone()
	b.screenshot("import-problems-390")
	b.emulateDesktop()
	b.screenshot("import-problems-1280")

	b.do("choose the clean file", 5*time.Second, chromedp.SetUploadFiles(chromedp.CSS(`#fichier`), []string{good}))
	b.activate("button[type=submit]", "Vérifier le fichier")
	counts := eval[string](b, `document.querySelector("#resultat-titre").parentElement.innerText`)
	if !strings.Contains(counts, "2 cours à créer") {
		t.Fatalf("dry run of the clean file: %s", counts)
	}
	b.checkA11y("import counts", 20*time.Second)
	b.emulatePhone()
	b.screenshot("import-counts-390")
	b.emulateDesktop()
	b.screenshot("import-counts-1280")

	b.activate("button[type=submit]", "Importer")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(eval[string](b, `document.body.innerText`), "2 cours créés") {
		if time.Now().After(deadline) {
			t.Fatalf("import not done: %s", eval[string](b, `document.querySelector("main").innerText`))
		}
		time.Sleep(500 * time.Millisecond)
		b.navigate(page)
	}
}
