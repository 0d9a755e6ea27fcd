package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestWriteICS_CAT5_roundTrip(t *testing.T) {
	paris := loadParis(t)
	stamp := time.Date(2026, time.September, 1, 8, 30, 0, 0, paris)
	longName := "Cours d'aquarelle — initiation, niveau 1; atelier « Été » à l'école élémentaire Émile-Zola\\Paris 11e"
	meetings := Meetings(Day(2026, time.October, 12), Day(2026, time.November, 9), time.Monday,
		19*60, 21*60, paris, Closures{School: zoneC20262027(t)}, false)
	var events []Event
	for _, m := range meetings {
		if m.Skipped {
			continue
		}
		events = append(events, Event{
			UID:         "seance-" + m.Date.Format("20060102") + "@cma.example",
			Summary:     "Vacances " + longName, // "Vacances" so ParseSchoolHolidays keeps it
			Location:    "École Émile-Zola, 12 rue de l'Église; salle 3",
			Description: "Première ligne\nDeuxième ligne avec des accents éèàùç et des œ",
			Start:       m.Start,
			End:         m.End,
		})
	}
	if len(events) != 3 { // 12 Oct, 2 Nov, 9 Nov
		t.Fatalf("%d events, want 3", len(events))
	}

	var buf bytes.Buffer
	if err := WriteICS(&buf, "Aquarelle — séances 2026-2027", stamp, events); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	// Every physical line ends with CRLF, holds at most 75 octets and valid UTF-8.
	if !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Errorf("output does not end with END:VCALENDAR CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	folded := 0
	for i, line := range physical {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d cuts a UTF-8 sequence: %q", i+1, line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Error("no line was folded; the test needs long lines")
	}

	// The calendar's header, and each event's properties, unfolded and unescaped.
	lines, err := contentLines(out)
	if err != nil {
		t.Fatal(err)
	}
	props := map[string][]string{}
	for _, l := range lines {
		props[l.name] = append(props[l.name], unescapeText(l.value))
	}
	for name, want := range map[string]string{
		"PRODID": "-//Ville//cma//FR", "VERSION": "2.0", "CALSCALE": "GREGORIAN",
		"METHOD": "PUBLISH", "X-WR-CALNAME": "Aquarelle — séances 2026-2027",
	} {
		if got := props[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want [%q]", name, got, want)
		}
	}
	for i, e := range events {
		checks := map[string]string{
			"UID": e.UID, "SUMMARY": e.Summary, "LOCATION": e.Location, "DESCRIPTION": e.Description,
			"DTSTAMP": "20260901T063000Z",
			"DTSTART": e.Start.UTC().Format("20060102T150405Z"), "DTEND": e.End.UTC().Format("20060102T150405Z"),
		}
		for name, want := range checks {
			if got := props[name][i]; got != want {
				t.Errorf("event %d %s = %q, want %q", i, name, got, want)
			}
		}
	}
	if got := props["DTSTART"]; got[0] != "20261012T170000Z" || got[1] != "20261102T180000Z" {
		t.Errorf("DTSTART = %v, want 17:00Z in summer time and 18:00Z in winter time", got)
	}

	// The reader reads it back: UTC date-times become Paris dates.
	periods, err := ParseSchoolHolidays(strings.NewReader(out), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(periods) != 3 {
		t.Fatalf("read back %d periods, want 3", len(periods))
	}
	for i, p := range periods {
		if want := ToDay(events[i].Start.In(paris)); !p.First.Equal(want) || !p.Last.Equal(want) {
			t.Errorf("period %d = %s..%s, want %s", i, p.First.Format(time.DateOnly), p.Last.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		if p.Name != strings.Join(strings.Fields(events[i].Summary), " ") {
			t.Errorf("period %d name %q", i, p.Name)
		}
	}
}

func TestFoldLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"short", "SUMMARY:Cours"},
		{"exactly 75", "SUMMARY:" + strings.Repeat("a", 67)},
		{"76 ASCII", "SUMMARY:" + strings.Repeat("a", 68)},
		{"two-byte accents across the boundary", "SUMMARY:" + strings.Repeat("é", 100)},
		{"three- and four-byte characters", "SUMMARY:" + strings.Repeat("€😀a", 40)},
		{"invalid UTF-8", "SUMMARY:" + strings.Repeat("\x80", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := foldLine(tt.in)
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", out)
			}
			parts := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			var unfolded strings.Builder
			for i, p := range parts {
				if len(p) > 75 {
					t.Errorf("part %d has %d octets", i, len(p))
				}
				if i > 0 {
					if !strings.HasPrefix(p, " ") {
						t.Fatalf("part %d does not start with a space: %q", i, p)
					}
					p = p[1:]
				}
				if utf8.ValidString(tt.in) && !utf8.ValidString(p) {
					t.Errorf("part %d cuts a character: %q", i, p)
				}
				unfolded.WriteString(p)
			}
			if unfolded.String() != tt.in {
				t.Errorf("unfolds to %q, want %q", unfolded.String(), tt.in)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"ligne 1\r\nligne 2\nligne 3", `ligne 1\nligne 2\nligne 3`},
		{"bell\a and tab\t", "bell and tab\t"},
		{"bad \xff byte", "bad  byte"},
	}
	for _, tt := range tests {
		if got := escapeText(tt.in); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(tt.in, "\a\xff\r") {
			continue
		}
		if back := unescapeText(escapeText(tt.in)); back != tt.in {
			t.Errorf("round trip of %q gives %q", tt.in, back)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteICS_errors(t *testing.T) {
	stamp := time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)
	start := time.Date(2026, time.September, 7, 17, 0, 0, 0, time.UTC)
	ok := Event{UID: "a", Summary: "Cours", Start: start, End: start.Add(2 * time.Hour)}
	tests := []struct {
		name    string
		w       interface{ Write([]byte) (int, error) }
		stamp   time.Time
		events  []Event
		wantErr string
	}{
		{"no UID", &bytes.Buffer{}, stamp, []Event{{Summary: "Cours", Start: start, End: start}}, "has no UID"},
		{"no start", &bytes.Buffer{}, stamp, []Event{{UID: "a", End: start}}, "no start or end"},
		{"end before start", &bytes.Buffer{}, stamp, []Event{{UID: "a", Start: start, End: start.Add(-time.Hour)}}, "ends before it starts"},
		{"no stamp", &bytes.Buffer{}, time.Time{}, []Event{ok}, "no DTSTAMP"},
		{"write error", failingWriter{}, stamp, []Event{ok}, "disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteICS(tt.w, "Cours", tt.stamp, tt.events)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "calendar: writing iCalendar") {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWriteICS_CAT5_sequence_lastModified_cancelled(t *testing.T) {
	paris := loadParis(t)
	stamp := time.Date(2026, time.December, 2, 9, 0, 0, 0, paris)
	modified := time.Date(2026, time.November, 30, 18, 45, 0, 0, paris)
	start := time.Date(2026, time.October, 19, 19, 0, 0, 0, paris)
	events := []Event{
		{UID: "a@cours.paris.fr", Summary: "Cours", Start: start.AddDate(0, 0, -7), End: start.AddDate(0, 0, -7).Add(2 * time.Hour), Sequence: 3, Modified: modified},
		{UID: "b@cours.paris.fr", Summary: "Pas de cours : Vacances de la Toussaint — Cours", Start: start, End: start.Add(2 * time.Hour),
			Cancelled: true, Sequence: 3, Modified: modified},
		{UID: "c@cours.paris.fr", Summary: "Cours", Start: start.AddDate(0, 0, 14), End: start.AddDate(0, 0, 14).Add(2 * time.Hour)},
	}
	var buf bytes.Buffer
	if err := WriteICS(&buf, "Cours", stamp, events); err != nil {
		t.Fatal(err)
	}
	lines, err := contentLines(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	for _, l := range lines {
		switch {
		case l.name == "BEGIN" && l.value == "VEVENT":
			got = append(got, map[string]string{})
		case len(got) > 0 && l.name != "END":
			got[len(got)-1][l.name] = l.value
		}
	}
	want := []map[string]string{
		{"SEQUENCE": "3", "LAST-MODIFIED": "20261130T174500Z", "DTSTAMP": "20261202T080000Z", "STATUS": "", "TRANSP": ""},
		{"SEQUENCE": "3", "LAST-MODIFIED": "20261130T174500Z", "DTSTAMP": "20261202T080000Z", "STATUS": "CANCELLED", "TRANSP": "TRANSPARENT"},
		{"SEQUENCE": "0", "LAST-MODIFIED": "", "DTSTAMP": "20261202T080000Z", "STATUS": "", "TRANSP": ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		for name, value := range want[i] {
			if got[i][name] != value {
				t.Errorf("event %d: %s = %q, want %q", i, name, got[i][name], value)
			}
		}
	}
	if err := WriteICS(&bytes.Buffer{}, "Cours", stamp, []Event{{UID: "x", Start: start, End: start, Sequence: -1}}); err == nil {
		t.Error("a negative SEQUENCE is written")
	}
}

func TestFingerprint(t *testing.T) {
	start := time.Date(2026, time.October, 12, 17, 0, 0, 0, time.UTC)
	base := []Event{{UID: "a", Summary: "Cours", Location: "École", Description: "d", Start: start, End: start.Add(time.Hour)}}
	fp := Fingerprint(base)
	same := []Event{base[0]}
	same[0].Sequence, same[0].Modified = 7, start
	same[0].Start = start.In(loadParis(t)) // the same instant elsewhere
	if Fingerprint(same) != fp {
		t.Error("SEQUENCE, LAST-MODIFIED or the location of the times change the fingerprint")
	}
	for name, change := range map[string]func(*Event){
		"UID": func(e *Event) { e.UID = "b" }, "summary": func(e *Event) { e.Summary = "Cours 2" },
		"location": func(e *Event) { e.Location = "À distance" }, "description": func(e *Event) { e.Description = "" },
		"start": func(e *Event) { e.Start = e.Start.Add(time.Minute) }, "end": func(e *Event) { e.End = e.End.Add(time.Minute) },
		"cancelled": func(e *Event) { e.Cancelled = true },
	} {
		other := []Event{base[0]}
		change(&other[0])
		if Fingerprint(other) == fp {
			t.Errorf("a change of %s keeps the fingerprint", name)
		}
	}
	// Fields are delimited: moving text from one field to the next counts.
	if Fingerprint([]Event{{UID: "ab", Summary: "c"}}) == Fingerprint([]Event{{UID: "a", Summary: "bc"}}) {
		t.Error("field boundaries are not part of the fingerprint")
	}
	if Fingerprint(append(base, base[0])) == fp || Fingerprint(nil) == fp {
		t.Error("the number of events does not count")
	}
}
