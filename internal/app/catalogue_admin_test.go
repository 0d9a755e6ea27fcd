package app

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSessionForm_PER1_ROLE5_errors_then_draft_then_published: through the
// real router, the central service's session form refuses a bad code, a
// closing before the opening and a malformed date at once, with the error
// summary linking to each field and the French message next to it, keeping
// what was typed; the right form creates a draft (not in the public
// catalogue) shown with its trail, which is published after confirmation.
func TestSessionForm_PER1_ROLE5_errors_then_draft_then_published(t *testing.T) {
	eachDatabase(t, func(t *testing.T, base string) {
		central := newBrowser(t, base)
		central.signIn(t, "demo-staff-central")
		res, page := central.do(t, "GET", "/back-office", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/back-office/catalogue"`) {
			t.Fatalf("the central service's home does not link to the catalogue: %d", res.StatusCode)
		}
		res, page = central.do(t, "GET", "/back-office/catalogue", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Sessions") || !strings.Contains(page, `href="/back-office/catalogue/vacances"`) {
			t.Fatalf("hub: %d\n%.2000s", res.StatusCode, mainPart(page))
		}

		form := url.Values{"code": {"année 27"}, "nom": {"Année 2027-2028"}, "type": {"annual"}, "vacances": {"1"},
			"ouverture_candidatures": {"2027-06-10"}, "cloture_candidatures": {"2027-06-01"},
			"ouverture_reponses": {"2027-07-05"}, "cloture_reponses": {"2027-07-20"},
			"premier_cours": {"2027-09-13"}, "dernier_cours": {"2028-06-17"}}
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad session form: %d", res.StatusCode)
		}
		if got := summaryFields(page); got != "code cloture_candidatures" {
			t.Errorf("error summary links to %q\n%.3000s", got, mainPart(page))
		}
		for _, want := range []string{"Le code ne peut contenir que des majuscules",
			"La clôture des candidatures doit être postérieure à leur ouverture (2027-06-10).",
			`id="cloture_candidatures-error"`, `aria-invalid="true"`,
			`value="Année 2027-2028"`, `value="2027-06-01"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if !regexp.MustCompile(`id="vacances"[^>]*checked`).MatchString(page) {
			t.Error("the holiday flag typed is not kept")
		}

		// A malformed date is its own error (a browser without a date picker).
		form.Set("premier_cours", "2027-13-45")
		form.Set("cloture_candidatures", "2027-06-30")
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if got := summaryFields(page); res.StatusCode != http.StatusBadRequest || got != "code premier_cours" ||
			!strings.Contains(page, "Indiquez une date valide (jour, mois et année).") {
			t.Errorf("malformed date: %d, summary %q", res.StatusCode, got)
		}

		form.Set("code", "2027-2028-ANNUEL-TEST")
		form.Set("cloture_candidatures", "2027-06-30")
		form.Set("premier_cours", "2027-09-13")
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Path, "/back-office/catalogue/sessions/") {
			t.Fatalf("good form: %d at %s\n%.2000s", res.StatusCode, res.Request.URL, mainPart(page))
		}
		session := res.Request.URL.Path
		for _, want := range []string{"Brouillon (non public)", "Session créée", "session de vacances : oui", "jusqu&#39;à 23 h 59",
			`href="` + session + `/cours/nouveau"`, `href="` + session + `/import"`, `href="` + session + `/preparer"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the new session's page lacks %q\n%.4000s", want, mainPart(page))
			}
		}
		_, api := newBrowser(t, base).do(t, "GET", "/api/v1/sessions", nil)
		if strings.Contains(api, "2027-2028-ANNUEL-TEST") {
			t.Error("a draft session is in the public API")
		}

		res, page = central.do(t, "POST", session+"/publier", url.Values{})
		if !strings.Contains(page, "Cochez la case pour confirmer la publication.") {
			t.Errorf("publish without confirmation: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		_, page = central.do(t, "POST", session+"/publier", url.Values{"confirmer": {"1"}})
		if !strings.Contains(page, "La session est publiée") || !strings.Contains(page, "Session publiée") {
			t.Errorf("after publishing:\n%.3000s", mainPart(page))
		}
		_, api = newBrowser(t, base).do(t, "GET", "/api/v1/sessions", nil)
		if !strings.Contains(api, "2027-2028-ANNUEL-TEST") {
			t.Error("the published session is not in the public API")
		}

		// Prepare next year from it: the code and the dates are offered one year on.
		_, page = central.do(t, "GET", session+"/preparer", nil)
		copyForm := formValues(t, page, session+"/preparer")
		if copyForm.Get("code") != "2028-2029-ANNUEL-TEST" || copyForm.Get("premier_cours") != "2028-09-13" ||
			!strings.Contains(page, "C-000012 devient C-000012-2028-2029-ANNUEL-TEST") {
			t.Errorf("copy form offers %v\n%.3000s", copyForm, mainPart(page))
		}
		res, page = central.do(t, "POST", session+"/preparer", copyForm)
		if res.StatusCode != http.StatusOK || res.Request.URL.Path == session || !strings.Contains(page, "Session préparée par copie") ||
			!strings.Contains(page, "Brouillon (non public)") {
			t.Errorf("copy: %d at %s\n%.3000s", res.StatusCode, res.Request.URL, mainPart(page))
		}

		director := newBrowser(t, base)
		director.signIn(t, "demo-staff-director")
		if res, _ := director.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("a director creating a session: %d, want 403", res.StatusCode)
		}
	})
}

var (
	inputTag    = regexp.MustCompile(`<input[^>]*>`)
	selectBlock = regexp.MustCompile(`(?s)<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedOpt = regexp.MustCompile(`<option value="([^"]*)" selected`)
	textareaTag = regexp.MustCompile(`(?s)<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

func attr(tag, name string) string {
	m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// formValues reads back what the form posting to action would send as the
// page shows it: its inputs, checked boxes, selected options and text areas.
func formValues(t *testing.T, page, action string) url.Values {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	form := page[i : i+strings.Index(page[i:], "</form>")]
	v := url.Values{}
	for _, tag := range inputTag.FindAllString(form, -1) {
		name := attr(tag, "name")
		if attr(tag, "type") == "checkbox" && !strings.Contains(tag, " checked") {
			continue
		}
		v.Set(name, attr(tag, "value"))
	}
	for _, m := range selectBlock.FindAllStringSubmatch(form, -1) {
		if s := selectedOpt.FindStringSubmatch(m[2]); s != nil {
			v.Set(m[1], html.UnescapeString(s[1]))
		}
	}
	for _, m := range textareaTag.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// TestFormationForm_CAT7_CAT3_exam_note_on_the_course_page: the central
// service writes a diploma formation's exam note; its public course pages
// show it. A tariff typed "180,5x" is refused next to its field in French.
func TestFormationForm_CAT7_CAT3_exam_note_on_the_course_page(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	var course, formation int64
	for p := 1; course == 0 && p < 30; p++ {
		_, body := central.do(t, "GET", "/api/v1/courses?par_page=100&page="+strconv.Itoa(p), nil)
		var l struct {
			Items []struct {
				ID        int64 `json:"id"`
				Formation struct {
					ID      int64 `json:"id"`
					Diploma bool  `json:"diploma"`
				} `json:"formation"`
			} `json:"items"`
		}
		json.Unmarshal([]byte(body), &l)
		for _, c := range l.Items {
			if c.Formation.Diploma {
				course, formation = c.ID, c.Formation.ID
				break
			}
		}
	}
	if course == 0 {
		t.Fatal("no diploma course in the demo")
	}
	path := "/back-office/catalogue/formations/" + strconv.FormatInt(formation, 10)
	_, page := central.do(t, "GET", path, nil)
	form := formValues(t, page, path)
	if form.Get("diplome") != "1" || form.Get("code") == "" {
		t.Fatalf("the formation form read back: %v", form)
	}
	form.Set("tarif", "180,5x")
	res, page := central.do(t, "POST", path, form)
	if res.StatusCode != http.StatusBadRequest || summaryFields(page) != "tarif" || !strings.Contains(page, "« 180,5x » n&#39;est pas un tarif") {
		t.Errorf("bad tariff: %d, summary %q", res.StatusCode, summaryFields(page))
	}
	note := "Inscription à l'examen auprès du rectorat avant le 15 janvier ; les frais sont à votre charge."
	form.Set("tarif", "180,50")
	form.Set("note_examen", note)
	if res, page := central.do(t, "POST", path, form); res.StatusCode != http.StatusOK || !strings.Contains(page, "Les modifications ont été enregistrées.") {
		t.Fatalf("saving the formation: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
	_, page = newBrowser(t, base).do(t, "GET", "/catalogue/cours/"+strconv.FormatInt(course, 10), nil)
	if !strings.Contains(html.UnescapeString(page), note) {
		t.Errorf("the course page does not show the exam note\n%.3000s", mainPart(page))
	}
	_, page = central.do(t, "GET", path, nil)
	if !strings.Contains(page, "Formation modifiée") || !strings.Contains(page, "tarif par défaut : ") {
		t.Errorf("the formation's trail lacks the change\n%.3000s", mainPart(page))
	}
}

// TestRoomForm_CAT4_workstations_refused_next_to_the_room: each room of an
// establishment has its own form; a bad number of workstations is refused
// next to that room's field, which the error summary links to.
func TestRoomForm_CAT4_workstations_refused_next_to_the_room(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	_, page := central.do(t, "GET", "/back-office/catalogue/etablissements/1", nil)
	m := regexp.MustCompile(`action="(/back-office/catalogue/etablissements/1/salles/(\d+))"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no room form\n%.2000s", mainPart(page))
	}
	if strings.Count(page, `id="salle"`) != 1 {
		t.Errorf("the room name's id is not unique on the page: %d", strings.Count(page, `id="salle"`))
	}
	res, page := central.do(t, "POST", m[1], url.Values{"salle": {"Salle test"}, "postes": {"beaucoup"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<li><a href="#postes-`+m[2]+`">`) ||
		!strings.Contains(page, `id="postes-`+m[2]+`-error"`) || !strings.Contains(page, "Indiquez un nombre de postes entre 0 et 200.") {
		t.Errorf("bad workstations: %d\n%.3000s", res.StatusCode, mainPart(page))
	}
}
