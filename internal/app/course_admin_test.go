package app

import (
	"encoding/json"
	"html"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// selectedIn reads the value of the option selected in the select named id.
func selectedIn(t *testing.T, page, id string) string {
	t.Helper()
	sel := regexp.MustCompile(`(?s)<select id="` + id + `".*?</select>`).FindString(page)
	m := regexp.MustCompile(`<option value="([^"]*)" selected`).FindStringSubmatch(sel)
	if m == nil {
		t.Fatalf("no option selected in %s:\n%.300s", id, sel)
	}
	return m[1]
}

func inputValue(page, id string) string {
	m := regexp.MustCompile(`id="` + id + `" name="` + id + `" type="[a-z]+" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestCourseForm_CAT3_CAT4_ROLE3_errors_next_to_fields walks the course
// form through the real router: every wrong field answered in French next
// to it and in the summary, nothing changed; a valid course created with
// the formation's tariff and its half tariff said; the director's "Équipe et
// salle" form refusing a room of another establishment.
func TestCourseForm_CAT3_CAT4_ROLE3_errors_next_to_fields(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	trainer := newBrowser(t, base)
	trainer.signIn(t, "demo-staff-trainer")
	_, body := trainer.do(t, "GET", "/api/v1/me", nil)
	var me struct {
		Grants []struct {
			CourseID int64 `json:"course_id"`
		} `json:"grants"`
	}
	json.Unmarshal([]byte(body), &me)
	course := strconv.FormatInt(me.Grants[0].CourseID, 10)
	edit := "/back-office/catalogue/cours/" + course + "/modifier"

	res, page := central.do(t, "GET", edit, nil)
	if res.StatusCode != 200 || !strings.Contains(page, "Capacité (facultatif)") || !strings.Contains(page, "Règle appliquée") {
		t.Fatalf("edit form: %d\n%.2000s", res.StatusCode, page)
	}
	form := url.Values{"code": {inputValue(page, "code")}, "formation": {selectedIn(t, page, "formation")},
		"niveau": {selectedIn(t, page, "niveau")}, "etablissement": {selectedIn(t, page, "etablissement")},
		"salle": {selectedIn(t, page, "salle")}, "jour": {selectedIn(t, page, "jour")},
		"debut": {"20:00"}, "fin": {"19:00"}, "capacite": {"300"}, "tarif_mode": {"propre"}, "tarif": {"18O,5"}}
	res, page = central.do(t, "POST", edit, form)
	if res.StatusCode != 400 {
		t.Fatalf("bad form: %d", res.StatusCode)
	}
	for _, want := range []string{
		`class="error-summary"`,
		"Le cours doit finir après avoir commencé (début 20h00, fin 19h00).",
		"Indiquez le tarif en euros avec au plus deux décimales, par exemple 180 ou 180,50.",
		`<p class="error-message" id="fin-error">`, `<p class="error-message" id="tarif-error">`,
		`href="#fin"`, `href="#tarif"`, `aria-invalid="true"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if !strings.Contains(page, `value="18O,5"`) {
		t.Error("what was typed is not kept")
	}
	// The capacity is checked once the form can be read: a valid slot, the
	// same capacity.
	form.Set("debut", "18:00")
	form.Set("fin", "20:00")
	form.Set("tarif", "180,50")
	res, page = central.do(t, "POST", edit, form)
	if res.StatusCode != 400 || !strings.Contains(page, `id="capacite-error"`) || !strings.Contains(page, "accueille au plus") {
		t.Errorf("capacity 300: %d\n%.1500s", res.StatusCode, page)
	}
	// Nothing was changed.
	_, page = central.do(t, "GET", "/back-office/catalogue/cours/"+course, nil)
	if strings.Contains(page, "Cours modifié") || !strings.Contains(page, "demi-tarif : la moitié du tarif, arrondie au centime inférieur") {
		t.Errorf("admin page after refused forms:\n%.3000s", page)
	}

	// A new course in the same session, capacity left empty.
	_, newPage := central.do(t, "GET", edit, nil)
	session := regexp.MustCompile(`href="/back-office/catalogue/sessions/(\d+)"`).FindStringSubmatch(newPage)
	if session == nil {
		t.Fatal("no session link on the form")
	}
	create := "/back-office/catalogue/sessions/" + session[1] + "/cours/nouveau"
	res, page = central.do(t, "GET", create, nil)
	if res.StatusCode != 200 || !strings.Contains(page, "Laissée vide, la capacité par défaut") {
		t.Fatalf("new course form: %d", res.StatusCode)
	}
	form.Set("code", "TEST-NOUVEAU-1")
	form.Set("jour", "0") // Sunday morning: no clash with the demo
	form.Set("debut", "07:00")
	form.Set("fin", "08:00")
	form.Set("capacite", "")
	form.Set("tarif_mode", "formation")
	form.Set("tarif", "")
	res, page = central.do(t, "POST", create, form)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.Path, "/back-office/catalogue/cours/") ||
		!strings.Contains(page, "Le cours est créé.") || !strings.Contains(page, "Cours créé") ||
		!strings.Contains(page, "tarif de la formation") {
		t.Fatalf("create: %d %s\n%.3000s", res.StatusCode, res.Request.URL, page)
	}

	// The director: trainer and room of her own course, not another
	// establishment's room.
	director := newBrowser(t, base)
	director.signIn(t, "demo-staff-director")
	_, staffPage := director.do(t, "GET", "/back-office/cours/"+course, nil)
	if !strings.Contains(staffPage, `href="/back-office/catalogue/cours/`+course+`/equipe"`) {
		t.Error("the staff course page does not link to the director's form")
	}
	team := "/back-office/catalogue/cours/" + course + "/equipe"
	res, page = director.do(t, "GET", team, nil)
	if res.StatusCode != 200 || !strings.Contains(page, "Équipe et salle") {
		t.Fatalf("director's form: %d", res.StatusCode)
	}
	_, otherRoomPage := central.do(t, "GET", create, nil)
	var foreign string
	for _, m := range regexp.MustCompile(`<option value="(\d+)"`).FindAllStringSubmatch(regexp.MustCompile(`(?s)<select id="salle".*?</select>`).FindString(otherRoomPage), -1) {
		if !strings.Contains(regexp.MustCompile(`(?s)<select id="salle".*?</select>`).FindString(page), `value="`+m[1]+`"`) {
			foreign = m[1]
			break
		}
	}
	res, page = director.do(t, "POST", team, url.Values{"formateur": {selectedIn(t, page, "formateur")}, "salle": {foreign}})
	if res.StatusCode != 400 || !strings.Contains(page, "Cette salle n&#39;appartient pas à l&#39;établissement du cours.") {
		t.Errorf("another establishment's room: %d\n%.2000s", res.StatusCode, page)
	}
	// The director edits nothing else.
	if res, _ := director.do(t, "GET", edit, nil); res.StatusCode != 403 {
		t.Errorf("director on the full form: %d", res.StatusCode)
	}
}
