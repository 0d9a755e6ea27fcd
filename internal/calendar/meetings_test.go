package calendar

import (
	"os"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even on a machine without a time zone database
)

// zoneC20262027 reads the hand-written zone C calendar of testdata.
func zoneC20262027(t *testing.T) []Period {
	t.Helper()
	f, err := os.Open("testdata/zone-c-2026-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	periods, err := ParseSchoolHolidays(f, "Zone C")
	if err != nil {
		t.Fatal(err)
	}
	return periods
}

func loadParis(t *testing.T) *time.Location {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("loading Europe/Paris: %v", err)
	}
	return paris
}

func TestMeetings_CAT5_mondayCourse2026_2027(t *testing.T) {
	paris := loadParis(t)
	closures := Closures{School: zoneC20262027(t)}
	meetings := Meetings(Day(2026, time.September, 1), Day(2027, time.July, 31), time.Monday,
		19*60, 21*60, paris, closures, false)

	wantSkipped := map[time.Time]string{
		Day(2026, time.October, 19):  "Vacances de la Toussaint",
		Day(2026, time.October, 26):  "Vacances de la Toussaint",
		Day(2026, time.December, 21): "Vacances de Noël",
		Day(2026, time.December, 28): "Vacances de Noël",
		Day(2027, time.February, 22): "Vacances d'Hiver",
		Day(2027, time.March, 1):     "Vacances d'Hiver",
		Day(2027, time.March, 29):    "Lundi de Pâques",
		Day(2027, time.April, 19):    "Vacances de Printemps",
		Day(2027, time.April, 26):    "Vacances de Printemps",
		Day(2027, time.May, 17):      "Lundi de Pentecôte",
		Day(2027, time.July, 5):      "Vacances d'Été",
		Day(2027, time.July, 12):     "Vacances d'Été",
		Day(2027, time.July, 19):     "Vacances d'Été",
		Day(2027, time.July, 26):     "Vacances d'Été",
	}

	if len(meetings) != 47 {
		t.Fatalf("got %d Mondays, want 47 (7 Sep 2026 to 26 Jul 2027)", len(meetings))
	}
	if first, last := meetings[0].Date, meetings[len(meetings)-1].Date; !first.Equal(Day(2026, time.September, 7)) || !last.Equal(Day(2027, time.July, 26)) {
		t.Errorf("meetings from %s to %s, want 2026-09-07 to 2027-07-26", first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	held := 0
	for _, m := range meetings {
		if m.Date.Weekday() != time.Monday {
			t.Errorf("%s is a %s", m.Date.Format(time.DateOnly), m.Date.Weekday())
		}
		want, skip := wantSkipped[m.Date]
		if m.Skipped != skip || m.Reason != want {
			t.Errorf("%s: Skipped=%v Reason=%q, want Skipped=%v Reason=%q",
				m.Date.Format(time.DateOnly), m.Skipped, m.Reason, skip, want)
		}
		if !m.Skipped {
			held++
		}
	}
	if held != 33 {
		t.Errorf("%d meetings held, want 33", held)
	}

	// The weeks around each holiday: classes resume on the ministry's DTEND.
	for _, d := range []time.Time{
		Day(2026, time.October, 12), Day(2026, time.November, 2), Day(2026, time.December, 14),
		Day(2027, time.January, 4), Day(2027, time.February, 8), Day(2027, time.February, 15), // zone A winter holidays do not apply
		Day(2027, time.March, 8), Day(2027, time.May, 3), Day(2027, time.May, 10), Day(2027, time.June, 28),
	} {
		if reason, closed := closures.Closed(d); closed {
			t.Errorf("%s closed (%q), want a class", d.Format(time.DateOnly), reason)
		}
	}
}

func TestMeetings_CAT5_daylightSavingTime(t *testing.T) {
	paris := loadParis(t)
	// Summer time ends on Sunday 25 October 2026.
	meetings := Meetings(Day(2026, time.October, 12), Day(2026, time.November, 2), time.Monday,
		19*60, 21*60+30, paris, Closures{School: zoneC20262027(t)}, false)
	tests := []struct {
		date               time.Time
		wantStart, wantEnd string // UTC
	}{
		{Day(2026, time.October, 12), "2026-10-12T17:00:00Z", "2026-10-12T19:30:00Z"},
		{Day(2026, time.October, 19), "2026-10-19T17:00:00Z", "2026-10-19T19:30:00Z"},
		{Day(2026, time.October, 26), "2026-10-26T18:00:00Z", "2026-10-26T20:30:00Z"},
		{Day(2026, time.November, 2), "2026-11-02T18:00:00Z", "2026-11-02T20:30:00Z"},
	}
	if len(meetings) != len(tests) {
		t.Fatalf("got %d meetings, want %d", len(meetings), len(tests))
	}
	for i, tt := range tests {
		m := meetings[i]
		if !m.Date.Equal(tt.date) {
			t.Errorf("meeting %d on %s, want %s", i, m.Date.Format(time.DateOnly), tt.date.Format(time.DateOnly))
		}
		if got := m.Start.UTC().Format(time.RFC3339); got != tt.wantStart {
			t.Errorf("%s: start %s, want %s", tt.date.Format(time.DateOnly), got, tt.wantStart)
		}
		if got := m.End.UTC().Format(time.RFC3339); got != tt.wantEnd {
			t.Errorf("%s: end %s, want %s", tt.date.Format(time.DateOnly), got, tt.wantEnd)
		}
		if h, min := m.Start.Hour(), m.Start.Minute(); h != 19 || min != 0 || m.Start.Location() != paris {
			t.Errorf("%s: start %v, want 19:00 in Europe/Paris", tt.date.Format(time.DateOnly), m.Start)
		}
	}
	if !meetings[3].Start.Equal(time.Date(2026, time.November, 2, 18, 0, 0, 0, time.UTC)) || meetings[3].Skipped {
		t.Errorf("2 Nov 2026: %+v, want a class at 18:00Z", meetings[3])
	}
}

func TestMeetings_CAT5_holidaySessionSkipsNothing(t *testing.T) {
	paris := loadParis(t)
	closures := Closures{School: zoneC20262027(t)}
	meetings := Meetings(Day(2026, time.September, 1), Day(2027, time.August, 31), time.Monday,
		18*60, 20*60, paris, closures, true)
	if len(meetings) != 52 {
		t.Errorf("got %d meetings, want 52", len(meetings))
	}
	for _, m := range meetings {
		if m.Skipped || m.Reason != "" {
			t.Errorf("%s skipped (%q) in a holiday session", m.Date.Format(time.DateOnly), m.Reason)
		}
	}
}

func TestMeetings_edges(t *testing.T) {
	tests := []struct {
		name        string
		first, last time.Time
		weekday     time.Weekday
		want        int
	}{
		{"last before first", Day(2027, time.January, 10), Day(2027, time.January, 1), time.Monday, 0},
		{"single day on the weekday", Day(2027, time.January, 4), Day(2027, time.January, 4), time.Monday, 1},
		{"single day on another weekday", Day(2027, time.January, 5), Day(2027, time.January, 5), time.Monday, 0},
		{"Saturday course over four weeks", Day(2027, time.January, 4), Day(2027, time.January, 31), time.Saturday, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Meetings(tt.first, tt.last, tt.weekday, 600, 720, nil, Closures{}, false)
			if len(got) != tt.want {
				t.Errorf("got %d meetings, want %d", len(got), tt.want)
			}
		})
	}
}

// TestFirstMeeting_ACC1_CAT5: a course's start date is its first meeting held,
// after the holidays that skip the first ones; it is the first meeting not
// skipped of Meetings, for every weekday.
func TestFirstMeeting_ACC1_CAT5(t *testing.T) {
	closures := Closures{School: zoneC20262027(t)}
	// A session starting in the Christmas holidays: the first Monday held is 4 January.
	if got, ok := FirstMeeting(Day(2026, time.December, 21), Day(2027, time.June, 30), time.Monday, closures, false); !ok || !got.Equal(Day(2027, time.January, 4)) {
		t.Fatalf("first Monday after Christmas = %v %v, want 2027-01-04", got, ok)
	}
	// A holiday session keeps its first date.
	if got, _ := FirstMeeting(Day(2026, time.December, 21), Day(2027, time.June, 30), time.Monday, closures, true); !got.Equal(Day(2026, time.December, 21)) {
		t.Fatalf("holiday session's first Monday = %v, want 2026-12-21", got)
	}
	// No meeting held at all.
	if got, ok := FirstMeeting(Day(2026, time.December, 21), Day(2026, time.December, 31), time.Monday, closures, false); ok {
		t.Fatalf("a session inside the holidays has a first meeting: %v", got)
	}
	for _, first := range []time.Time{Day(2026, time.September, 1), Day(2027, time.February, 1), Day(2027, time.April, 17)} {
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			var want time.Time
			for _, m := range Meetings(first, Day(2027, time.July, 31), wd, 19*60, 21*60, nil, closures, false) {
				if !m.Skipped {
					want = m.Date
					break
				}
			}
			if got, _ := FirstMeeting(first, Day(2027, time.July, 31), wd, closures, false); !got.Equal(want) {
				t.Errorf("from %s on %s: FirstMeeting = %s, Meetings' first held = %s", first.Format(time.DateOnly), wd, got.Format(time.DateOnly), want.Format(time.DateOnly))
			}
		}
	}
}
