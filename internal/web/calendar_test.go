package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web"
)

// icsEvent is what the test reads of a VEVENT.
type icsEvent struct{ uid, stamp, sequence, modified, status, location string }

// icsEvents reads the VEVENTs of an iCalendar file (unfolded), by UID.
func icsEvents(t *testing.T, ics string) map[string]icsEvent {
	t.Helper()
	ics = strings.ReplaceAll(ics, "\r\n ", "")
	events := map[string]icsEvent{}
	for _, block := range strings.Split(ics, "BEGIN:VEVENT\r\n")[1:] {
		var e icsEvent
		for _, line := range strings.Split(block, "\r\n") {
			name, value, _ := strings.Cut(line, ":")
			switch name {
			case "UID":
				e.uid = value
			case "DTSTAMP":
				e.stamp = value
			case "SEQUENCE":
				e.sequence = value
			case "LAST-MODIFIED":
				e.modified = value
			case "STATUS":
				e.status = value
			case "LOCATION":
				e.location = value
			}
		}
		events[e.uid] = e
	}
	if len(events) == 0 {
		t.Fatalf("no event in:\n%s", ics)
	}
	return events
}

// TestCourseICS_CAT5_holiday_import_moves_meetings: a holiday calendar import
// that closes a day a Monday course met on cancels that meeting in the
// course's calendar file, with the next SEQUENCE and LAST-MODIFIED at the
// import's time, so that calendar apps take the new version; DTSTAMP is the
// download's time; a Tuesday course keeps its SEQUENCE and LAST-MODIFIED; the
// ETag changes with the SEQUENCE. Any other change of the events (the course
// switched remote, CAT-6) is seen when the file is produced.
func TestCourseICS_CAT5_holiday_import_moves_meetings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		paris, _ := time.LoadLocation("Europe/Paris")
		st := store.New(d)
		if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: today.In(paris)}); err != nil {
			t.Fatal(err)
		}
		words, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		clock := today
		now := func() time.Time { return clock }
		cat := catalogue.NewService(st, words, "C", 0, now, catalogue.UIDHost("cours.paris.fr"))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := web.New(web.Deps{Catalogue: cat, Accounts: accounts.New(st, now, log), Sessions: st.Sessions(), Words: words,
			DB: d, Log: log, Paris: paris, Now: now, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		s := &site{Server: ts}

		// A Monday course with a meeting held on 15 March 2027, and a Tuesday course.
		ix, err := cat.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		march15 := time.Date(2027, time.March, 15, 0, 0, 0, 0, time.UTC)
		var monday, tuesday *catalogue.Entry
		for _, e := range ix.All() {
			for _, m := range ix.Meetings(e, paris) {
				if monday == nil && m.Date.Equal(march15) && !m.Skipped && !e.Session.HolidaySession {
					monday = e
				}
			}
			if tuesday == nil && e.Weekday == time.Tuesday && !e.Session.HolidaySession {
				tuesday = e
			}
		}
		if monday == nil || tuesday == nil {
			t.Fatal("no Monday course meeting on 15 March 2027, or no Tuesday course, in the demo")
		}
		uid := monday.Code + "-20270315@cours.paris.fr"
		path := func(e *catalogue.Entry) string {
			return "/catalogue/cours/" + strconv.FormatInt(e.ID, 10) + "/seances.ics"
		}
		utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

		t0 := clock
		res, body := s.get(t, path(monday))
		if res.StatusCode != 200 {
			t.Fatalf("ics: %d", res.StatusCode)
		}
		etag0 := res.Header.Get("ETag")
		before := icsEvents(t, body)
		if e := before[uid]; e.sequence != "0" || e.modified != utc(t0) || e.stamp != utc(t0) || e.status != "" {
			t.Fatalf("first file, meeting of 15 March: %+v", e)
		}
		_, body = s.get(t, path(tuesday))
		for _, e := range icsEvents(t, body) {
			if e.sequence != "0" || e.modified != utc(t0) {
				t.Fatalf("first file of the Tuesday course: %+v", e)
			}
		}

		// The central service imports a holiday calendar closing 15 March 2027.
		cur, err := st.LoadCatalogue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		holidays := append(cur.SchoolHolidays, store.SchoolHoliday{Zone: "C", Name: "Vacances d'essai", First: march15, Last: march15})
		t1 := t0.Add(time.Hour)
		clock = t1
		if err := cat.ReplaceSchoolHolidays(ctx, "C", holidays, paris); err != nil {
			t.Fatal(err)
		}

		t2 := t1.Add(time.Hour)
		clock = t2
		res, body = s.get(t, path(monday))
		after := icsEvents(t, body)
		if len(after) != len(before) {
			t.Errorf("%d events after the import, %d before", len(after), len(before))
		}
		if e := after[uid]; e.status != "CANCELLED" || e.sequence != "1" || e.modified != utc(t1) || e.stamp != utc(t2) {
			t.Errorf("after the import, meeting of 15 March: %+v, want cancelled, SEQUENCE 1, LAST-MODIFIED %s, DTSTAMP %s", e, utc(t1), utc(t2))
		}
		for _, e := range after {
			if e.sequence != "1" || e.modified != utc(t1) || e.stamp != utc(t2) {
				t.Errorf("after the import: %+v", e)
			}
		}
		etag1 := res.Header.Get("ETag")
		if etag1 == "" || etag1 == etag0 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("ETag %q before, %q after the import; Cache-Control %q", etag0, etag1, res.Header.Get("Cache-Control"))
		}
		if res, _ := s.get(t, path(monday), "If-None-Match", etag0); res.StatusCode != 200 {
			t.Errorf("the old ETag gives %d, want the new file", res.StatusCode)
		}
		if res, _ := s.get(t, path(monday), "If-None-Match", etag1); res.StatusCode != http.StatusNotModified {
			t.Errorf("the current ETag gives %d, want 304", res.StatusCode)
		}
		_, body = s.get(t, path(tuesday))
		for _, e := range icsEvents(t, body) {
			if e.sequence != "0" || e.modified != utc(t0) || e.stamp != utc(t2) {
				t.Errorf("the Tuesday course's meetings changed SEQUENCE or LAST-MODIFIED: %+v", e)
			}
		}

		// The same import again changes nothing.
		clock = t2.Add(time.Hour)
		if err := cat.ReplaceSchoolHolidays(ctx, "C", holidays, paris); err != nil {
			t.Fatal(err)
		}
		if res, body := s.get(t, path(monday)); res.Header.Get("ETag") != etag1 || icsEvents(t, body)[uid].sequence != "1" {
			t.Errorf("the same import again changed the file: %s %+v", res.Header.Get("ETag"), icsEvents(t, body)[uid])
		}

		// A change made elsewhere than the import is seen at the next file.
		t3 := clock.Add(time.Hour)
		clock = t3
		if err := st.SetCourseRemote(ctx, monday.ID, true); err != nil {
			t.Fatal(err)
		}
		_, body = s.get(t, path(monday))
		if e := icsEvents(t, body)[uid]; e.sequence != "2" || e.modified != utc(t3) || e.location != "À distance" {
			t.Errorf("after the switch to remote: %+v, want SEQUENCE 2, LAST-MODIFIED %s", e, utc(t3))
		}
		if !regexp.MustCompile(`UID:[A-Z0-9-]+-\d{8}@cours\.paris\.fr\r\n`).MatchString(body) {
			t.Error("UIDs do not end with the public URL's host")
		}
	})
}
