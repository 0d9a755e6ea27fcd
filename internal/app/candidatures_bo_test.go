package app

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// boCourse is what these tests read of a course from the public API.
type boCourse struct {
	ID            int64  `json:"id"`
	Code          string `json:"code"`
	Weekday       int    `json:"weekday"`
	PlacesLeft    int    `json:"places_left"`
	Formation     struct{ ID int64 }
	Establishment struct{ ID int64 }
}

// boCity is a demo server with three candidatures filed over HTTP: two
// candidates on a course of the director's establishment, one of them also on
// a course elsewhere.
type boCity struct {
	base              string
	session, ownEst   int64
	own, foreign      boCourse
	central, director *browser
}

var (
	tokenField = regexp.MustCompile(`name="jeton" value="([^"]*)"`)
	rulesField = regexp.MustCompile(`name="version_reglement" value="([^"]*)"`)
)

func newBOCity(t *testing.T) *boCity {
	t.Helper()
	c := &boCity{base: startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")}
	anon := newBrowser(t, c.base)
	var sessions struct {
		Items []struct {
			ID   int64 `json:"id"`
			Open bool  `json:"candidature_open"`
		} `json:"items"`
	}
	_, body := anon.do(t, "GET", "/api/v1/sessions", nil)
	if err := json.Unmarshal([]byte(body), &sessions); err != nil {
		t.Fatalf("sessions: %v %.300s", err, body)
	}
	for _, s := range sessions.Items {
		if s.Open {
			c.session = s.ID
		}
	}
	c.director = newBrowser(t, c.base)
	c.director.signIn(t, "demo-staff-director")
	var me struct {
		Grants []struct {
			EstablishmentID int64 `json:"establishment_id"`
		} `json:"grants"`
	}
	_, body = c.director.do(t, "GET", "/api/v1/me", nil)
	json.Unmarshal([]byte(body), &me)
	if c.session == 0 || len(me.Grants) == 0 || me.Grants[0].EstablishmentID == 0 {
		t.Fatalf("demo: open session %d, director %s", c.session, body)
	}
	c.ownEst = me.Grants[0].EstablishmentID
	courses := func(q string) []boCourse {
		_, body := anon.do(t, "GET", "/api/v1/courses?places=1&par_page=100&session="+strconv.FormatInt(c.session, 10)+q, nil)
		var l struct{ Items []boCourse }
		if err := json.Unmarshal([]byte(body), &l); err != nil || len(l.Items) == 0 {
			t.Fatalf("courses%s: %v %.300s", q, err, body)
		}
		return l.Items
	}
	c.own = courses("&etablissement=" + strconv.FormatInt(c.ownEst, 10))[0]
	for _, e := range courses("") {
		// Another establishment, formation and weekday: no basket rule refuses it.
		if e.Establishment.ID != c.ownEst && e.Formation.ID != c.own.Formation.ID && e.Weekday != c.own.Weekday {
			c.foreign = e
			break
		}
	}
	if c.foreign.ID == 0 {
		t.Fatal("no course elsewhere in the open session")
	}
	apply(t, c.base, "demo-candidate-2", c.own.ID, c.foreign.ID)
	apply(t, c.base, "demo-candidate-3", c.own.ID)
	c.central = newBrowser(t, c.base)
	c.central.signIn(t, "demo-staff-central")
	return c
}

// apply signs a candidate in, fills the basket and validates it, as the forms do.
func apply(t *testing.T, base, persona string, courses ...int64) {
	t.Helper()
	b := newBrowser(t, base)
	b.signIn(t, persona)
	for _, id := range courses {
		if res, page := b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {strconv.FormatInt(id, 10)}}); res.StatusCode != 200 {
			t.Fatalf("%s adds %d: %d\n%.1500s", persona, id, res.StatusCode, page)
		}
	}
	_, page := b.do(t, "GET", "/panier", nil)
	tok, rules := tokenField.FindStringSubmatch(page), rulesField.FindStringSubmatch(page)
	if tok == nil || rules == nil {
		t.Fatalf("%s: no basket form", persona)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"jeton": tok[1], "version_reglement": rules[1], "objectif": "personal", "reglement": "1"} {
		w.WriteField(k, v)
	}
	w.Close()
	req, _ := http.NewRequest("POST", base+"/panier/valider", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/mes-candidatures" {
		t.Fatalf("%s validates: %d at %s", persona, res.StatusCode, res.Request.URL)
	}
}

func mainPart(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		return page[i:]
	}
	return page
}

// TestCandidatureList_ROLE5_central_counts_and_list: the central service sees
// every course with its counts against its places, and the candidatures by
// course then name (never by arrival, PER-2), names linking to the files.
func TestCandidatureList_ROLE5_central_counts_and_list(t *testing.T) {
	c := newBOCity(t)
	_, home := c.central.do(t, "GET", "/back-office", nil)
	if !strings.Contains(home, `href="/back-office/candidatures"`) {
		t.Fatalf("central home has no link to the candidatures:\n%.2000s", mainPart(home))
	}
	// The courses with the most candidatures first: the two filed on, among
	// a session's 1,400 courses shown 50 at a time.
	res, page := c.central.do(t, "GET", "/back-office/candidatures?session="+strconv.FormatInt(c.session, 10)+"&tri_cours=deposees&ordre_cours=desc", nil)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("central list: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, want := range []string{
		c.own.Code, c.foreign.Code,
		"2 candidature(s) pour " + strconv.Itoa(c.own.PlacesLeft) + " place(s)",
		"1 candidature(s) pour " + strconv.Itoa(c.foreign.PlacesLeft) + " place(s)",
		"3 candidature(s)", "Yasmine BENALI", "Thomas NGUYEN", `<a href="/back-office/personnes/`,
		`<label for="session">`, `<label for="statut">`, "Déposée",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("central list lacks %q", want)
		}
	}
	// Benali before Nguyen on the same course, whatever the order of arrival.
	list := page[strings.Index(page, `id="liste-titre"`):]
	if strings.Index(list, "BENALI") > strings.Index(list, "NGUYEN") {
		t.Error("PER-2: names are not in alphabetical order")
	}
	// Cancelled only: none yet.
	_, page = c.central.do(t, "GET", "/back-office/candidatures?statut=cancelled", nil)
	if !strings.Contains(page, "0 candidature(s)") {
		t.Error("status filter: cancelled candidatures listed")
	}
}

// TestCandidatureList_ROLE3_director_scope: a director sees their
// establishment's list, without links to the person files, and is refused
// another establishment's or the whole city's list, and another
// establishment's course through their own.
func TestCandidatureList_ROLE3_director_scope(t *testing.T) {
	c := newBOCity(t)
	own := strconv.FormatInt(c.ownEst, 10)
	_, home := c.director.do(t, "GET", "/back-office", nil)
	if !strings.Contains(home, `href="/back-office/candidatures?etablissement=`+own+`&amp;session=`+strconv.FormatInt(c.session, 10)+`"`) ||
		!strings.Contains(home, "Candidatures de l&#39;établissement") {
		t.Fatalf("director home has no link to the establishment's candidatures:\n%.2000s", mainPart(home))
	}
	res, page := c.director.do(t, "GET", "/back-office/candidatures?etablissement="+own, nil)
	if res.StatusCode != 200 {
		t.Fatalf("own establishment: %d", res.StatusCode)
	}
	if !strings.Contains(page, c.own.Code) || !strings.Contains(page, "Yasmine BENALI") || !strings.Contains(page, "Thomas NGUYEN") ||
		!strings.Contains(page, "2 candidature(s)") {
		t.Fatalf("own establishment list:\n%.4000s", mainPart(page))
	}
	if strings.Contains(page, c.foreign.Code) || strings.Contains(page, "/back-office/personnes/") {
		t.Error("the director's list shows another establishment's course or links to person files")
	}
	if strings.Contains(page, "Tous les établissements") {
		t.Error("the director is offered every establishment")
	}
	foreign := strconv.FormatInt(c.foreign.Establishment.ID, 10)
	for _, path := range []string{"/back-office/candidatures?etablissement=" + foreign,
		"/back-office/candidatures.csv?etablissement=" + foreign, "/back-office/candidatures.xlsx?etablissement=" + foreign} {
		if res, _ := c.director.do(t, "GET", path, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("director on %s: %d, want 403", path, res.StatusCode)
		}
	}
	// Another establishment's course asked through their own: nothing shows.
	_, page = c.director.do(t, "GET", "/back-office/candidatures?etablissement="+own+"&cours="+strconv.FormatInt(c.foreign.ID, 10), nil)
	if !strings.Contains(page, "0 candidature(s)") || strings.Contains(page, "BENALI") {
		t.Errorf("director reads a foreign course through their own establishment:\n%.3000s", mainPart(page))
	}
}

// TestCandidatureExport_ROLE3_ROLE5_csv_xlsx: the same list as CSV (UTF-8
// BOM, ';') and XLSX, attachments that stay out of caches, French headers,
// no submission date (PER-2).
func TestCandidatureExport_ROLE3_ROLE5_csv_xlsx(t *testing.T) {
	c := newBOCity(t)
	own := strconv.FormatInt(c.ownEst, 10)
	res, body := c.director.do(t, "GET", "/back-office/candidatures.csv?etablissement="+own, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="candidatures-2026-11-27.csv"` ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatal("csv has no UTF-8 BOM")
	}
	lines := strings.Split(strings.TrimRight(strings.TrimPrefix(body, "\ufeff"), "\r\n"), "\r\n")
	if lines[0] != "Session;Cours;Formation;Établissement;Jour et horaire;Nom;Prénom;Adresse électronique;Statut;Objectif;Déposée par un agent;Demi-tarif demandé" {
		t.Fatalf("csv header: %q", lines[0])
	}
	if len(lines) != 3 || !strings.Contains(lines[1], ";Benali;Yasmine;yasmine.benali@exemple.fr;Déposée;Développement personnel;Non;Non") ||
		!strings.Contains(lines[2], ";Nguyen;Thomas;") || !strings.Contains(lines[1], c.own.Code) {
		t.Fatalf("csv rows:\n%s", strings.Join(lines, "\n"))
	}
	if regexp.MustCompile(`\d{2}/\d{2}/\d{4}`).MatchString(body) {
		t.Error("PER-2: the export shows a date")
	}

	res, body = c.central.do(t, "GET", "/back-office/candidatures.xlsx?session="+strconv.FormatInt(c.session, 10), nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != `attachment; filename="candidatures-2026-11-27.xlsx"` ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("Candidatures")
	if err != nil {
		t.Fatalf("sheet: %v (sheets %v)", err, f.GetSheetList())
	}
	if len(rows) != 4 || rows[0][0] != "Session" || rows[0][5] != "Nom" || rows[0][11] != "Demi-tarif demandé" {
		t.Fatalf("xlsx rows: %q", rows)
	}
	// Its document properties name the city's service and the export's time,
	// not excelize's template ("xuri", 2006).
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "Ville — Service des cours d'adultes" || props.LastModifiedBy != props.Creator ||
		!strings.HasPrefix(props.Created, "2026-11-2") || !strings.HasSuffix(props.Created, "Z") {
		t.Errorf("xlsx properties: creator %q, last modified by %q, created %q", props.Creator, props.LastModifiedBy, props.Created)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[1]+" "+r[5])
	}
	if !strings.Contains(strings.Join(names, ","), "Benali") || !strings.Contains(strings.Join(names, ","), c.foreign.Code+" Benali") {
		t.Fatalf("xlsx names: %v", names)
	}
}

// TestCandidatureList_bad_filters: a value not in the lists is refused with a
// French message in the error summary, on the page and on the exports.
func TestCandidatureList_bad_filters(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	for path, want := range map[string]string{
		"/back-office/candidatures?session=abc":          "Choisissez une session dans la liste.",
		"/back-office/candidatures?formation=999999":     "Choisissez une formation dans la liste.",
		"/back-office/candidatures?etablissement=999999": "Choisissez un établissement dans la liste.",
		"/back-office/candidatures?etablissement=x":      "Choisissez un établissement dans la liste.",
		"/back-office/candidatures?statut=inconnu":       "Choisissez un statut dans la liste.",
		"/back-office/candidatures?cours=0":              "Ce cours n&#39;existe pas",
		"/back-office/candidatures.csv?statut=inconnu":   "Choisissez un statut dans la liste.",
		"/back-office/candidatures.xlsx?formation=abc":   "Choisissez une formation dans la liste.",
	} {
		res, page := central.do(t, "GET", path, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `class="error-summary"`) || !strings.Contains(page, want) {
			t.Errorf("%s: %d, want 400 with %q", path, res.StatusCode, want)
		}
	}
}
