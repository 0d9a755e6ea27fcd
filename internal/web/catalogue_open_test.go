package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	openBox     = regexp.MustCompile(`<input type="hidden" name="ouverts" value="non"><div class="field checkbox"><input type="checkbox" id="ouverts" name="ouverts" value="1"( checked)?>`)
	openBadge   = regexp.MustCompile(`<span class="badge badge-open">Candidatures ouvertes jusqu&#39;au \d+ [a-zéû]+ \d{4} inclus</span>`)
	closedBadge = regexp.MustCompile(`<span class="badge badge-closed">Candidatures (closes|ouvertes à partir du [^<]+)</span>`)
	resultLink  = regexp.MustCompile(`<h3><a href="(/catalogue/cours/\d+[^"]*)">`)
	summary     = regexp.MustCompile(`<details class="filters"( open)?><summary>([^<]+)</summary>`)
	backLink    = regexp.MustCompile(`<p><a href="([^"]*)">Retour à la recherche</a></p>`)
	signInLink  = regexp.MustCompile(`<li><a href="(/connexion[^"]*)">Se connecter</a></li>`)
)

// searchPage fetches a search page and says whether its open filter is checked.
func (s *site) searchPage(t *testing.T, query string) (status int, body string, checked bool) {
	t.Helper()
	res, body := s.get(t, "/catalogue?"+query)
	m := openBox.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/catalogue?%s: no open-filter checkbox after its hidden \"non\"", query)
	}
	return res.StatusCode, body, m[1] != ""
}

// TestSearchPage_CAT1_open_filter_on_by_default: on the demo day one session
// takes candidatures, so a first visit shows only its courses, each saying
// until when; the form's unchecked box (the hidden "non" alone) shows every
// course, the closed ones saying so; the API agrees on the counts.
func TestSearchPage_CAT1_open_filter_on_by_default(t *testing.T) {
	s := newSite(t)
	all, open := s.courses(t, "").Total, s.courses(t, "ouverts=oui").Total
	if open == 0 || open == all {
		t.Fatalf("the demo day has %d courses open of %d: want some, not all", open, all)
	}
	count := func(body string) string {
		m := regexp.MustCompile(`<p role="status" class="result-count">([^<]*)</p>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no result count")
		}
		return m[1]
	}

	_, body, checked := s.searchPage(t, "")
	if !checked {
		t.Error("first visit: the open filter is not checked while a session is open")
	}
	if got := count(body); got != itoa(open)+" cours trouvés" {
		t.Errorf("first visit: %q, want the %d open courses", got, open)
	}
	if closedBadge.MatchString(body) || len(openBadge.FindAllString(body, -1)) != 20 {
		t.Errorf("first visit: %d open badges, closed badge %v; want 20 open ones", len(openBadge.FindAllString(body, -1)), closedBadge.MatchString(body))
	}

	// The box unchecked and submitted: only the hidden "non" is sent.
	_, body, checked = s.searchPage(t, "q=anglais&ouverts=non")
	if checked {
		t.Error("ouverts=non: the box is checked again")
	}
	if want := s.courses(t, "q=anglais").Total; count(body) != itoa(want)+" cours trouvés" {
		t.Errorf("ouverts=non: %q, want every anglais course (%d)", count(body), want)
	}
	if !closedBadge.MatchString(body) {
		t.Error("ouverts=non: no course says its candidatures are closed")
	}
	// The box checked: "non" then "1", the box wins.
	_, body, checked = s.searchPage(t, "q=anglais&ouverts=non&ouverts=1")
	if !checked || closedBadge.MatchString(body) {
		t.Errorf("box checked: checked %v, a closed course shown %v", checked, closedBadge.MatchString(body))
	}
	// Pagination keeps the choice either way.
	for query, want := range map[string]string{"ouverts=non": "ouverts=non", "": "ouverts=oui"} {
		_, body, _ := s.searchPage(t, query)
		m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(html.UnescapeString(m[1]), want) {
			t.Errorf("%q: next page link %v, want it to say %s", query, m, want)
		}
	}
	// The course page says it too.
	l := s.courses(t, "ouverts=oui&par_page=1")
	if len(l.Items) != 1 {
		t.Fatal("no open course")
	}
	_, page := s.get(t, l.Items[0].URL)
	if !openBadge.MatchString(page) {
		t.Errorf("course page of an open session has no open badge")
	}
	if !l.Items[0].CandidatureOpen {
		t.Errorf("API: an open course says candidature_open false")
	}
	for _, c := range s.allCourses(t, "q=anglais") {
		if !c.CandidatureOpen {
			_, page := s.get(t, c.URL)
			if !closedBadge.MatchString(page) {
				t.Errorf("course page %s of a closed session has no closed badge", c.URL)
			}
			break
		}
	}
	if res, _ := s.get(t, "/catalogue?ouverts=peut-etre"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("ouverts=peut-etre: %d, want 400", res.StatusCode)
	}
}

// TestSearchPage_CAT1_filters_in_a_disclosure: the filters sit in a closed
// <details> whose summary counts the active ones; a filter in error opens it.
func TestSearchPage_CAT1_filters_in_a_disclosure(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct {
		query, summary string
		open           bool
		status         int
	}{
		{"", "Filtres (1 actif)", false, 200}, // the open filter, on by default
		{"q=anglais&ouverts=non", "Filtres", false, 200},
		{"domaine=languages&jour=2&places=1", "Filtres (4 actifs)", false, 200},
		{"jour=9", "Filtres (1 actif)", true, 400},
	} {
		res, body := s.get(t, "/catalogue?"+tc.query)
		m := summary.FindStringSubmatch(body)
		switch {
		case res.StatusCode != tc.status:
			t.Errorf("%q: status %d, want %d", tc.query, res.StatusCode, tc.status)
		case m == nil:
			t.Errorf("%q: no filters disclosure", tc.query)
		case m[2] != tc.summary || (m[1] != "") != tc.open:
			t.Errorf("%q: summary %q open %v, want %q open %v", tc.query, m[2], m[1] != "", tc.summary, tc.open)
		}
		// The keywords and the button stay outside the disclosure.
		d := strings.Index(body, `<details class="filters"`)
		if q, b := strings.Index(body, `id="q"`), strings.Index(body, `<button type="submit" class="button">Rechercher</button>`); q < 0 || q > d || b < strings.Index(body, "</details>") {
			t.Errorf("%q: the keywords or the button are inside the disclosure", tc.query)
		}
	}
	_, css := s.get(t, regexp.MustCompile(`href="(/static/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(mustGet(t, s, "/catalogue"))[1])
	if !strings.Contains(css, ".filters::details-content { content-visibility: visible;") {
		t.Error("the stylesheet does not show the filters at desktop width")
	}
}

func mustGet(t *testing.T, s *site, path string) string {
	t.Helper()
	_, body := s.get(t, path)
	return body
}

// TestCoursePage_CAT1_back_to_the_search: a result's link carries its search,
// and the course page's "Retour à la recherche" goes back to it; a return
// that is not a catalogue search on this site leads to the catalogue.
func TestCoursePage_CAT1_back_to_the_search(t *testing.T) {
	s := newSite(t)
	_, body := s.get(t, "/catalogue?q=anglais&jour=2&page=2&par_page=5")
	m := resultLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no result")
	}
	_, page := s.get(t, html.UnescapeString(m[1]))
	back := backLink.FindStringSubmatch(page)
	if back == nil {
		t.Fatal("no way back on the course page")
	}
	got, _ := url.Parse(html.UnescapeString(back[1]))
	want := url.Values{"q": {"anglais"}, "jour": {"2"}, "page": {"2"}, "par_page": {"5"}, "ouverts": {"oui"}}
	if got.Path != "/catalogue" || got.Query().Encode() != want.Encode() {
		t.Errorf("back link %s, want /catalogue?%s", back[1], want.Encode())
	}
	course := strings.SplitN(html.UnescapeString(m[1]), "?", 2)[0]
	for _, bad := range []string{"https://evil.example/catalogue?q=x", "//evil.example/catalogue", "/back-office", "/catalogue?couleur=rouge", `/\evil.example`, "javascript:alert(1)"} {
		_, page := s.get(t, course+"?retour="+url.QueryEscape(bad))
		if back := backLink.FindStringSubmatch(page); back == nil || back[1] != "/catalogue" {
			t.Errorf("retour=%s: back link %v, want /catalogue", bad, back)
		}
	}
	_, page = s.get(t, course)
	if back := backLink.FindStringSubmatch(page); back == nil || back[1] != "/catalogue" {
		t.Errorf("no retour: back link %v, want /catalogue", back)
	}
}

// TestSignInLink_returns_to_the_page: the header's "Se connecter" carries
// the page one is on; the sign-in page keeps only a local path.
func TestSignInLink_returns_to_the_page(t *testing.T) {
	s := newSite(t)
	for path, want := range map[string]string{
		"/catalogue?q=anglais&jour=2":                  "/catalogue?q=anglais&jour=2",
		"/catalogue/brochure":                          "/catalogue/brochure",
		"/connexion?retour=%2Fcatalogue%3Fq%3Dx":       "/catalogue?q=x", // the sign-in page keeps its own return
		"/connexion?retour=https%3A%2F%2Fevil.example": "",
		"/connexion?retour=%2F%2Fevil.example":         "",
	} {
		_, body := s.get(t, path)
		m := signInLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no sign-in link", path)
		}
		u, _ := url.Parse(html.UnescapeString(m[1]))
		if u.Path != "/connexion" || u.Query().Get("retour") != want {
			t.Errorf("%s: sign-in link %s, want retour %q", path, m[1], want)
		}
	}
}
