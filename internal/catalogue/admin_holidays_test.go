package catalogue_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

const ministryICS = "testdata/calendrier-scolaire-2026-2027.ics"

func holidayDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TestHolidays_CAT5_ministry_ics: the ministry's calendar of every zone gives
// the zone C holidays only, from the first to the last day without classes
// (DTEND, the day classes resume, excluded); neither the first day of school
// nor the Ascension bridge are holidays. The import replaces the periods,
// is audited, and a course's class meetings move with them.
func TestHolidays_CAT5_ministry_ics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		ctx := context.Background()
		file, err := os.ReadFile(ministryICS)
		if err != nil {
			t.Fatal(err)
		}
		// The dry run changes nothing.
		before, _ := e.st.LoadCatalogue(ctx)
		periods, err := e.admin.ReadSchoolHolidays(ctx, e.central, bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range periods {
			got = append(got, p.Name+" "+p.First.Format(time.DateOnly)+" "+p.Last.Format(time.DateOnly))
		}
		want := []string{
			"Vacances de la Toussaint 2026-10-17 2026-11-01",
			"Vacances de Noël 2026-12-19 2027-01-03",
			"Vacances d'Hiver 2027-02-20 2027-03-07", // zone C's, not A's (13 February) nor B's (6 February)
			"Vacances de Printemps 2027-04-17 2027-05-02",
			"Vacances d'Été 2027-07-03 2027-08-31",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("periods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if after, _ := e.st.LoadCatalogue(ctx); after.Revision != before.Revision {
			t.Fatal("the dry run changed the catalogue")
		}

		// A course meeting on Monday 8 February 2027 (zone B's holidays) and
		// on Monday 22 February (zone C's): with no holiday at all both are
		// held; after the import, the 8th is held and the 22nd skipped.
		if err := e.cat.ReplaceSchoolHolidays(ctx, "C", nil, time.UTC); err != nil {
			t.Fatal(err)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		meeting := func(id int64, date time.Time) (held, found bool) {
			ix, err := e.cat.Index(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := ix.Course(id)
			for _, m := range ix.Meetings(c, paris) {
				if m.Date.Equal(date) {
					return !m.Skipped, true
				}
			}
			return false, false
		}
		var course int64
		for _, c := range e.ix.All() {
			if held, ok := meeting(c.ID, holidayDay(2027, 2, 22)); ok && held && !c.Session.HolidaySession {
				course = c.ID
				break
			}
		}
		if course == 0 {
			t.Fatal("no course meets on 22 February 2027")
		}
		if _, err := e.admin.ImportSchoolHolidays(ctx, e.central, bytes.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		if held, _ := meeting(course, holidayDay(2027, 2, 22)); held {
			t.Error("22 February (zone C's winter holidays) still held")
		}
		if held, _ := meeting(course, holidayDay(2027, 2, 8)); !held {
			t.Error("8 February (zone B's holidays only) skipped")
		}
		current, err := e.admin.SchoolHolidays(ctx)
		if err != nil || len(current) != len(want) {
			t.Fatalf("current periods %v, %v", current, err)
		}
		events, _, err := e.st.SearchAudit(ctx, store.AuditQuery{Action: domain.AuditHolidaysImported})
		if err != nil || len(events) != 1 || !strings.Contains(events[0].Details, "zone C") || !strings.Contains(events[0].Details, "Vacances d'Hiver") {
			t.Fatalf("audit %+v, %v", events, err)
		}
		// ROLE-5 only.
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: 1}}}
		if _, err := e.admin.ImportSchoolHolidays(ctx, director, bytes.NewReader(file)); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director: %v", err)
		}
	})
}

// TestHolidays_CAT5_bad_files: a file that is not an iCalendar, one without
// a period for the zone, one too big or malformed get a French message on
// the file's field, and nothing is imported.
func TestHolidays_CAT5_bad_files(t *testing.T) {
	e := newAdminEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	good, err := os.ReadFile(ministryICS)
	if err != nil {
		t.Fatal(err)
	}
	zoneA := strings.NewReplacer("Zone C", "Zone A", "Zones A/B/C", "Zones A/B").Replace(string(good))
	words, _ := i18n.Load()
	fr := words.Printer(i18n.French)
	for _, c := range []struct {
		name, data, key, says string
	}{
		{"empty", "", "holidays.error.empty", "vide"},
		{"csv", "date;vacances_zone_c\n2026-10-17;True\n", "holidays.error.not_ics", "n'est pas un calendrier iCalendar"},
		{"pdf", "%PDF-1.7\n" + strings.Repeat("x", 100), "holidays.error.not_ics", "BEGIN:VCALENDAR"},
		{"other zone", zoneA, "holidays.error.no_period", "aucune période de vacances pour la zone C"},
		{"malformed", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026-13-45\r\nSUMMARY:Vacances\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "holidays.error.malformed", "illisible"},
		{"too big", string(good) + strings.Repeat("X-PAD:"+strings.Repeat("a", 60)+"\r\n", 1<<20/60), "holidays.error.too_big", "1 Mo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.admin.ImportSchoolHolidays(ctx, e.central, strings.NewReader(c.data))
			var fe domain.FieldErrors
			if !errors.As(err, &fe) || fe[0].Field != "fichier" || fe[0].Key != c.key {
				t.Fatalf("got %v, want %s", err, c.key)
			}
			if msg := fr.Word(fe[0].Key, fe[0].Args); !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not say %q", msg, c.says)
			}
		})
	}
	if events, _, _ := e.st.SearchAudit(ctx, store.AuditQuery{Action: domain.AuditHolidaysImported}); len(events) != 0 {
		t.Errorf("a bad file was imported: %+v", events)
	}
}

// FuzzReadSchoolHolidays: whatever the upload, the dry run answers periods
// or a field error, never a panic nor another error.
func FuzzReadSchoolHolidays(f *testing.F) {
	if good, err := os.ReadFile(ministryICS); err == nil {
		f.Add(good)
	}
	f.Add([]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("date;zone\n"))
	words, err := i18n.Load()
	if err != nil {
		f.Fatal(err)
	}
	admin := catalogue.NewAdmin(catalogue.AdminDeps{Catalogue: catalogue.NewService(nil, words, "C", 0, time.Now), Words: words, Now: time.Now})
	central := domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		periods, err := admin.ReadSchoolHolidays(context.Background(), central, bytes.NewReader(data))
		var fe domain.FieldErrors
		if err != nil && (!errors.As(err, &fe) || len(fe) == 0 || fe[0].Field != "fichier") {
			t.Fatalf("not a field error: %v", err)
		}
		if err == nil && len(periods) == 0 {
			t.Fatal("no error and no period")
		}
		for _, p := range periods {
			if p.Last.Before(p.First) {
				t.Errorf("period %q ends before it starts", p.Name)
			}
		}
	})
}
