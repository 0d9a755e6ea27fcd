package catalogue_test

import (
	"cma/internal/catalogue"
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/store"
)

// demoCatalogue is the demo city at scale as the store would load it, IDs
// given in order, without a database.
func demoCatalogue(scale int) *store.Catalogue {
	ds := demo.Generate(demo.Options{Scale: scale, Seed: 2026, Today: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
	c := &store.Catalogue{Revision: 1, SchoolHolidays: ds.SchoolHolidays}
	ests, rooms, forms, sess := map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	var roomID int64
	for i, e := range ds.Establishments {
		e.ID = int64(i + 1)
		ests[e.Code] = e.ID
		e.Rooms = append([]domain.Room(nil), e.Rooms...)
		for j := range e.Rooms {
			roomID++
			e.Rooms[j].ID, e.Rooms[j].EstablishmentID = roomID, e.ID
			rooms[e.Code+"/"+e.Rooms[j].Name] = roomID
		}
		c.Establishments = append(c.Establishments, e)
	}
	for i, f := range ds.Formations {
		f.ID = int64(i + 1)
		forms[f.Code] = f.ID
		c.Formations = append(c.Formations, f)
	}
	for i, s := range ds.Sessions {
		s.ID = int64(i + 1)
		sess[s.Code] = s.ID
		c.Sessions = append(c.Sessions, s)
	}
	for i, co := range ds.Courses {
		course := co.Course
		course.ID = int64(i + 1)
		course.FormationID, course.EstablishmentID, course.SessionID = forms[co.FormationCode], ests[co.EstablishmentCode], sess[co.SessionCode]
		course.RoomID = rooms[co.EstablishmentCode+"/"+co.RoomName]
		course.Enrolled = i % 23 // some courses full
		c.Courses = append(c.Courses, course)
	}
	return c
}

// naiveSearch is the search's rule course by course (catalogue.Entry.matches), the
// reference the bitsets of facets.go must agree with.
func naiveSearch(ix *catalogue.Index, f catalogue.Filter, now time.Time) (total int, firstPage []int64) {
	keyword := ix.KeywordMatches(splitQuery(f.Query))
	perPage := max(f.PerPage, 1)
	first := (max(f.Page, 1) - 1) * perPage
	for i, e := range ix.Entries() {
		if keyword != nil && keyword[i/64]&(1<<(i%64)) == 0 || !e.Matches(f) ||
			f.OpenOnly != nil && *f.OpenOnly && !e.Session.CandidatureOpen(now) {
			continue
		}
		if total >= first && len(firstPage) < perPage {
			firstPage = append(firstPage, e.ID)
		}
		total++
	}
	return total, firstPage
}

func splitQuery(q string) []string { return strings.Fields(domain.SearchKey(q)) }

// TestSearch_CAT1_bitsets_agree_with_the_rule: on the demo city, hundreds of
// random combinations of every filter, keywords and pages give the same total
// and the same page as the filters applied course by course.
func TestSearch_CAT1_bitsets_agree_with_the_rule(t *testing.T) {
	ix := catalogue.Build(demoCatalogue(1), testWords(t), "C")
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	yesNo := func() *bool {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			b := true
			return &b
		}
		b := false
		return &b
	}
	pick := func(p float64) bool { return r.Float64() < p }
	queries := []string{"", "", "anglais", "info", "ecole", "cap", "zzz", "15e anglais"}
	for i := range 600 {
		f := catalogue.Filter{Query: queries[r.IntN(len(queries))], Page: 1 + r.IntN(3), PerPage: []int{5, 20, 100}[r.IntN(3)]}
		if pick(0.4) {
			f.Subject = domain.Subjects[r.IntN(len(domain.Subjects))]
		}
		if pick(0.3) {
			f.Level = domain.Levels[r.IntN(len(domain.Levels))]
		}
		if pick(0.15) {
			f.EstablishmentID = ix.Establishments[r.IntN(len(ix.Establishments))].ID
		}
		if pick(0.3) {
			f.District = 1 + r.IntN(20)
		}
		if pick(0.4) {
			d := time.Weekday(r.IntN(7))
			f.Weekday = &d
		}
		if pick(0.3) {
			f.TimeOfDay = []domain.TimeOfDay{domain.Morning, domain.Afternoon, domain.Evening}[r.IntN(3)]
		}
		if pick(0.3) {
			f.MaxPriceCents = int64(100 * (50 + r.IntN(400)))
		}
		f.Diploma, f.Remote, f.OpenOnly = yesNo(), yesNo(), yesNo()
		f.PlacesLeft = pick(0.3)
		if pick(0.3) {
			f.SessionID = ix.Sessions[r.IntN(len(ix.Sessions))].ID
		}
		total, page := naiveSearch(ix, f, now)
		res, err := ix.Search(f, now)
		if _, out := err.(catalogue.ErrPageOutOfRange); err != nil && !out {
			t.Fatal(err)
		}
		got := make([]int64, 0, len(res.Items))
		for _, e := range res.Items {
			got = append(got, e.ID)
		}
		if res.Total != total || len(got) != len(page) {
			t.Fatalf("#%d %+v: %d results, page of %d; course by course %d, page of %d", i, f, res.Total, len(got), total, len(page))
		}
		for k := range got {
			if got[k] != page[k] {
				t.Fatalf("#%d %+v: page %v, course by course %v", i, f, got, page)
			}
		}
	}
}

// BenchmarkSearch measures catalogue.Index.Search on the demo city at scale 1 and 14
// (about 1,400 and 20,000 courses): the filtered second page of bench/catalogue
// and the keyword search, beside the same search course by course (the way
// Search worked before the bitsets), the in-run baseline.
func BenchmarkSearch(b *testing.B) {
	w := testWords(b)
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	for _, scale := range []int{1, 14} {
		ix := catalogue.Build(demoCatalogue(scale), w, "C")
		monday, no := time.Monday, false
		for name, f := range map[string]catalogue.Filter{
			"filtered_page2": {Subject: domain.SubjectLanguages, Weekday: &monday, OpenOnly: &no, Page: 2, PerPage: catalogue.DefaultPerPage},
			"keyword":        {Query: "anglais", Page: 1, PerPage: catalogue.DefaultPerPage},
		} {
			b.Run(name+"/courses="+strconv.Itoa(ix.Len())+"/bitsets", func(b *testing.B) {
				for b.Loop() {
					if _, err := ix.Search(f, now); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/courses="+strconv.Itoa(ix.Len())+"/course_by_course", func(b *testing.B) {
				for b.Loop() {
					naiveSearch(ix, f, now)
				}
			})
		}
	}
}

// BenchmarkBuild measures catalogue.Build at scale 15 (21,000 courses), the
// in-memory part of a reload (bench/reload measures it with LoadCatalogue).
func BenchmarkBuild(b *testing.B) {
	w := testWords(b)
	c := demoCatalogue(15)
	b.ResetTimer()
	for b.Loop() {
		catalogue.Build(c, w, "C")
	}
}

// TestBuild_CAT1_keywords_are_the_folded_texts: the words a course is found
// by, folded text by text and shared between courses, are those of its whole
// text folded at once: formation title, diploma, codes, subject and level in
// both languages, establishment, postal code, arrondissement, trainer.
func TestBuild_CAT1_keywords_are_the_folded_texts(t *testing.T) {
	w := testWords(t)
	ix := catalogue.Build(demoCatalogue(1), w, "C")
	fr, en := w.Printer("fr"), w.Printer("en")
	vocab := map[string]bool{}
	for _, v := range ix.Vocabulary() {
		vocab[v] = true
	}
	for i, e := range ix.Entries() {
		f := e.Formation
		want := map[string]bool{}
		for _, word := range strings.Fields(domain.SearchKey(strings.Join([]string{f.Title, f.DiplomaName, f.Code, e.Code,
			fr.T("subject." + string(f.Subject)), en.T("subject." + string(f.Subject)),
			fr.T("level." + string(e.Level)), en.T("level." + string(e.Level)),
			e.Establishment.Name, e.Establishment.PostalCode, strconv.Itoa(e.Establishment.District) + "e",
			e.Trainer}, " "))) {
			want[word] = true
		}
		got := map[string]bool{}
		for j, word := range ix.Vocabulary() {
			if _, found := slices.BinarySearch(ix.Postings()[j], int32(i)); found {
				got[word] = true
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: found by %v, want %v", e.Code, got, want)
		}
		for word := range want {
			if !got[word] || !vocab[word] {
				t.Fatalf("%s: not found by %q", e.Code, word)
			}
		}
		if i > 300 {
			break // the postings scan is quadratic; 300 courses cover every formation kind
		}
	}
}

// TestBuild_CAT1_display_order: the courses are in the catalogue's order —
// formation title (accents and case folded), level, weekday from Monday,
// start time, establishment name, ID — whatever ranks catalogue.Build sorts them by.
func TestBuild_CAT1_display_order(t *testing.T) {
	ix := catalogue.Build(demoCatalogue(2), testWords(t), "C")
	if !slices.IsSortedFunc(ix.Entries(), func(a, b *catalogue.Entry) int {
		return cmp.Or(strings.Compare(domain.SearchKey(a.Formation.Title), domain.SearchKey(b.Formation.Title)),
			catalogue.LevelRank(a.Level)-catalogue.LevelRank(b.Level), catalogue.WeekdayRank(a.Weekday)-catalogue.WeekdayRank(b.Weekday), a.StartMinute-b.StartMinute,
			strings.Compare(a.Establishment.Name, b.Establishment.Name), cmp.Compare(a.ID, b.ID))
	}) {
		t.Fatal("the catalogue is not in display order")
	}
}
