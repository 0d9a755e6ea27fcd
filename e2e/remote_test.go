package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRemoteAndHolidaysJourney_CAT5_CAT6: the central service checks a file
// that is not a calendar (refused in French), then the ministry's calendar
// (the dry run lists zone C's periods) and imports it (CAT-5); a group switch
// without a reason is refused next to the field; a candidate's course is
// switched to remote from its staff page, and the candidate sees the notice
// with the reason on the public page and in her space (CAT-6, CON-2). Every
// page passes axe-core at 390 px and at 1280 px.
func TestRemoteAndHolidaysJourney_CAT5_CAT6(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	_, courses := openSessionCourses(t, base)
	course := courses[0]
	b.validateCourse(base, yasminePersona, course)

	b.signInAs(base, "Pierre Bernard — Service central des CMA")
	shot := func(name string) {
		b.t.Helper()
		b.checkA11y(name, 20*time.Second)
		b.emulatePhone()
		b.screenshot(name + "-390")
		b.emulateDesktop()
		b.screenshot(name + "-1280")
	}
	upload := func(path string) {
		b.t.Helper()
		b.do("choose "+path, 5*time.Second, chromedp.SetUploadFiles(chromedp.CSS(`#fichier`), []string{path}))
		b.activate("form button[type=submit]", "Vérifier le fichier")
	}
	b.navigate(base + "/back-office/catalogue/vacances")
	bad := filepath.Join(t.TempDir(), "vacances.csv")
	os.WriteFile(bad, []byte("date;zone\n2027-02-13;C\n"), 0o600)
	upload(bad)
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "n'est pas un calendrier iCalendar") {
		t.Fatalf("no error for a CSV: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("holidays-error")
	ics, _ := filepath.Abs("../internal/catalogue/testdata/calendrier-scolaire-2026-2027.ics")
	upload(ics)
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "20 février 2027") {
		t.Fatalf("dry run: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("holidays-dry-run")
	b.activate("form button[type=submit]", "Importer ces périodes")
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "périodes importées") {
		t.Fatalf("import: %s", eval[string](b, `document.querySelector('main').innerText`))
	}

	b.navigate(base + "/back-office/catalogue/distanciel")
	b.activate("form button[type=submit]", "Appliquer et prévenir les candidats")
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "Indiquez le motif") {
		t.Fatalf("no reason error: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("remote-error")

	b.navigate(base + "/back-office/cours/" + strconv.FormatInt(course.ID, 10))
	b.typeInto("motif", "Travaux dans le gymnase")
	b.activate("form button[type=submit]", "Passer ce cours à distance et prévenir les candidats")
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "prévenue") {
		t.Fatalf("switch: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("remote-staff-course")
	b.navigate(base + "/back-office/catalogue/distanciel")
	shot("remote-page")

	b.signInAs(base, yasminePersona)
	b.navigate(base + course.URL)
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "Motif : Travaux dans le gymnase") {
		t.Fatalf("public page: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("remote-public-course")
	b.navigate(base + "/mes-candidatures")
	if !strings.Contains(eval[string](b, `document.querySelector('main').innerText`), "Ce cours a lieu à distance. Motif : Travaux dans le gymnase") {
		t.Fatalf("space: %s", eval[string](b, `document.querySelector('main').innerText`))
	}
	shot("remote-candidate-space")
}
