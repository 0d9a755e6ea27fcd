package app

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRemote_CAT6_pages: the director switches her own course to remote from
// its staff page, with a reason (ROLE-3); a missing reason is refused next to
// the field; another establishment's course is not hers. The public course
// page shows the notice with the reason, and each candidate of the course
// finds it on the candidature and the email's copy in her space (CON-2).
func TestRemote_CAT6_pages(t *testing.T) {
	c := newBOCity(t)
	own := "/back-office/cours/" + strconv.FormatInt(c.own.ID, 10)
	res, page := c.director.do(t, "POST", own+"/distanciel", url.Values{"mode": {"distanciel"}, "motif": {"  "}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Indiquez le motif du changement.") || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("no reason: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
	res, page = c.director.do(t, "POST", own+"/distanciel", url.Values{"mode": {"distanciel"}, "motif": {"Travaux dans le gymnase"}})
	if res.StatusCode != 200 || res.Request.URL.Path != own || !strings.Contains(page, "1 cours a changé de mode.") ||
		!strings.Contains(page, "2 personnes ont été prévenues") {
		t.Fatalf("switch: %d %s\n%.2000s", res.StatusCode, res.Request.URL, mainPart(page))
	}
	if res, _ := c.director.do(t, "POST", "/back-office/cours/"+strconv.FormatInt(c.foreign.ID, 10)+"/distanciel",
		url.Values{"mode": {"distanciel"}, "motif": {"Travaux"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("another establishment's course: %d", res.StatusCode)
	}
	// The same switch again: nothing changes, nobody is told.
	_, page = c.director.do(t, "POST", own+"/distanciel", url.Values{"mode": {"distanciel"}, "motif": {"Encore"}})
	if !strings.Contains(page, "Aucun cours n&#39;a changé") && !strings.Contains(page, "Aucun cours n'a changé") {
		t.Errorf("idempotent switch:\n%.1500s", mainPart(page))
	}

	anon := newBrowser(t, c.base)
	_, page = anon.do(t, "GET", "/catalogue/cours/"+strconv.FormatInt(c.own.ID, 10), nil)
	if !strings.Contains(page, "Ce cours a lieu à distance.") || !strings.Contains(page, "Motif : Travaux dans le gymnase") {
		t.Errorf("public page without the notice:\n%.2000s", mainPart(page))
	}
	// The search results show it too, with the reason.
	_, page = anon.do(t, "GET", "/catalogue?distanciel=oui&ouverts=&etablissement="+strconv.FormatInt(c.ownEst, 10), nil)
	if !strings.Contains(page, "/catalogue/cours/"+strconv.FormatInt(c.own.ID, 10)) || !strings.Contains(page, "Motif : Travaux dans le gymnase") {
		t.Errorf("search results without the remote notice:\n%.3000s", mainPart(page))
	}
	cand := newBrowser(t, c.base)
	cand.signIn(t, "demo-candidate-3")
	_, page = cand.do(t, "GET", "/mes-candidatures", nil)
	page = html.UnescapeString(page)
	if !strings.Contains(page, "Ce cours a lieu à distance. Motif : Travaux dans le gymnase") ||
		!strings.Contains(page, "Votre cours a désormais lieu à distance") {
		t.Errorf("candidate's space:\n%.3000s", mainPart(page))
	}
	// The central page lists it; a group switch without a reason is refused.
	_, page = c.central.do(t, "GET", "/back-office/catalogue/distanciel", nil)
	if !strings.Contains(page, c.own.Code) || !strings.Contains(page, "Travaux dans le gymnase") {
		t.Errorf("central page does not list the course:\n%.2000s", mainPart(page))
	}
	res, page = c.central.do(t, "POST", "/back-office/catalogue/distanciel", url.Values{"portee": {"formation"}, "mode": {"distanciel"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Indiquez le motif") || !strings.Contains(page, "Choisissez dans la liste.") {
		t.Errorf("group without reason nor formation: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
}

var contentField = regexp.MustCompile(`name="contenu" value="([^"]*)"`)

// postICS posts a calendar file to the school-holidays page.
func postICS(t *testing.T, b *browser, step string, file []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("etape", step)
	part, _ := w.CreateFormFile("fichier", "Zone-C.ics")
	part.Write(file)
	w.Close()
	req, _ := http.NewRequest("POST", b.base+"/back-office/catalogue/vacances", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return res, html.UnescapeString(out.String())
}

// TestHolidays_CAT5_public_page: the central service checks the ministry's
// calendar (a dry run listing zone C's periods), imports it, and the public
// course page's class meetings change: the winter holidays' weeks are no
// longer held. A file that is not an iCalendar gets its French error.
func TestHolidays_CAT5_public_page(t *testing.T) {
	c := newBOCity(t)
	file, err := os.ReadFile("../catalogue/testdata/calendrier-scolaire-2026-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	// First a calendar without the winter holidays.
	noWinter := regexp.MustCompile(`(?s)BEGIN:VEVENT\r\n[^B]*?DTSTART;VALUE=DATE:202702\d\d\r\n.*?END:VEVENT\r\n`).ReplaceAll(file, nil)
	if bytes.Contains(noWinter, []byte("Hiver")) {
		t.Fatal("the winter holidays are still in the file")
	}
	winter := func() int {
		_, page := newBrowser(t, c.base).do(t, "GET", "/catalogue/cours/"+strconv.FormatInt(c.own.ID, 10), nil)
		return strings.Count(html.UnescapeString(page), "Pas de cours : Vacances d'Hiver")
	}
	for _, f := range [][]byte{noWinter, file} {
		res, page := postICS(t, c.central, "verifier", f)
		m := contentField.FindStringSubmatch(page)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("dry run: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		if bytes.Equal(f, file) {
			found, _, _ := strings.Cut(page, "Vérifier un calendrier") // the dry run's periods, before the current ones
			if !strings.Contains(found, "Vacances d'Hiver") || !strings.Contains(found, "20 février 2027") ||
				strings.Contains(found, "13 février 2027") || strings.Contains(found, "6 février 2027") {
				t.Errorf("dry run without zone C's winter holidays:\n%.3000s", mainPart(page))
			}
			if n := winter(); n != 0 {
				t.Errorf("the dry run changed the course page: %d winter meetings skipped", n)
			}
		}
		res, page = c.central.do(t, "POST", "/back-office/catalogue/vacances", url.Values{"etape": {"importer"}, "contenu": {m[1]}})
		if res.StatusCode != 200 || !strings.Contains(html.UnescapeString(page), "périodes importées pour la zone C") {
			t.Fatalf("import: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
	}
	// The index a concurrent reload (a timer's) started before the import
	// may serve for up to the catalogue's MaxAge.
	n := winter()
	for deadline := time.Now().Add(3 * time.Second); n < 2 && time.Now().Before(deadline); n = winter() {
		time.Sleep(100 * time.Millisecond)
	}
	if n < 2 {
		t.Errorf("%d class meetings skipped for the winter holidays on the public page, want 2 or 3", n)
	}
	res, page := postICS(t, c.central, "verifier", []byte("date;zone\n2027-02-13;C\n"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Ce fichier n'est pas un calendrier iCalendar") {
		t.Errorf("a CSV: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
}
