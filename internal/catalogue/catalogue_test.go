package catalogue

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"cma/internal/calendar"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

func words(t testing.TB) *i18n.Catalog {
	t.Helper()
	w, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// sample is a tiny catalogue: two establishments, three formations, five courses.
func sample() *store.Catalogue {
	day := calendar.Day
	paris, _ := time.LoadLocation("Europe/Paris")
	return &store.Catalogue{
		Revision: 7,
		Establishments: []domain.Establishment{
			{ID: 1, Name: "Lycée Voltaire", District: 11, PostalCode: "75011", Rooms: []domain.Room{{ID: 10, EstablishmentID: 1, Name: "A"}}},
			{ID: 2, Name: "Collège Buffon", District: 15, PostalCode: "75015", Rooms: []domain.Room{{ID: 20, EstablishmentID: 2, Name: "B", Workstations: 15}}},
		},
		Formations: []domain.Formation{
			{ID: 1, Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner, Kind: domain.KindGeneral},
			{ID: 2, Title: "Céramique", Subject: domain.SubjectArts, Level: domain.LevelAll, Kind: domain.KindGeneral},
			{ID: 3, Title: "CAP Petite enfance", Subject: domain.SubjectDiploma, Level: domain.LevelAll, Kind: domain.KindGeneral, Diploma: true, DiplomaName: "CAP"},
		},
		Sessions: []domain.Session{{ID: 1, Code: "A", Name: "Année", Kind: domain.SessionAnnual, FirstDay: day(2026, 9, 28), LastDay: day(2027, 6, 19),
			CandidatureOpens: time.Date(2026, 9, 1, 0, 0, 0, 0, paris), CandidatureCloses: domain.DeadlineOn(2026, time.September, 14)}},
		Courses: []domain.Course{
			{ID: 1, Code: "C1", FormationID: 1, EstablishmentID: 1, RoomID: 10, SessionID: 1, Weekday: time.Monday, StartMinute: 18 * 60, EndMinute: 20 * 60, Level: domain.LevelBeginner, Capacity: 25, Enrolled: 25, PriceCents: 30000, Trainer: "Mme Martin"},
			{ID: 2, Code: "C2", FormationID: 1, EstablishmentID: 2, RoomID: 20, SessionID: 1, Weekday: time.Saturday, StartMinute: 9 * 60, EndMinute: 11 * 60, Level: domain.LevelBeginner, Capacity: 25, Enrolled: 3, PriceCents: 30000},
			{ID: 3, Code: "C3", FormationID: 2, EstablishmentID: 1, RoomID: 10, SessionID: 1, Weekday: time.Tuesday, StartMinute: 14 * 60, EndMinute: 16 * 60, Level: domain.LevelAll, Capacity: 20, PriceCents: 45000, Remote: true},
			{ID: 4, Code: "C4", FormationID: 3, EstablishmentID: 2, RoomID: 20, SessionID: 1, Weekday: time.Thursday, StartMinute: 18*60 + 30, EndMinute: 21 * 60, Level: domain.LevelAll, Capacity: 15, PriceCents: 60000},
			{ID: 5, Code: "C5", FormationID: 2, EstablishmentID: 2, RoomID: 20, SessionID: 1, Weekday: time.Monday, StartMinute: 19 * 60, EndMinute: 21 * 60, Level: domain.LevelAll, Capacity: 20, PriceCents: 45000},
		},
	}
}

func codes(r Result) []string {
	var out []string
	for _, e := range r.Items {
		out = append(out, e.Code)
	}
	return out
}

func search(t *testing.T, ix *Index, query string) Result {
	t.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := ParseFilter(v)
	if len(errs) > 0 {
		t.Fatalf("ParseFilter(%q) errors: %+v", query, errs)
	}
	r, err := ix.Search(f, time.Now())
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	return r
}

func TestSearch_CAT1_filters(t *testing.T) {
	ix := Build(sample(), words(t), "C")
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"C1", "C2", "C4", "C5", "C3"}}, // title order, then Monday first
		{"q=CERAMIQUE", []string{"C5", "C3"}},        // accent- and case-insensitive
		{"q=céramique+buffon", []string{"C5"}},       // every word must match
		{"q=langues", []string{"C1", "C2"}},          // subject names are searchable
		{"q=15e", []string{"C2", "C4", "C5"}},        // district
		{"domaine=arts", []string{"C5", "C3"}},
		{"niveau=beginner", []string{"C1", "C2"}},
		{"etablissement=1", []string{"C1", "C3"}},
		{"arrondissement=15", []string{"C2", "C4", "C5"}},
		{"jour=1", []string{"C1", "C5"}},
		{"moment=morning", []string{"C2"}},
		{"moment=afternoon", []string{"C3"}},
		{"prix_max=450", []string{"C1", "C2", "C5", "C3"}},
		{"places=1", []string{"C2", "C4", "C5", "C3"}}, // C1 is full
		{"session=1&q=anglais", []string{"C1", "C2"}},
	} {
		got := codes(search(t, ix, tc.query))
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.query, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: got %v, want %v", tc.query, got, tc.want)
				break
			}
		}
	}
}

func TestSearch_CAT7_diploma_filter(t *testing.T) {
	ix := Build(sample(), words(t), "C")
	if got := codes(search(t, ix, "diplome=oui")); len(got) != 1 || got[0] != "C4" {
		t.Fatalf("diplome=oui: %v", got)
	}
	if got := codes(search(t, ix, "diplome=non")); len(got) != 4 {
		t.Fatalf("diplome=non: %v", got)
	}
}

func TestSearch_CAT6_remote(t *testing.T) {
	c := sample()
	ix := Build(c, words(t), "C")
	if got := codes(search(t, ix, "distanciel=oui")); len(got) != 1 || got[0] != "C3" {
		t.Fatalf("distanciel=oui: %v", got)
	}
	c.AllRemote = true // health protocol: every course remote at once
	ix = Build(c, words(t), "C")
	if got := codes(search(t, ix, "distanciel=oui")); len(got) != 5 {
		t.Fatalf("all remote: distanciel=oui gives %v", got)
	}
	if got := codes(search(t, ix, "distanciel=non")); len(got) != 0 {
		t.Fatalf("all remote: distanciel=non gives %v", got)
	}
}

func TestSearchPagination(t *testing.T) {
	ix := Build(sample(), words(t), "C")
	r := search(t, ix, "par_page=2&page=3")
	if r.Total != 5 || r.Pages != 3 || len(r.Items) != 1 || r.Items[0].Code != "C3" {
		t.Fatalf("page 3 = %+v %v", r, codes(r))
	}
	f, _ := ParseFilter(url.Values{"par_page": {"2"}, "page": {"4"}})
	_, err := ix.Search(f, time.Now())
	if _, ok := err.(ErrPageOutOfRange); !ok {
		t.Fatalf("page 4 of 3: err = %v", err)
	}
	// An empty result has one (empty) page, not an error.
	r = search(t, ix, "q=zzz")
	if r.Total != 0 || r.Pages != 1 {
		t.Fatalf("empty search = %+v", r)
	}
}

func TestParseFilterRefusesBadInput(t *testing.T) {
	for _, tc := range []struct{ query, field, code string }{
		{"couleur=rouge", "couleur", "unknown"},
		{"domaine=cuisine", "domaine", "subject"},
		{"niveau=expert", "niveau", "level"},
		{"jour=7", "jour", "weekday"},
		{"jour=lundi", "jour", "weekday"},
		{"arrondissement=21", "arrondissement", "district"},
		{"moment=nuit", "moment", "time_of_day"},
		{"prix_max=-3", "prix_max", "price"},
		{"prix_max=12.5", "prix_max", "price"},
		{"diplome=peut-etre", "diplome", "yes_no"},
		{"page=0", "page", "page"},
		{"page=abc", "page", "page"},
		{"par_page=1000", "par_page", "per_page"},
		{"etablissement=x", "etablissement", "establishment"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, errs := ParseFilter(v)
		if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Key != "filter.error."+tc.code {
			t.Errorf("%q: errors %+v, want one %s/%s", tc.query, errs, tc.field, tc.code)
		}
	}
	v, _ := url.ParseQuery("couleur=rouge")
	if _, errs := ParseFilter(v); len(errs) != 1 || errs[0].Args["Value"] != "couleur" {
		t.Errorf("an unknown parameter is not named in its message: %+v", errs)
	}
	v, _ = url.ParseQuery("lang=en")
	if _, errs := ParseFilter(v, "lang"); len(errs) != 0 {
		t.Errorf("ignored parameter refused: %+v", errs)
	}
}

func TestFilterValuesRoundTrip(t *testing.T) {
	in := "q=anglais&domaine=languages&niveau=beginner&etablissement=2&arrondissement=15&jour=6&moment=morning&prix_max=300&diplome=non&distanciel=non&places=1&ouverts=oui&session=1&par_page=50"
	v, _ := url.ParseQuery(in)
	f, errs := ParseFilter(v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	g, errs := ParseFilter(f.Values())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if f.Values().Encode() != g.Values().Encode() {
		t.Fatalf("round trip changed the filter: %s vs %s", f.Values().Encode(), g.Values().Encode())
	}
}

func TestMeetings_CAT5_skip_public_holidays(t *testing.T) {
	c := sample()
	c.SchoolHolidays = []store.SchoolHoliday{
		{Zone: "C", Name: "Vacances de la Toussaint", First: calendar.Day(2026, 10, 17), Last: calendar.Day(2026, 11, 1)},
		{Zone: "A", Name: "Vacances d'hiver", First: calendar.Day(2027, 2, 6), Last: calendar.Day(2027, 2, 21)},
	}
	ix := Build(c, words(t), "C")
	paris, _ := time.LoadLocation("Europe/Paris")
	e, _ := ix.Course(1) // Mondays
	reasons := map[string]string{}
	for _, m := range ix.Meetings(e, paris) {
		if m.Skipped {
			reasons[m.Date.Format(time.DateOnly)] = m.Reason
		}
	}
	if reasons["2026-10-19"] != "Vacances de la Toussaint" || reasons["2027-05-17"] != "Lundi de Pentecôte" {
		t.Fatalf("skipped = %v", reasons)
	}
	if _, ok := reasons["2027-02-08"]; ok {
		t.Fatal("zone A holidays closed a zone C course")
	}
}

// FuzzParseFilter: any query string gives a filter or errors, never a panic, and
// a filter without errors survives a round trip through its URL.
func FuzzParseFilter(f *testing.F) {
	f.Add("q=anglais&jour=1&page=2")
	f.Add("prix_max=99999999999999999999&arrondissement=-1")
	f.Add("diplome=oui&distanciel=non&places=1&session=3&par_page=100")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		fl, errs := ParseFilter(v)
		if len(errs) > 0 {
			return
		}
		again, errs := ParseFilter(fl.Values())
		if len(errs) > 0 {
			t.Fatalf("round trip of %q gives errors %+v", query, errs)
		}
		if again.Values().Encode() != fl.Values().Encode() {
			t.Fatalf("round trip of %q changed it", query)
		}
		ix := Build(sample(), words(t), "C")
		fl.PerPage = max(fl.PerPage, 1)
		if _, err := ix.Search(fl, time.Now()); err != nil {
			if _, ok := err.(ErrPageOutOfRange); !ok {
				t.Fatal(err)
			}
		}
	})
}

// TestFirstClass_ACC1_CAT5: each course knows the date of its first class
// held: the first of its weekday in the session, after the school holidays
// that skip the first ones; a holiday session keeps its first date.
func TestFirstClass_ACC1_CAT5(t *testing.T) {
	c := sample()
	c.Sessions[0].FirstDay = calendar.Day(2026, 10, 28) // a Wednesday inside the Toussaint holidays (17 Oct – 1 Nov)
	c.SchoolHolidays = []store.SchoolHoliday{{Zone: "C", Name: "Vacances de la Toussaint", First: calendar.Day(2026, 10, 17), Last: calendar.Day(2026, 11, 1)}}
	want := map[string]time.Time{
		"C1": calendar.Day(2026, 11, 2), // Monday after the holidays
		"C2": calendar.Day(2026, 11, 7), // Saturday
		"C3": calendar.Day(2026, 11, 3), // Tuesday
		"C4": calendar.Day(2026, 11, 5), // Thursday
		"C5": calendar.Day(2026, 11, 2),
	}
	ix := Build(c, words(t), "C")
	for _, e := range ix.All() {
		if !e.FirstClass.Equal(want[e.Code]) {
			t.Errorf("%s (%s) first class %s, want %s", e.Code, e.Weekday, e.FirstClass.Format(time.DateOnly), want[e.Code].Format(time.DateOnly))
		}
	}
	c.Sessions[0].HolidaySession = true
	for _, e := range Build(c, words(t), "C").All() {
		if e.Code == "C4" && !e.FirstClass.Equal(calendar.Day(2026, 10, 29)) {
			t.Errorf("holiday session: C4 first class %s, want 2026-10-29", e.FirstClass.Format(time.DateOnly))
		}
	}
}

// twoSessions is sample() with a second session, open from 2 November 10:00
// to 15 December 2026 included (Paris time), holding C2 and C5; the first
// session's period closed on 14 September.
func twoSessions() *store.Catalogue {
	c := sample()
	paris, _ := time.LoadLocation("Europe/Paris")
	c.Sessions = append(c.Sessions, domain.Session{ID: 2, Code: "S2", Name: "2e semestre", Kind: domain.SessionSemester2,
		FirstDay: calendar.Day(2027, 2, 1), LastDay: calendar.Day(2027, 6, 19),
		CandidatureOpens: time.Date(2026, 11, 2, 10, 0, 0, 0, paris), CandidatureCloses: domain.DeadlineOn(2026, time.December, 15)})
	for i := range c.Courses {
		if c.Courses[i].Code == "C2" || c.Courses[i].Code == "C5" {
			c.Courses[i].SessionID = 2
		}
	}
	return c
}

func searchAt(t *testing.T, ix *Index, query string, now time.Time) []string {
	t.Helper()
	v, _ := url.ParseQuery(query)
	f, errs := ParseFilter(v)
	if len(errs) > 0 {
		t.Fatalf("ParseFilter(%q): %+v", query, errs)
	}
	r, err := ix.Search(f, now)
	if err != nil {
		t.Fatal(err)
	}
	return codes(r)
}

// TestSearch_CAT1_open_filter: "ouverts=oui" keeps the courses whose session
// takes candidatures at the search's instant, by the basket's rule: from the
// opening instant to the end of the closing day, Paris time.
func TestSearch_CAT1_open_filter(t *testing.T) {
	ix := Build(twoSessions(), words(t), "C")
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tc := range []struct {
		query string
		at    time.Time
		want  string
	}{
		{"ouverts=oui", time.Date(2026, 12, 1, 12, 0, 0, 0, paris), "C2 C5"},
		{"ouverts=1&q=anglais", time.Date(2026, 12, 1, 12, 0, 0, 0, paris), "C2"},
		{"ouverts=oui", time.Date(2026, 11, 2, 9, 59, 59, 0, paris), ""},        // not open yet
		{"ouverts=oui", time.Date(2026, 11, 2, 10, 0, 0, 0, paris), "C2 C5"},    // the opening instant
		{"ouverts=oui", time.Date(2026, 12, 15, 23, 59, 59, 0, paris), "C2 C5"}, // the whole closing day
		{"ouverts=oui", time.Date(2026, 12, 16, 0, 0, 0, 0, paris), ""},         // closed
		{"ouverts=oui", time.Date(2026, 9, 10, 12, 0, 0, 0, paris), "C1 C4 C3"}, // the first session's period
		{"ouverts=non", time.Date(2026, 12, 1, 12, 0, 0, 0, paris), "C1 C2 C4 C5 C3"},
		{"", time.Date(2026, 12, 1, 12, 0, 0, 0, paris), "C1 C2 C4 C5 C3"}, // the filter itself has no default
	} {
		if got := strings.Join(searchAt(t, ix, tc.query, tc.at), " "); got != tc.want {
			t.Errorf("%q at %s: %q, want %q", tc.query, tc.at.Format(time.DateTime), got, tc.want)
		}
		// Every course kept is one the basket would accept at that instant.
		for _, code := range searchAt(t, ix, tc.query, tc.at) {
			for _, e := range ix.All() {
				if e.Code == code && tc.query != "" && tc.query != "ouverts=non" && !e.Session.CandidatureOpen(tc.at) {
					t.Errorf("%q at %s kept %s, whose session is closed", tc.query, tc.at, code)
				}
			}
		}
	}
}

// TestSearch_CAT1_open_filter_on_by_default: a search that does not say is
// limited to open sessions when one is open; "ouverts=non" (the form's
// unchecked box) turns it off; with no session open, every course shows.
func TestSearch_CAT1_open_filter_on_by_default(t *testing.T) {
	ix := Build(twoSessions(), words(t), "C")
	paris, _ := time.LoadLocation("Europe/Paris")
	during, between := time.Date(2026, 12, 1, 12, 0, 0, 0, paris), time.Date(2027, 1, 10, 12, 0, 0, 0, paris)
	if !ix.AnyOpen(during) || ix.AnyOpen(between) {
		t.Fatalf("AnyOpen: %v during, %v between periods", ix.AnyOpen(during), ix.AnyOpen(between))
	}
	for _, tc := range []struct {
		query string
		at    time.Time
		want  string
		on    bool
	}{
		{"", during, "C2 C5", true},
		{"q=ceramique", during, "C5", true},
		{"ouverts=non", during, "C1 C2 C4 C5 C3", false},
		{"ouverts=non&ouverts=oui", during, "C2 C5", true}, // hidden "non" then the checked box: the box wins
		{"", between, "C1 C2 C4 C5 C3", false},
		{"ouverts=oui", between, "", true},
	} {
		v, _ := url.ParseQuery(tc.query)
		f, errs := ParseFilter(v)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		f = ix.OpenByDefault(f, tc.at)
		if f.OpenOnly == nil || *f.OpenOnly != tc.on {
			t.Errorf("%q at %s: OpenOnly %v, want %v", tc.query, tc.at.Format(time.DateOnly), f.OpenOnly, tc.on)
		}
		r, err := ix.Search(f, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(codes(r), " "); got != tc.want {
			t.Errorf("%q at %s: %q, want %q", tc.query, tc.at.Format(time.DateOnly), got, tc.want)
		}
		// Pagination links say it explicitly, so page 2 is the same search.
		if want := map[bool]string{true: "oui", false: "non"}[tc.on]; f.Values().Get("ouverts") != want {
			t.Errorf("%q: Values() ouverts=%q, want %q", tc.query, f.Values().Get("ouverts"), want)
		}
	}
	v, _ := url.ParseQuery("ouverts=peut-etre")
	if _, errs := ParseFilter(v); len(errs) != 1 || errs[0].Field != "ouverts" || errs[0].Key != "filter.error.yes_no" {
		t.Errorf("ouverts=peut-etre: %+v", errs)
	}
}
