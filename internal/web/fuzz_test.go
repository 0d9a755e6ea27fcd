package web

// Fuzz targets for what the web layer decodes from the outside: the return
// path after signing in or switching language, the back-office candidature
// filters, and the reader's language. Seed corpora live in
// testdata/fuzz/FuzzXxx/; run one for a while with
//
//	go test -run=NONE -fuzz=FuzzSafeReturn -fuzztime=30s ./internal/web/

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// siteBase is where the fuzzed redirects are resolved from, as a browser would.
var siteBase = &url.URL{Scheme: "https", Host: "cma.example", Path: "/connexion"}

// browserTarget is where a browser on siteBase goes when it receives
// Location: loc. It follows the WHATWG URL parser on the points that matter
// for an open redirect and that net/url does not share: leading and trailing
// C0 controls and spaces are dropped, tabs and newlines anywhere are removed,
// in an http(s) URL a backslash counts as a slash, and any run of slashes
// starting a reference introduces a host ("///evil" is evil's root).
func browserTarget(loc string) (*url.URL, error) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
	if strings.HasPrefix(loc, "//") {
		loc = "//" + strings.TrimLeft(loc, "/")
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return siteBase.ResolveReference(ref), nil
}

// redirectLocation is the Location header a handler sends for target:
// http.Redirect cleans the path (path.Clean) before writing it.
func redirectLocation(target string) string {
	w := httptest.NewRecorder()
	http.Redirect(w, httptest.NewRequest(http.MethodPost, "/langue", nil), target, http.StatusSeeOther)
	return w.Header().Get("Location")
}

// checkSameSite fails t unless ret, the result of safeReturn, is a path of
// this site both as returned and as the browser reads the redirect to it.
func checkSameSite(t *testing.T, raw, ret string) {
	t.Helper()
	if !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.HasPrefix(ret, `/\`) {
		t.Fatalf("safeReturn(%q) = %q: not a path starting with a single /", raw, ret)
	}
	if u, err := url.Parse(ret); err != nil || u.IsAbs() || u.Host != "" {
		t.Fatalf("safeReturn(%q) = %q: a scheme or a host (%v)", raw, ret, err)
	}
	loc := redirectLocation(ret)
	dest, err := browserTarget(loc)
	if err != nil {
		t.Fatalf("safeReturn(%q) = %q: Location %q does not parse: %v", raw, ret, loc, err)
	}
	if dest.Scheme != siteBase.Scheme || dest.Host != siteBase.Host || dest.User != nil {
		t.Fatalf("safeReturn(%q) = %q: Location %q sends the browser to %s", raw, ret, loc, dest)
	}
}

// TestSafeReturn_keeps_only_paths_of_this_site goes through the tricky return
// addresses one by one; each must come back unchanged or give the fallback,
// and the redirect to the result must stay on the site.
func TestSafeReturn_keeps_only_paths_of_this_site(t *testing.T) {
	const fallback = "/catalogue"
	cases := []struct {
		raw  string
		keep bool
	}{
		{"", false},
		{"/", true},
		{"/ok?x=1", true},
		{"/catalogue?q=caf%C3%A9&page=2#resultats", true},
		{"/%2F%2Fevil.example", true}, // an encoded slash is part of a path, not an authority
		{"/.//evil.example", true},    // a path; the redirect cleans it to /evil.example
		{"//evil.example", false},
		{"//evil.example/", false},
		{"///evil.example", false},
		{`/\evil.example`, false},
		{`\\evil.example`, false},
		{`\/evil.example`, false},
		{"https://evil.example", false},
		{"https:evil.example", false},
		{"javascript:alert(1)", false},
		{"%2F%2Fevil.example", false},
		{"evil.example", false},
		{" /ok", false},
		{"/\t/evil.example", false}, // browsers drop the tab and read //evil.example
		{"/\n/evil.example", false},
		{"/ok\r\nSet-Cookie: x=1", false},
		{"/ok\x00", false},
		{"/ok\x7f", false},
		// http.Redirect cleans /a/../\evil.example into /\evil.example, which
		// browsers read as //evil.example.
		{`/a/../\evil.example`, false},
		{`/ok\`, false},
	}
	for _, c := range cases {
		got := safeReturn(c.raw, fallback)
		want := fallback
		if c.keep {
			want = c.raw
		}
		if got != want {
			t.Errorf("safeReturn(%q) = %q, want %q", c.raw, got, want)
			continue
		}
		checkSameSite(t, c.raw, got)
	}
}

// TestSafeReturn_dot_dot_backslash_is_no_open_redirect is the open redirect
// the fuzzer found: POST /langue with retour=/a/../\evil.example answered
// Location: /\evil.example, and a browser then left for evil.example.
func TestSafeReturn_dot_dot_backslash_is_no_open_redirect(t *testing.T) {
	for _, raw := range []string{`/a/../\evil.example`, `/catalogue/..\/evil.example`, `/x/../\\evil.example/page`} {
		ret := safeReturn(raw, "/catalogue")
		loc := redirectLocation(ret)
		dest, err := browserTarget(loc)
		if err != nil || dest.Host != siteBase.Host {
			t.Errorf("retour=%q: Location %q takes the browser to %v (%v)", raw, loc, dest, err)
		}
	}
}

// FuzzSafeReturn: whatever the return address, the result is the address
// itself or the fallback, a path of this site starting with a single "/",
// and the redirect a handler sends for it keeps the browser on the site.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/mon-profil", "/ok?x=1", "//evil.example", `/\evil`, "https://evil", "%2F%2Fevil",
		"", "/\t/evil", `/a/../\evil`, "/.//evil", "/catalogue#x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		const fallback = "/repli"
		ret := safeReturn(raw, fallback)
		if ret != raw && ret != fallback {
			t.Fatalf("safeReturn(%q) = %q: neither the address nor the fallback", raw, ret)
		}
		checkSameSite(t, raw, ret)
	})
}

// fuzzIndex is a small catalogue: two establishments, two formations, one
// session, three courses.
func fuzzIndex(t testing.TB) (*catalogue.Index, *i18n.Catalog) {
	t.Helper()
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	c := &store.Catalogue{
		Revision: 1,
		Establishments: []domain.Establishment{
			{ID: 1, Name: "Lycée Voltaire", District: 11, PostalCode: "75011", Rooms: []domain.Room{{ID: 10, EstablishmentID: 1, Name: "A"}}},
			{ID: 2, Name: "Collège Buffon", District: 15, PostalCode: "75015", Rooms: []domain.Room{{ID: 20, EstablishmentID: 2, Name: "B"}}},
		},
		Formations: []domain.Formation{
			{ID: 1, Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner, Kind: domain.KindGeneral},
			{ID: 2, Title: "Céramique", Subject: domain.SubjectArts, Level: domain.LevelAll, Kind: domain.KindGeneral},
		},
		Sessions: []domain.Session{{ID: 3, Code: "A", Name: "Année", Kind: domain.SessionAnnual, FirstDay: day(9, 28), LastDay: day(12, 19),
			CandidatureOpens: day(9, 1), CandidatureCloses: domain.DeadlineOn(2026, 9, 15)}},
		Courses: []domain.Course{
			{ID: 7, Code: "C7", FormationID: 1, EstablishmentID: 1, RoomID: 10, SessionID: 3, Weekday: time.Monday, StartMinute: 18 * 60, EndMinute: 20 * 60, Capacity: 25},
			{ID: 8, Code: "C8", FormationID: 2, EstablishmentID: 2, RoomID: 20, SessionID: 3, Weekday: time.Tuesday, StartMinute: 14 * 60, EndMinute: 16 * 60, Capacity: 20},
			{ID: 9, Code: "C9", FormationID: 2, EstablishmentID: 1, RoomID: 10, SessionID: 3, Weekday: time.Friday, StartMinute: 19 * 60, EndMinute: 21 * 60, Capacity: 20},
		},
	}
	return catalogue.Build(c, words, "C"), words
}

// FuzzCandidatureFilterForm: any query string of the back-office candidature
// list gives a filter or field errors, never a panic. A filter names only
// what the catalogue holds; every error is worded and tied to a field of the
// form; and a filter without errors survives a round trip through the query
// it writes for links and exports.
func FuzzCandidatureFilterForm(f *testing.F) {
	f.Add("session=3&formation=2&etablissement=1&cours=9&statut=submitted")
	f.Add("statut=cancelled&etablissement=2")
	f.Add("session=%201%20&cours=-7&statut=SUBMITTED")
	f.Add("formation=99999999999999999999&etablissement=0x1&cours=")
	f.Add("session=3&session=4&statut=&statut=cancelled")
	ix, words := fuzzIndex(f)
	fields := map[string]bool{"session": true, "formation": true, "etablissement": true, "filtres": true, "statut": true}
	f.Fuzz(func(t *testing.T, query string) {
		for _, lang := range i18n.Langs {
			p := words.Printer(lang)
			cq, errs := candidatureFilterFormFromRequest(listRequest(query), p, ix)
			for _, e := range errs {
				if !fields[e.Field] || e.Message == "" || strings.HasPrefix(e.Message, "bo.cand.") || strings.HasPrefix(e.Message, "filter.") {
					t.Fatalf("%q (%s): error %+v is not a worded message of a form field", query, lang, e)
				}
			}
			checkKnown(t, query, ix, cq)
			if len(errs) > 0 {
				continue
			}
			again, errs := candidatureFilterFormFromRequest(listRequest(cq.values().Encode()), p, ix)
			if len(errs) > 0 {
				t.Fatalf("round trip of %q (%s) gives errors %+v", query, lang, errs)
			}
			if again.filter != cq.filter {
				t.Fatalf("round trip of %q (%s): %+v, then %+v", query, lang, cq.filter, again.filter)
			}
		}
		if res, ok := establishmentParam(nil, listRequest(query)); !ok || res.EstablishmentID < 0 {
			t.Fatalf("establishmentParam(%q) = %+v, %v", query, res, ok)
		}
	})
}

// listRequest is a GET of the back-office candidature list with query.
func listRequest(query string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/back-office/candidatures", nil)
	r.URL.RawQuery = query
	return r
}

// checkKnown fails t unless every identifier of the filter is 0 or one the
// catalogue holds, and the course kept with the filter is the one it names.
func checkKnown(t *testing.T, query string, ix *catalogue.Index, cq candidatureFilterForm) {
	t.Helper()
	f := cq.filter
	_, session := ix.Session(f.SessionID)
	_, formation := ix.Formation(f.FormationID)
	_, establishment := ix.Establishment(f.EstablishmentID)
	course, courseFound := ix.Course(f.CourseID)
	switch {
	case f.SessionID != 0 && !session, f.FormationID != 0 && !formation, f.EstablishmentID != 0 && !establishment:
		t.Fatalf("%q gives a filter naming what the catalogue lacks: %+v", query, f)
	case f.CourseID != 0 && (!courseFound || cq.course != course), f.CourseID == 0 && cq.course != nil:
		t.Fatalf("%q gives course %d with entry %+v", query, f.CourseID, cq.course)
	case f.Status != "" && f.Status != domain.CandidatureSubmitted && f.Status != domain.CandidatureCancelled:
		t.Fatalf("%q gives status %q", query, f.Status)
	case f.Limit != 0:
		t.Fatalf("%q sets a row limit %d", query, f.Limit)
	}
}

// FuzzLanguage: the language of pages comes from the cma_lang cookie and the
// API's from Accept-Language. Whatever those headers hold, the reader gets
// French or English, never a panic, and anything but English gives French.
func FuzzLanguage(f *testing.F) {
	f.Add("cma_lang=en", "en-GB,en;q=0.9")
	f.Add("cma_lang=fr", "fr-FR,fr;q=0.9,en;q=0.8")
	f.Add(`cma_lang="en"; autre=1`, "*")
	f.Add("cma_lang=EN", "EN")
	f.Add("cma_lang=de; cma_lang=en", "de-CH")
	f.Add("cma_lang=", "")
	words, err := i18n.Load()
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{Deps: Deps{Words: words}}
	f.Fuzz(func(t *testing.T, cookie, acceptLanguage string) {
		// What reaches a handler: net/http refuses header values with line
		// breaks or NUL and trims spaces and tabs around them.
		if strings.ContainsAny(cookie+acceptLanguage, "\r\n\x00") {
			return
		}
		cookie, acceptLanguage = strings.Trim(cookie, " \t"), strings.Trim(acceptLanguage, " \t")
		r := httptest.NewRequest(http.MethodGet, "/catalogue", nil)
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Accept-Language", acceptLanguage)

		page := s.printer(r).Lang
		wantPage := i18n.French
		if c, err := r.Cookie(langCookie); err == nil && c.Value == string(i18n.English) {
			wantPage = i18n.English
		}
		if page != wantPage {
			t.Fatalf("cookie %q: pages in %q, want %q", cookie, page, wantPage)
		}

		api := s.apiPrinter(r).Lang
		first := strings.Trim(strings.SplitN(strings.SplitN(r.Header.Get("Accept-Language"), ",", 2)[0], ";", 2)[0], " \t") // optional whitespace is spaces and tabs (RFC 9110)
		switch {
		case api != i18n.French && api != i18n.English:
			t.Fatalf("Accept-Language %q: API in %q", acceptLanguage, api)
		case api == i18n.English && !strings.HasPrefix(r.Header.Get("Accept-Language"), "en"):
			t.Fatalf("Accept-Language %q asks for no English, the API answers in English", acceptLanguage)
		case (first == "en" || strings.HasPrefix(first, "en-")) && api != i18n.English:
			t.Fatalf("Accept-Language %q asks for English first, the API answers in %q", acceptLanguage, api)
		}
	})
}
