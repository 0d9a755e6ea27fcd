package catalogue_test

import (
	"context"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/i18n"
	"cma/internal/store"
)

// TestCourseCalendar_CAT5_stale_instance_reloads: a web instance whose
// catalogue predates a holiday import (another process made it) does not
// serve the old meetings under the new SEQUENCE, nor bump it back: it reloads
// and serves the import's version.
func TestCourseCalendar_CAT5_stale_instance_reloads(t *testing.T) {
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	d := dbtest.SQLite(t)
	st := store.New(d)
	today := time.Date(2026, 11, 27, 10, 0, 0, 0, paris)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: today}); err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	clock := today
	now := func() time.Time { return clock }
	web := catalogue.NewService(st, words, "C", time.Hour, now) // reloads only when asked
	importer := catalogue.NewService(st, words, "C", 0, now)
	ix, err := web.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	march15 := time.Date(2027, time.March, 15, 0, 0, 0, 0, time.UTC)
	var course *catalogue.Entry
	for _, e := range ix.All() {
		for _, m := range ix.Meetings(e, paris) {
			if m.Date.Equal(march15) && !m.Skipped && !e.Session.HolidaySession {
				course = e
			}
		}
	}
	if course == nil {
		t.Fatal("no course meeting on 15 March 2027 in the demo")
	}
	cancelled := func(c catalogue.CourseCalendar) bool {
		for _, e := range c.Events {
			if e.Start.In(paris).Format(time.DateOnly) == "2027-03-15" {
				return e.Cancelled
			}
		}
		t.Fatal("no event on 15 March")
		return false
	}
	first, err := web.CourseCalendar(ctx, ix, course, paris)
	if err != nil || first.Sequence != 0 || cancelled(first) {
		t.Fatalf("first file: SEQUENCE %d, err %v", first.Sequence, err)
	}

	cur, _ := st.LoadCatalogue(ctx)
	clock = clock.Add(time.Hour)
	if err := importer.ReplaceSchoolHolidays(ctx, "C", append(cur.SchoolHolidays,
		store.SchoolHoliday{Zone: "C", Name: "Vacances d'essai", First: march15, Last: march15}), paris); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	for i := range 2 {
		got, err := web.CourseCalendar(ctx, ix, course, paris) // ix: the instance's old catalogue
		if err != nil || got.Sequence != 1 || !cancelled(got) || got.ETag == first.ETag {
			t.Fatalf("file %d after the import from the old catalogue: SEQUENCE %d, cancelled %v, ETag %s (was %s), err %v",
				i+1, got.Sequence, cancelled(got), got.ETag, first.ETag, err)
		}
	}
}
