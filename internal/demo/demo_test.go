package demo

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

var testToday = time.Date(2026, time.November, 20, 15, 30, 0, 0, time.UTC)

func testOptions() Options { return Options{Scale: 1, Seed: 2026, Today: testToday} }

// generated caches the Scale 1 dataset shared by the read-only tests.
var generated = Generate(testOptions())

func TestGenerate_deterministic(t *testing.T) {
	again := Generate(testOptions())
	if !reflect.DeepEqual(generated, again) {
		t.Fatal("two runs with the same options gave different datasets")
	}
	other := testOptions()
	other.Seed = 7
	if reflect.DeepEqual(generated, Generate(other)) {
		t.Fatal("a different seed gave the same dataset")
	}
}

func TestGenerate_CAT1_establishments_in_every_district(t *testing.T) {
	ds := generated
	if len(ds.Establishments) < 60 {
		t.Errorf("%d establishments, want at least 60", len(ds.Establishments))
	}
	districts := map[int]int{}
	codes := map[string]bool{}
	for _, e := range ds.Establishments {
		districts[e.District]++
		if codes[e.Code] {
			t.Errorf("duplicate establishment code %s", e.Code)
		}
		codes[e.Code] = true
		if want := "750" + twoDigits(e.District); e.PostalCode != want || e.City != "Paris" {
			t.Errorf("%s: postal code %s city %s, want %s Paris", e.Code, e.PostalCode, e.City, want)
		}
		if len(e.Rooms) < 3 || len(e.Rooms) > 8 {
			t.Errorf("%s has %d rooms, want 3 to 8", e.Code, len(e.Rooms))
		}
		names := map[string]bool{}
		for _, r := range e.Rooms {
			if names[r.Name] {
				t.Errorf("%s: duplicate room %s", e.Code, r.Name)
			}
			names[r.Name] = true
		}
	}
	for d := 1; d <= 20; d++ {
		if districts[d] == 0 {
			t.Errorf("no establishment in district %d", d)
		}
	}
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestGenerate_CAT3_formations_cover_subjects_and_evaluations(t *testing.T) {
	ds := generated
	if len(ds.Formations) < 250 {
		t.Errorf("%d formations, want at least 250", len(ds.Formations))
	}
	subjects := map[domain.Subject]int{}
	evals := map[domain.EvaluationMode]int{}
	codes := map[string]bool{}
	for _, f := range ds.Formations {
		subjects[f.Subject]++
		evals[f.Evaluation]++
		if codes[f.Code] {
			t.Errorf("duplicate formation code %s", f.Code)
		}
		codes[f.Code] = true
		if !f.Subject.Valid() || !f.Level.Valid() || !f.Evaluation.Valid() || !f.Kind.Valid() {
			t.Errorf("formation %s has an invalid field: %+v", f.Code, f)
		}
		if f.Title == "" || f.Description == "" {
			t.Errorf("formation %s lacks a title or a description", f.Code)
		}
		if (f.Level == domain.LevelIntermediate || f.Level == domain.LevelAdvanced) && f.Prerequisites == "" {
			t.Errorf("formation %s (%s) has no prerequisites", f.Code, f.Level)
		}
	}
	for _, s := range domain.Subjects {
		if subjects[s] == 0 {
			t.Errorf("no formation of subject %s", s)
		}
	}
	for _, m := range domain.EvaluationModes {
		if evals[m] == 0 {
			t.Errorf("no formation evaluated by %s", m)
		}
	}
	for _, title := range []string{"Anglais – débutant", "Anglais – avancé", "Œnologie – débutant", "Programmation Python – intermédiaire", "Tableur Excel – débutant"} {
		if !hasTitle(ds.Formations, title) {
			t.Errorf("no formation titled %q", title)
		}
	}
}

func hasTitle(fs []domain.Formation, title string) bool {
	for _, f := range fs {
		if f.Title == title {
			return true
		}
	}
	return false
}

func TestGenerate_CAT7_diplomas(t *testing.T) {
	kinds := map[domain.FormationKind]int{}
	names := map[string]int{}
	for _, f := range generated.Formations {
		if f.Diploma != (f.DiplomaName != "") {
			t.Errorf("formation %s: Diploma %v with DiplomaName %q", f.Code, f.Diploma, f.DiplomaName)
		}
		if f.Diploma {
			kinds[f.Kind]++
			names[f.DiplomaName]++
		}
		if (f.Subject == domain.SubjectDiploma) != f.Diploma {
			t.Errorf("formation %s: subject %s, diploma %v", f.Code, f.Subject, f.Diploma)
		}
	}
	for _, n := range []string{"CAP", "BEP", "Baccalauréat", "BTS", "DAEU"} {
		if names[n] == 0 {
			t.Errorf("no %s formation", n)
		}
	}
	if kinds[domain.KindTechnical] == 0 || kinds[domain.KindComputer] == 0 || kinds[domain.KindGeneral] == 0 {
		t.Errorf("diploma formations by kind: %v, want all three kinds", kinds)
	}
	diplomaCourses := 0
	for _, c := range generated.Courses {
		if strings.HasPrefix(c.FormationCode, "F-CAP-") || strings.HasPrefix(c.FormationCode, "F-BTS-") {
			diplomaCourses++
		}
	}
	if diplomaCourses == 0 {
		t.Error("no course prepares a CAP or a BTS")
	}
}

func TestGenerate_PER1_one_session_open_today(t *testing.T) {
	for _, today := range []time.Time{testToday, time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 23, 59, 0, 0, time.UTC)} {
		opt := testOptions()
		opt.Today = today
		ds := Generate(opt)
		var open []string
		kinds := map[domain.SessionKind]bool{}
		for _, s := range ds.Sessions {
			if err := s.Validate(); err != nil {
				t.Errorf("session %s: %v", s.Code, err)
			}
			kinds[s.Kind] = true
			if s.CandidatureOpen(today) {
				open = append(open, s.Code)
			}
		}
		if len(open) != 1 || open[0] != SessionSemester2Code {
			t.Errorf("on %s the open sessions are %v, want only %s", today, open, SessionSemester2Code)
		}
		for _, k := range []domain.SessionKind{domain.SessionAnnual, domain.SessionSemester1, domain.SessionSemester2, domain.SessionSpecial} {
			if !kinds[k] {
				t.Errorf("no session of kind %s", k)
			}
		}
	}
	var holiday int
	for _, s := range generated.Sessions {
		if s.HolidaySession {
			holiday++
		}
		if s.Code == SessionAnnualCode && (s.FirstDay != civil(2026, 9, 28) || s.LastDay != civil(2027, 6, 19)) {
			t.Errorf("annual session from %s to %s", s.FirstDay, s.LastDay)
		}
		if s.Code == SessionSemester2Code && s.FirstDay != civil(2027, 2, 1) {
			t.Errorf("2nd semester starts %s", s.FirstDay)
		}
	}
	if holiday != 1 {
		t.Errorf("%d holiday sessions, want 1", holiday)
	}
	if len(generated.SchoolHolidays) != 5 {
		t.Errorf("%d school holiday periods, want 5", len(generated.SchoolHolidays))
	}
}

// indexes of the dataset by code, for the course checks.
type index struct {
	est   map[string]domain.Establishment
	form  map[string]domain.Formation
	sess  map[string]domain.Session
	rooms map[string]domain.Room // establishment code + "/" + room name
}

func indexOf(ds Dataset) index {
	ix := index{map[string]domain.Establishment{}, map[string]domain.Formation{}, map[string]domain.Session{}, map[string]domain.Room{}}
	for _, e := range ds.Establishments {
		ix.est[e.Code] = e
		for _, r := range e.Rooms {
			ix.rooms[e.Code+"/"+r.Name] = r
		}
	}
	for _, f := range ds.Formations {
		ix.form[f.Code] = f
	}
	for _, s := range ds.Sessions {
		ix.sess[s.Code] = s
	}
	return ix
}

func TestGenerate_CAT3_courses(t *testing.T) {
	ds := generated
	if n := len(ds.Courses); n < 1300 {
		t.Errorf("%d courses at scale 1, want at least 1300", n)
	}
	ix := indexOf(ds)
	codes := map[string]bool{}
	withCourse := map[string]bool{}
	var full, remote, saturday, evening int
	for _, c := range ds.Courses {
		if codes[c.Code] {
			t.Errorf("duplicate course code %s", c.Code)
		}
		codes[c.Code] = true
		if err := c.Validate(); err != nil {
			t.Errorf("course %s: %v", c.Code, err)
		}
		f, ok := ix.form[c.FormationCode]
		if !ok {
			t.Fatalf("course %s: unknown formation %s", c.Code, c.FormationCode)
		}
		withCourse[f.Code] = true
		if _, ok := ix.sess[c.SessionCode]; !ok {
			t.Fatalf("course %s: unknown session %s", c.Code, c.SessionCode)
		}
		if _, ok := ix.rooms[c.EstablishmentCode+"/"+c.RoomName]; !ok {
			t.Fatalf("course %s: no room %s in %s", c.Code, c.RoomName, c.EstablishmentCode)
		}
		if c.Level != f.Level {
			t.Errorf("course %s: level %s, formation's %s", c.Code, c.Level, f.Level)
		}
		if c.Weekday < time.Monday || c.Weekday > time.Saturday {
			t.Errorf("course %s on %s", c.Code, c.Weekday)
		}
		if d := c.EndMinute - c.StartMinute; d < 90 || d > 180 {
			t.Errorf("course %s lasts %d minutes", c.Code, d)
		}
		if c.Enrolled < 0 || c.Enrolled > c.Capacity {
			t.Errorf("course %s: %d enrolled for %d places", c.Code, c.Enrolled, c.Capacity)
		}
		if c.ReducedCents != (c.PriceCents+1)/2 || c.PriceCents < 9000 || c.PriceCents > 90000 {
			t.Errorf("course %s: price %d, reduced %d", c.Code, c.PriceCents, c.ReducedCents)
		}
		if len(strings.Fields(c.Trainer)) < 2 {
			t.Errorf("course %s: trainer %q", c.Code, c.Trainer)
		}
		if c.Enrolled == c.Capacity {
			full++
		}
		if c.Remote {
			remote++
		}
		if c.Weekday == time.Saturday {
			saturday++
		}
		if c.StartMinute >= 18*60 {
			evening++
		}
	}
	for _, f := range ds.Formations {
		if !withCourse[f.Code] {
			t.Errorf("formation %s has no course", f.Code)
		}
	}
	n := len(ds.Courses)
	t.Logf("%d courses: %d full, %d remote, %d on Saturday, %d in the evening", n, full, remote, saturday, evening)
	if full < n/10 || full > n*3/10 {
		t.Errorf("%d full courses of %d, want about 20%%", full, n)
	}
	if remote == 0 || remote > n/10 {
		t.Errorf("%d remote courses of %d, want about 3%%", remote, n)
	}
	if saturday == 0 || evening < n/2 {
		t.Errorf("%d Saturday and %d evening courses of %d", saturday, evening, n)
	}
}

func TestGenerate_CAT4_capacities(t *testing.T) {
	ix := indexOf(generated)
	for _, c := range generated.Courses {
		f := ix.form[c.FormationCode]
		room := ix.rooms[c.EstablishmentCode+"/"+c.RoomName]
		if err := domain.CheckCapacity(f.Kind, room, c.Capacity); err != nil {
			t.Errorf("course %s: %v", c.Code, err)
		}
		switch f.Kind {
		case domain.KindComputer:
			if room.Workstations == 0 || c.Capacity != domain.DefaultCapacity(f.Kind, room) {
				t.Errorf("computer course %s: capacity %d in room %s with %d workstations", c.Code, c.Capacity, room.Name, room.Workstations)
			}
		case domain.KindTechnical:
			if c.Capacity != room.Workstations {
				t.Errorf("technical course %s: capacity %d in room %s with %d workstations", c.Code, c.Capacity, room.Name, room.Workstations)
			}
		default:
			if c.Capacity < domain.GeneralMinCapacity || c.Capacity > domain.GeneralMaxCapacity {
				t.Errorf("general course %s: capacity %d", c.Code, c.Capacity)
			}
		}
	}
}

func TestGenerate_no_room_clash(t *testing.T) {
	for _, scale := range []int{1, 3} {
		ds := generated
		if scale != 1 {
			opt := testOptions()
			opt.Scale = scale
			ds = Generate(opt)
			if n := len(ds.Courses); n < scale*CoursesPerScale*95/100 {
				t.Errorf("scale %d: %d courses, want about %d", scale, n, scale*CoursesPerScale)
			}
		}
		type key struct {
			room    string
			weekday time.Weekday
			term    int
		}
		taken := map[key][]Course{}
		for _, c := range ds.Courses {
			for _, term := range termsOf(c.SessionCode) {
				k := key{c.EstablishmentCode + "/" + c.RoomName, c.Weekday, term}
				for _, o := range taken[k] {
					if c.StartMinute < o.EndMinute && o.StartMinute < c.EndMinute {
						t.Errorf("scale %d: courses %s and %s share room %s on %s", scale, c.Code, o.Code, k.room, c.Weekday)
					}
				}
				taken[k] = append(taken[k], c)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		var progress strings.Builder
		opt := testOptions()
		opt.Progress = &progress
		opt.RulesVersion, opt.Owners = "2026-1", testOwners
		if err := s.InTx(ctx, func(tx *sql.Tx) error {
			return s.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: civil(2026, time.May, 15), Body: "Règlement"})
		}); err != nil {
			t.Fatal(err)
		}
		st, err := Load(ctx, s, opt)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		ds := generated
		rooms := 0
		for _, e := range ds.Establishments {
			rooms += len(e.Rooms)
		}
		people, cands := 0, 0
		for _, p := range People(ds, opt, testOwners) {
			if len(p.Candidatures) > 0 || p.owner {
				people++
			}
			cands += len(p.Candidatures)
		}
		want := Stats{Establishments: len(ds.Establishments), Rooms: rooms, Formations: len(ds.Formations), Sessions: len(ds.Sessions),
			Courses: len(ds.Courses), Candidates: people, Candidatures: cands}
		if st != want {
			t.Errorf("Load stats %+v, want %+v", st, want)
		}
		var accounts, filed, keys int
		if err := d.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts WHERE kind = 'candidate'),
			(SELECT COUNT(*) FROM candidatures WHERE status = 'submitted'), (SELECT COUNT(*) FROM validations)`).Scan(&accounts, &filed, &keys); err != nil {
			t.Fatal(err)
		}
		if accounts != people || filed != cands || keys == 0 {
			t.Errorf("database holds %d candidates, %d candidatures, %d validations; want %d, %d", accounts, filed, keys, people, cands)
		}
		if !strings.Contains(progress.String(), ProgressDescription) {
			t.Errorf("no progress bar drawn: %q", progress.String())
		}
		cat, err := s.LoadCatalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := Stats{Establishments: len(cat.Establishments), Formations: len(cat.Formations), Sessions: len(cat.Sessions),
			Courses: len(cat.Courses), Candidates: want.Candidates, Candidatures: want.Candidatures}
		for _, e := range cat.Establishments {
			got.Rooms += len(e.Rooms)
		}
		if got != want {
			t.Errorf("catalogue holds %+v, want %+v", got, want)
		}
		if len(cat.SchoolHolidays) != 5 {
			t.Errorf("%d school holidays loaded, want 5", len(cat.SchoolHolidays))
		}
		open := 0
		for _, se := range cat.Sessions {
			if se.CandidatureOpen(testToday) {
				open++
			}
		}
		if open != 1 {
			t.Errorf("%d sessions open on %s after loading, want 1", open, testToday)
		}
		rev := cat.Revision

		// A second load is refused and writes nothing.
		if _, err := Load(ctx, s, opt); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("Load into a non-empty catalogue: err %v, want ErrNotEmpty", err)
		}
		after, err := s.LoadCatalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Revision != rev || len(after.Courses) != len(cat.Courses) || len(after.SchoolHolidays) != 5 {
			t.Errorf("refused load changed the catalogue: revision %d→%d, courses %d→%d", rev, after.Revision, len(cat.Courses), len(after.Courses))
		}
	})
}

func TestLoad_refuses_nonempty_inside_transaction(t *testing.T) {
	// A catalogue with only a session (no establishment, so CatalogueEmpty says
	// empty) is still refused, and nothing is written.
	d := dbtest.SQLite(t)
	ctx := context.Background()
	s := store.New(d)
	se := generated.Sessions[0]
	if err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertSession(ctx, tx, &se) }); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, s, testOptions()); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("err %v, want ErrNotEmpty", err)
	}
	cat, err := s.LoadCatalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Establishments) != 0 || len(cat.Formations) != 0 || len(cat.Sessions) != 1 || len(cat.SchoolHolidays) != 0 {
		t.Errorf("refused load wrote rows: %d establishments, %d formations, %d sessions, %d holidays",
			len(cat.Establishments), len(cat.Formations), len(cat.Sessions), len(cat.SchoolHolidays))
	}
}
