package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The staff's homes and the lists behind their figures (issue 11, items 8
// and 9): each role's home shows its work, every figure links to its list,
// long tables come a page at a time.

var (
	tileRe     = regexp.MustCompile(`<a href="([^"]+)" class="tile"><span class="tile-value">(\d+)</span> <span class="tile-label">([^<]+)</span>`)
	postFormRe = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	optionRe   = regexp.MustCompile(`<option value="(\d+)"`)
)

// tiles reads the home's figures: label → value and link.
func tiles(t *testing.T, page string) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, m := range tileRe.FindAllStringSubmatch(page, -1) {
		out[m[3]] = [2]string{m[2], strings.ReplaceAll(m[1], "&amp;", "&")}
	}
	return out
}

// selectPart is the HTML of the select named name.
func selectPart(page, name string) string {
	i := strings.Index(page, `<select id="`+name+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</select>")
	return page[i : i+j]
}

// TestBackOfficeHome_ROLE3_director_tiles_and_scope: the director's home
// shows her establishment's courses, candidatures and places left in the
// session open to candidatures, each a link to the list behind it; her
// candidature list, asked without an establishment, opens on hers (no
// refusal), and its formation filter offers only her establishment's.
func TestBackOfficeHome_ROLE3_director_tiles_and_scope(t *testing.T) {
	c := newBOCity(t)
	_, home := c.director.do(t, "GET", "/back-office", nil)
	got := tiles(t, home)
	courses, cands, places := got["cours"], got["candidatures déposées"], got["places libres"]
	if courses[0] == "" || cands[0] != "2" || places[0] == "" {
		t.Fatalf("director's tiles %v, want courses, 2 candidatures and places left:\n%.3000s", got, mainPart(home))
	}
	if courses[1] != "/back-office/etablissements/"+strconv.FormatInt(c.ownEst, 10) {
		t.Errorf("courses tile links to %s", courses[1])
	}
	res, page := c.director.do(t, "GET", cands[1], nil)
	if res.StatusCode != 200 || !strings.Contains(page, "Yasmine BENALI") || !strings.Contains(page, "Thomas NGUYEN") ||
		!strings.Contains(page, "2 candidature(s)") {
		t.Fatalf("candidatures tile %s: %d\n%.3000s", cands[1], res.StatusCode, mainPart(page))
	}
	if res, _ := c.director.do(t, "GET", places[1], nil); res.StatusCode != 200 {
		t.Errorf("places tile %s: %d", places[1], res.StatusCode)
	}
	n, _ := strconv.Atoi(places[0])
	if n <= 0 || n > 10000 {
		t.Errorf("places left %d", n)
	}

	// The unfiltered list: her establishment, chosen in the filter.
	res, page = c.director.do(t, "GET", "/back-office/candidatures", nil)
	if res.StatusCode != 200 {
		t.Fatalf("ROLE-3 unfiltered list as director: %d, want 200 on her establishment", res.StatusCode)
	}
	if !strings.Contains(page, "Yasmine BENALI") || strings.Contains(page, c.foreign.Code) {
		t.Errorf("ROLE-3 unfiltered list is not her establishment's:\n%.3000s", mainPart(page))
	}
	est := selectPart(page, "etablissement")
	if !strings.Contains(est, `value="`+strconv.FormatInt(c.ownEst, 10)+`" selected`) || strings.Count(est, "<option") != 1 {
		t.Errorf("establishment filter: %s", est)
	}
	// The formation filter: only her establishment's formations.
	anon := newBrowser(t, c.base)
	_, body := anon.do(t, "GET", "/api/v1/courses?par_page=100&etablissement="+strconv.FormatInt(c.ownEst, 10), nil)
	var own struct {
		Items []boCourse
		Total int
	}
	json.Unmarshal([]byte(body), &own)
	ownFormations := map[string]bool{}
	for p := 1; len(own.Items) > 0; p++ {
		for _, e := range own.Items {
			ownFormations[strconv.FormatInt(e.Formation.ID, 10)] = true
		}
		_, body = anon.do(t, "GET", "/api/v1/courses?par_page=100&page="+strconv.Itoa(p+1)+"&etablissement="+strconv.FormatInt(c.ownEst, 10), nil)
		own.Items = nil
		json.Unmarshal([]byte(body), &own)
	}
	offered := optionRe.FindAllStringSubmatch(selectPart(page, "formation"), -1)
	if len(offered) == 0 || len(offered) != len(ownFormations) {
		t.Errorf("ROLE-3 formation filter offers %d formations, her establishment teaches %d", len(offered), len(ownFormations))
	}
	for _, m := range offered {
		if !ownFormations[m[1]] {
			t.Errorf("ROLE-3 formation filter offers formation %s, not taught in her establishment", m[1])
		}
	}
	_, central := c.central.do(t, "GET", "/back-office/candidatures?session="+strconv.FormatInt(c.session, 10), nil)
	if all := optionRe.FindAllStringSubmatch(selectPart(central, "formation"), -1); len(all) <= len(offered) {
		t.Errorf("the central service is offered %d formations, the director %d", len(all), len(offered))
	}
	// The export asked without an establishment: hers, whole.
	res, body = c.director.do(t, "GET", "/back-office/candidatures.csv", nil)
	if res.StatusCode != 200 || strings.Count(strings.TrimSpace(body), "\n") != 2 || strings.Contains(body, c.foreign.Code) {
		t.Errorf("ROLE-3 unfiltered export: %d\n%s", res.StatusCode, body)
	}
}

// TestBackOfficeHome_ROLE5_central_sessions_and_queues: the central
// service's home lists the sessions with the state of their candidature
// period and the queues: probable duplicates, candidatures filed in the open
// session, courses asked for more than their places.
func TestBackOfficeHome_ROLE5_central_sessions_and_queues(t *testing.T) {
	c := newBOCity(t)
	_, home := c.central.do(t, "GET", "/back-office", nil)
	main := mainPart(home)
	for _, want := range []string{"Candidatures ouvertes jusqu&#39;au", "Candidatures closes depuis le", "Sessions",
		`href="/back-office/candidatures?session=` + strconv.FormatInt(c.session, 10) + `"`} {
		if !strings.Contains(main, want) {
			t.Errorf("central home lacks %q", want)
		}
	}
	got := tiles(t, home)
	var submitted [2]string
	for label, v := range got {
		if strings.HasPrefix(label, "candidatures déposées (") {
			submitted = v
		}
	}
	if submitted[0] != "3" {
		t.Fatalf("central tiles %v, want 3 candidatures filed in the open session", got)
	}
	if d := got["comptes en double probables à vérifier"]; d[1] != "/back-office/doublons" || d[0] != "0" {
		t.Errorf("duplicates tile %v", d)
	}
	res, page := c.central.do(t, "GET", submitted[1], nil)
	if res.StatusCode != 200 || !strings.Contains(page, "3 candidature(s)") {
		t.Errorf("candidatures tile %s: %d", submitted[1], res.StatusCode)
	}
}

// TestCandidatureList_ROLE5_pages_and_sorts: the central service's list of
// a session's 1,400 courses comes 50 at a time ("Page 1 sur 28", numbered
// pages, previous and next), sorted by the column whose header was followed
// (aria-sort says which); the page stays small; the export is whole.
func TestCandidatureList_ROLE5_pages_and_sorts(t *testing.T) {
	c := newBOCity(t)
	session := strconv.FormatInt(c.session, 10)
	res, page := c.central.do(t, "GET", "/back-office/candidatures?session="+session, nil)
	if res.StatusCode != 200 {
		t.Fatalf("list: %d", res.StatusCode)
	}
	if len(page) > 150_000 {
		t.Errorf("the list is %d bytes: not paginated?", len(page))
	}
	courses := page[strings.Index(page, `id="cours-titre"`):strings.Index(page, `id="liste-titre"`)]
	rows := strings.Count(courses, "<tr>") - 1
	if rows != 50 {
		t.Errorf("course table: %d rows, want 50", rows)
	}
	m := regexp.MustCompile(`Page 1 sur (\d+)`).FindStringSubmatch(courses)
	if m == nil {
		t.Fatalf("no \"Page 1 sur N\":\n%.2000s", courses)
	}
	pages, _ := strconv.Atoi(m[1])
	if pages < 2 {
		t.Fatalf("%d pages", pages)
	}
	for _, want := range []string{`aria-label="Pages du tableau des cours"`, `rel="next"`, `aria-current="page"`,
		`aria-sort="ascending"`, `aria-sort="none"`} {
		if !strings.Contains(courses, want) {
			t.Errorf("course table lacks %s", want)
		}
	}
	if strings.Contains(courses, `rel="prev"`) {
		t.Error("page 1 has a previous link")
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next"`).FindStringSubmatch(courses)
	nextURL := strings.ReplaceAll(next[1], "&amp;", "&")
	if !strings.Contains(nextURL, "page_cours=2") || !strings.Contains(nextURL, "session="+session) {
		t.Fatalf("next link %s", nextURL)
	}
	_, page2 := c.central.do(t, "GET", nextURL, nil)
	if !strings.Contains(page2, "Page 2 sur "+m[1]) || !strings.Contains(page2, `rel="prev"`) {
		t.Errorf("page 2 does not say so")
	}
	codes := regexp.MustCompile(`<td><a href="/back-office/cours/\d+">([^<]+)</a>`)
	first, second := codes.FindAllStringSubmatch(courses, -1), codes.FindAllStringSubmatch(page2, -1)
	if len(first) == 0 || len(second) == 0 || first[len(first)-1][1] >= second[0][1] {
		t.Errorf("page 2 does not follow page 1 in code order")
	}
	// The last page and beyond it: the last page.
	_, last := c.central.do(t, "GET", "/back-office/candidatures?session="+session+"&page_cours=99999", nil)
	lastCourses := last[strings.Index(last, `id="cours-titre"`):strings.Index(last, `id="liste-titre"`)]
	if !strings.Contains(lastCourses, "Page "+m[1]+" sur "+m[1]) || strings.Contains(lastCourses, `rel="next"`) {
		t.Errorf("past the last page: not the last page")
	}
	if res, _ := c.central.do(t, "GET", "/back-office/candidatures?page=abc", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("page=abc: %d, want 400", res.StatusCode)
	}

	// Sorted by candidatures filed, most first: the two courses filed on lead.
	_, sorted := c.central.do(t, "GET", "/back-office/candidatures?session="+session+"&tri_cours=deposees&ordre_cours=desc", nil)
	top := codes.FindAllStringSubmatch(sorted, 2)
	if len(top) < 2 || top[0][1] != c.own.Code || top[1][1] != c.foreign.Code {
		t.Errorf("sorted by candidatures: first %v, want %s then %s", top, c.own.Code, c.foreign.Code)
	}
	if !strings.Contains(sorted, `aria-sort="descending"`) {
		t.Error("no aria-sort=descending on the sorted column")
	}
	// The candidatures sorted by name, reversed: Nguyen before Benali.
	_, byName := c.central.do(t, "GET", "/back-office/candidatures?session="+session+"&tri=nom&ordre=desc", nil)
	list := byName[strings.Index(byName, `id="liste-titre"`):]
	if strings.Index(list, "NGUYEN") > strings.Index(list, "BENALI") {
		t.Error("sorted by name, reversed: Benali before Nguyen")
	}
	// A sort key that is not offered is the default order, never SQL.
	if res, _ := c.central.do(t, "GET", "/back-office/candidatures?tri="+url.QueryEscape("a.email; DROP TABLE accounts"), nil); res.StatusCode != 200 {
		t.Errorf("unknown sort: %d", res.StatusCode)
	}
	// The export stays whole: every candidature of the filter.
	_, csv := c.central.do(t, "GET", "/back-office/candidatures.csv?session="+session, nil)
	if n := strings.Count(strings.TrimSpace(csv), "\n"); n != 3 {
		t.Errorf("export: %d rows, want 3", n)
	}
}

// TestStaffCourse_ROLE3_ROLE2_lists_candidatures: the course page of a
// director lists the course's candidatures with their state, the places
// linking to them; a trainer's own course page shows no candidate (ROLE-2).
func TestStaffCourse_ROLE3_ROLE2_lists_candidatures(t *testing.T) {
	c := newBOCity(t)
	path := "/back-office/cours/" + strconv.FormatInt(c.own.ID, 10)
	res, page := c.director.do(t, "GET", path, nil)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d", path, res.StatusCode)
	}
	main := mainPart(page)
	for _, want := range []string{`id="candidatures"`, "Candidatures (2)", "Yasmine BENALI", "Thomas NGUYEN", "Déposée",
		`href="#candidatures"`, "inscrits sur", "déposées : 2, annulées : 0"} {
		if !strings.Contains(main, want) {
			t.Errorf("course page lacks %q", want)
		}
	}
	// The establishment's page: the places of each course link to its list.
	_, est := c.director.do(t, "GET", "/back-office/etablissements/"+strconv.FormatInt(c.ownEst, 10)+"?tri=places", nil)
	if !strings.Contains(est, `href="`+path+`#candidatures"`) && !strings.Contains(est, "Page 1 sur") {
		t.Errorf("establishment page: no link to the course's candidatures")
	}
	if !strings.Contains(est, `aria-sort="ascending"`) {
		t.Error("establishment page: the sorted column has no aria-sort")
	}

	trainer := newBrowser(t, c.base)
	trainer.signIn(t, "demo-staff-trainer")
	var me struct {
		Grants []struct {
			CourseID int64 `json:"course_id"`
		} `json:"grants"`
	}
	_, body := trainer.do(t, "GET", "/api/v1/me", nil)
	json.Unmarshal([]byte(body), &me)
	if len(me.Grants) == 0 || me.Grants[0].CourseID == 0 {
		t.Fatalf("trainer: %s", body)
	}
	own := "/back-office/cours/" + strconv.FormatInt(me.Grants[0].CourseID, 10)
	_, home := trainer.do(t, "GET", "/back-office", nil)
	if !strings.Contains(home, `href="`+own+`"`) || !strings.Contains(home, "Vos cours") {
		t.Errorf("ROLE-2 trainer's home has no link to her course %s:\n%.2000s", own, mainPart(home))
	}
	res, page = trainer.do(t, "GET", own, nil)
	if res.StatusCode != 200 || strings.Contains(mainPart(page), `id="candidatures"`) {
		t.Errorf("ROLE-2 trainer's course page: %d, lists candidatures: %v", res.StatusCode, strings.Contains(page, `id="candidatures"`))
	}
	if res, _ := trainer.do(t, "GET", path, nil); res.StatusCode != http.StatusForbidden && me.Grants[0].CourseID != c.own.ID {
		t.Errorf("ROLE-2 another course: %d", res.StatusCode)
	}
}

// TestPersonFile_ROLE7_help_desk_reads_changes_nothing: the help desk's home
// searches for a person; a candidate's file shows their candidatures and
// their history; no page of the help desk holds a form that changes
// anything, and such requests are refused.
func TestPersonFile_ROLE7_help_desk_reads_changes_nothing(t *testing.T) {
	c := newBOCity(t)
	helpdesk := newBrowser(t, c.base)
	helpdesk.signIn(t, "demo-staff-helpdesk")
	noChange := func(what, page string) {
		t.Helper()
		for _, m := range postFormRe.FindAllStringSubmatch(mainPart(page), -1) {
			t.Errorf("ROLE-7 %s holds a form posting to %s", what, m[1])
		}
	}
	_, home := helpdesk.do(t, "GET", "/back-office", nil)
	if !strings.Contains(home, `<form method="get" action="/back-office/personnes" role="search"`) || !strings.Contains(home, `name="q"`) {
		t.Fatalf("ROLE-7 help desk's home has no search:\n%.2000s", mainPart(home))
	}
	noChange("the home", home)
	_, found := helpdesk.do(t, "GET", "/back-office/personnes?q=benali", nil)
	m := regexp.MustCompile(`href="(/back-office/personnes/(\d+))"`).FindStringSubmatch(found)
	if m == nil {
		t.Fatalf("help desk does not find Benali:\n%.2000s", mainPart(found))
	}
	noChange("the search", found)
	res, file := helpdesk.do(t, "GET", m[1], nil)
	if res.StatusCode != 200 {
		t.Fatalf("file: %d", res.StatusCode)
	}
	main := mainPart(file)
	for _, want := range []string{"Candidatures (2)", c.own.Code, c.foreign.Code, "Historique", "Déposée"} {
		if !strings.Contains(main, want) {
			t.Errorf("ROLE-7 the file lacks %q", want)
		}
	}
	noChange("the file", file)
	for path, form := range map[string]url.Values{
		m[1] + "/identite":                          {"prenom": {"X"}, "nom": {"Y"}, "raison": {"essai"}},
		"/back-office/inscription-assistee":         {"prenom": {"X"}},
		"/back-office/inscription-assistee/" + m[2]: nil,
		"/back-office/doublons/1":                   {"decision": {"distinct"}},
	} {
		method := "POST"
		if form == nil {
			method = "GET"
		}
		if res, _ := helpdesk.do(t, method, path, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("ROLE-7 %s %s: %d, want 403", method, path, res.StatusCode)
		}
	}
	// The central service reads the same file with its audit trail.
	_, file = c.central.do(t, "GET", m[1], nil)
	if !strings.Contains(file, "Candidatures (2)") || !strings.Contains(file, "Journal des actions") {
		t.Errorf("ROLE-5 the file lacks the candidatures or the journal")
	}
}

// TestBackOfficeHome_ROLE6_guidance_entry: the guidance staff's home opens
// the assisted registration, and nothing else.
func TestBackOfficeHome_ROLE6_guidance_entry(t *testing.T) {
	c := newBOCity(t)
	guidance := newBrowser(t, c.base)
	guidance.signIn(t, "demo-staff-guidance")
	_, home := guidance.do(t, "GET", "/back-office", nil)
	if !strings.Contains(home, `<a href="/back-office/inscription-assistee" class="button">`) {
		t.Fatalf("ROLE-6 guidance home has no way into the assisted registration:\n%.2000s", mainPart(home))
	}
	if strings.Contains(mainPart(home), `href="/back-office/candidatures`) || strings.Contains(mainPart(home), "class=\"tile\"") {
		t.Error("ROLE-6 guidance home shows lists it may not open")
	}
	if res, _ := guidance.do(t, "GET", "/back-office/inscription-assistee", nil); res.StatusCode != 200 {
		t.Errorf("assisted registration: %d", res.StatusCode)
	}
}
