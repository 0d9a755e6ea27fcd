package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

var paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fixture inserts one establishment with two rooms, two formations, a session and
// returns them, ready for courses.
type fixture struct {
	est     domain.Establishment
	english domain.Formation
	excel   domain.Formation
	session domain.Session
}

func newFixture(t *testing.T, s *store.Store) fixture {
	t.Helper()
	f := fixture{
		est: domain.Establishment{Code: "E11", Name: "École élémentaire Parmentier", Address: "5 rue Parmentier",
			PostalCode: "75011", City: "Paris", District: 11,
			Rooms: []domain.Room{{Name: "Salle 1", Workstations: 0}, {Name: "Salle informatique", Workstations: 12}}},
		english: domain.Formation{Code: "ANG-1", Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
			Description: "Découvrir l'anglais", Evaluation: domain.EvaluationFirstDayTest, Kind: domain.KindGeneral},
		excel: domain.Formation{Code: "EXCEL", Title: "Excel", Subject: domain.SubjectOffice, Level: domain.LevelAll,
			Evaluation: domain.EvaluationNone, Kind: domain.KindComputer, Prerequisites: "Savoir utiliser une souris"},
		session: domain.Session{Code: "2026-ANNUEL", Name: "Année 2026-2027", Kind: domain.SessionAnnual,
			FirstDay: time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2027, 6, 19, 0, 0, 0, 0, time.UTC),
			CandidatureOpens:  time.Date(2026, 9, 1, 10, 0, 0, 0, paris),
			CandidatureCloses: domain.DeadlineOn(2026, time.September, 15),
			AnswerOpens:       time.Date(2026, 9, 20, 0, 0, 0, 0, paris),
			AnswerCloses:      domain.DeadlineOn(2026, time.September, 26)},
	}
	err := s.InTx(context.Background(), func(tx *sql.Tx) error {
		ctx := context.Background()
		return errors.Join(s.InsertEstablishment(ctx, tx, &f.est), s.InsertFormation(ctx, tx, &f.english),
			s.InsertFormation(ctx, tx, &f.excel), s.InsertSession(ctx, tx, &f.session))
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) course(code string, form domain.Formation, room int, capacity int) domain.Course {
	return domain.Course{Code: code, FormationID: form.ID, EstablishmentID: f.est.ID, RoomID: f.est.Rooms[room].ID,
		SessionID: f.session.ID, Weekday: time.Monday, StartMinute: 18*60 + 30, EndMinute: 20*60 + 30,
		Level: form.Level, Capacity: capacity, Trainer: "Mme Dupont", PriceCents: 31200, ReducedCents: 15600}
}

func TestCatalogueRoundTrip_CAT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		empty, err := s.CatalogueEmpty(ctx)
		if err != nil || !empty {
			t.Fatalf("CatalogueEmpty on a new database = %v, %v", empty, err)
		}
		f := newFixture(t, s)
		c := f.course("C1", f.english, 0, 25)
		c.Remote = true
		if err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertCourse(ctx, tx, &c) }); err != nil {
			t.Fatal(err)
		}
		cat, err := s.LoadCatalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.Establishments) != 1 || len(cat.Establishments[0].Rooms) != 2 || cat.Establishments[0].Rooms[1].Workstations != 12 {
			t.Fatalf("establishments = %+v", cat.Establishments)
		}
		if len(cat.Formations) != 2 || cat.Formations[1].Prerequisites != "Savoir utiliser une souris" || cat.Formations[1].Kind != domain.KindComputer {
			t.Fatalf("formations = %+v", cat.Formations)
		}
		got := cat.Sessions[0]
		if !got.CandidatureOpens.Equal(f.session.CandidatureOpens) || got.AnswerCloses != f.session.AnswerCloses || got.CandidatureCloses != f.session.CandidatureCloses ||
			!got.FirstDay.Equal(f.session.FirstDay) || !got.LastDay.Equal(f.session.LastDay) {
			t.Fatalf("PER-1 session periods did not round-trip: got %+v want %+v", got, f.session)
		}
		if len(cat.Courses) != 1 {
			t.Fatalf("courses = %+v", cat.Courses)
		}
		gc := cat.Courses[0]
		if gc.Weekday != time.Monday || gc.StartMinute != 1110 || gc.PriceCents != 31200 || !gc.Remote || gc.Capacity != 25 || gc.Trainer != "Mme Dupont" {
			t.Fatalf("course = %+v", gc)
		}
		empty, _ = s.CatalogueEmpty(ctx)
		if empty {
			t.Fatal("CatalogueEmpty after inserts")
		}
	})
}

func TestInsertCourseChecksCapacity_CAT4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newFixture(t, s)
		for _, tc := range []struct {
			name string
			c    domain.Course
			ok   bool
		}{
			{"general 25 ok", f.course("G25", f.english, 0, 25), true},
			{"general 26 refused", f.course("G26", f.english, 0, 26), false},
			{"computer 12 in a 12-post room ok", f.course("X12", f.excel, 1, 12), true},
			{"computer 13 in a 12-post room refused", f.course("X13", f.excel, 1, 13), false},
		} {
			err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertCourse(ctx, tx, &tc.c) })
			if (err == nil) != tc.ok {
				t.Errorf("%s: err = %v", tc.name, err)
			}
		}
	})
}

// TestFailedTransactionWritesNothing: a bulk load that fails half way leaves no row.
func TestFailedTransactionWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newFixture(t, s)
		before, _ := s.CatalogueRevision(ctx)
		err := s.InTx(ctx, func(tx *sql.Tx) error {
			ok := f.course("OK", f.english, 0, 20)
			if err := s.InsertCourse(ctx, tx, &ok); err != nil {
				return err
			}
			bad := f.course("OK", f.english, 0, 20) // duplicate code
			return s.InsertCourse(ctx, tx, &bad)
		})
		if err == nil {
			t.Fatal("duplicate course code accepted")
		}
		cat, err := s.LoadCatalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.Courses) != 0 || cat.Revision != before {
			t.Fatalf("half-written: %d courses, revision %d → %d", len(cat.Courses), before, cat.Revision)
		}
	})
}

func TestInsertSessionChecksPeriods_PER1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newFixture(t, s)
		bad := f.session
		bad.Code = "BAD"
		bad.AnswerOpens = bad.CandidatureOpens // answers before candidatures close
		err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertSession(ctx, tx, &bad) })
		if err == nil || !strings.Contains(err.Error(), "réponse") {
			t.Fatalf("err = %v, want a French message about the answer period", err)
		}
	})
}

func TestRemoteSwitches_CAT6(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newFixture(t, s)
		c := f.course("C1", f.english, 0, 20)
		if err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertCourse(ctx, tx, &c) }); err != nil {
			t.Fatal(err)
		}
		rev0, _ := s.CatalogueRevision(ctx)
		if err := s.SetCourseRemote(ctx, c.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAllRemote(ctx, true); err != nil {
			t.Fatal(err)
		}
		cat, _ := s.LoadCatalogue(ctx)
		if !cat.Courses[0].Remote || !cat.AllRemote || cat.Revision != rev0+2 {
			t.Fatalf("remote = %v, all = %v, revision %d → %d", cat.Courses[0].Remote, cat.AllRemote, rev0, cat.Revision)
		}
		if err := s.SetCourseRemote(ctx, 999999, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown course: err = %v", err)
		}
	})
}

func TestReplaceSchoolHolidays_CAT5(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		day := func(m time.Month, d int, y int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		first := []store.SchoolHoliday{{Name: "Vacances de la Toussaint", First: day(10, 17, 2026), Last: day(11, 1, 2026)}}
		if err := s.ReplaceSchoolHolidays(ctx, "C", first); err != nil {
			t.Fatal(err)
		}
		second := []store.SchoolHoliday{
			{Name: "Vacances de Noël", First: day(12, 19, 2026), Last: day(1, 3, 2027)},
			{Name: "À l'envers", First: day(2, 1, 2027), Last: day(1, 1, 2027)},
		}
		if err := s.ReplaceSchoolHolidays(ctx, "C", second); err == nil {
			t.Fatal("a period ending before it starts was accepted")
		}
		cat, _ := s.LoadCatalogue(ctx)
		if len(cat.SchoolHolidays) != 1 || cat.SchoolHolidays[0].Name != "Vacances de la Toussaint" || !cat.SchoolHolidays[0].Last.Equal(day(11, 1, 2026)) {
			t.Fatalf("failed import changed the holidays: %+v", cat.SchoolHolidays)
		}
	})
}
