package calendar

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// ics wraps event lines in a calendar, with LF line endings.
func ics(lines ...string) string {
	return "BEGIN:VCALENDAR\nVERSION:2.0\n" + strings.Join(lines, "\n") + "\nEND:VCALENDAR\n"
}

func period(name string, first, last time.Time) Period {
	return Period{Name: name, First: first, Last: last}
}

func TestParseSchoolHolidays_CAT5_zoneCFile(t *testing.T) {
	data, err := os.ReadFile("testdata/zone-c-2026-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("testdata file should have CRLF line endings")
	}
	zoneC := []Period{
		period("Vacances de la Toussaint", Day(2026, time.October, 17), Day(2026, time.November, 1)),
		period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3)),
		period("Vacances d'Hiver", Day(2027, time.February, 20), Day(2027, time.March, 7)),
		period("Vacances de Printemps", Day(2027, time.April, 17), Day(2027, time.May, 2)),
		period("Vacances d'Été", Day(2027, time.July, 3), Day(2027, time.August, 31)),
	}
	zoneAWinter := period("Vacances d'Hiver", Day(2027, time.February, 6), Day(2027, time.February, 21))
	all := append(append(append([]Period{}, zoneC[:2]...), zoneAWinter), zoneC[2:]...)

	tests := []struct {
		zone string
		want []Period
	}{
		{"Zone C", zoneC},
		{"C", zoneC},
		{"zone c", zoneC},
		{"", all},
		{"Zone A", append(append([]Period{}, zoneC[:2]...), zoneAWinter, zoneC[4])},
	}
	for _, tt := range tests {
		t.Run("zone="+tt.zone, func(t *testing.T) {
			got, err := ParseSchoolHolidays(bytes.NewReader(data), tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			assertPeriods(t, got, tt.want)
		})
	}
}

func assertPeriods(t *testing.T, got, want []Period) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d periods %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Name != want[i].Name || !got[i].First.Equal(want[i].First) || !got[i].Last.Equal(want[i].Last) {
			t.Errorf("period %d = %q %s..%s, want %q %s..%s", i,
				got[i].Name, got[i].First.Format(time.DateOnly), got[i].Last.Format(time.DateOnly),
				want[i].Name, want[i].First.Format(time.DateOnly), want[i].Last.Format(time.DateOnly))
		}
	}
}

func TestParseSchoolHolidays_CAT5_forms(t *testing.T) {
	tests := []struct {
		name  string
		input string
		zone  string
		want  []Period
	}{
		{
			name: "CRLF and folded lines, including a split UTF-8 character",
			input: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026101\r\n 7\r\nDTEND;VALUE=D\r\n\tATE:20261102\r\n" +
				"SUMMARY:Vacances de la Toussai\r\n nt - Zo\r\n ne C\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			zone: "Zone C",
			want: []Period{period("Vacances de la Toussaint", Day(2026, time.October, 17), Day(2026, time.November, 1))},
		},
		{
			name: "UTF-8 sequence folded in the middle",
			input: ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104",
				"SUMMARY:Vacances de No\xc3", " \xabl", "END:VEVENT"),
			want: []Period{period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3))},
		},
		{
			name:  "byte order mark",
			input: "\uFEFF" + ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", "SUMMARY:Vacances de Noël", "END:VEVENT"),
			want:  []Period{period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3))},
		},
		{
			name:  "summer without DTEND lasts until 31 August",
			input: ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270703", "SUMMARY:VACANCES D’ÉTÉ - Zones A/B/C", "END:VEVENT"),
			zone:  "Zone C",
			want:  []Period{period("VACANCES D’ÉTÉ", Day(2027, time.July, 3), Day(2027, time.August, 31))},
		},
		{
			name:  "other event without DTEND lasts one day",
			input: ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270506", "SUMMARY:Vacances exceptionnelles", "END:VEVENT"),
			want:  []Period{period("Vacances exceptionnelles", Day(2027, time.May, 6), Day(2027, time.May, 6))},
		},
		{
			name:  "DTEND the day after DTSTART is one day",
			input: ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270506", "DTEND;VALUE=DATE:20270507", "SUMMARY:Vacances", "END:VEVENT"),
			want:  []Period{period("Vacances", Day(2027, time.May, 6), Day(2027, time.May, 6))},
		},
		{
			name: "date-time forms: floating, TZID and UTC",
			input: ics(
				"BEGIN:VEVENT", `DTSTART;TZID="Europe/Paris":20261017T000000`, "DTEND;TZID=Europe/Paris:20261102T000000",
				"SUMMARY:Vacances de la Toussaint", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART:20261218T230000Z", "DTEND:20270103T230000Z", "SUMMARY:Vacances de Noël", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE-TIME:20270220T000000", "DTEND:20270308T000000", "SUMMARY:Vacances d'Hiver", "END:VEVENT",
			),
			want: []Period{
				period("Vacances de la Toussaint", Day(2026, time.October, 17), Day(2026, time.November, 1)),
				period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3)),
				period("Vacances d'Hiver", Day(2027, time.February, 20), Day(2027, time.March, 7)),
			},
		},
		{
			name: "escaped text",
			input: ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270417", "DTEND;VALUE=DATE:20270503",
				`SUMMARY:Vacances de Printemps\, \;\\ 2027\nsuite - Zone C`, "END:VEVENT"),
			zone: "C",
			want: []Period{period(`Vacances de Printemps, ;\ 2027 suite`, Day(2027, time.April, 17), Day(2027, time.May, 2))},
		},
		{
			name: "non-holiday events skipped",
			input: ics(
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260901", "SUMMARY:Rentrée scolaire des élèves", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270505", "DTEND;VALUE=DATE:20270510", "SUMMARY:Pont de l'Ascension", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270505", "DESCRIPTION:Vacances", "END:VEVENT",
			),
			want: nil,
		},
		{
			name: "zone filter reads LOCATION and DESCRIPTION, keeps events naming no zone",
			input: ics(
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270206", "DTEND;VALUE=DATE:20270222", "SUMMARY:Vacances d'Hiver", "LOCATION:Zone A", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270213", "DTEND;VALUE=DATE:20270301", "SUMMARY:Vacances d'Hiver", "DESCRIPTION:Zone B", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270220", "DTEND;VALUE=DATE:20270308", "SUMMARY:Vacances d'Hiver", "LOCATION:Zones A B et C", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", "SUMMARY:Vacances de Noël", "LOCATION:Paris\\, Créteil", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261017", "DTEND;VALUE=DATE:20261102", "SUMMARY:Vacances de la Toussaint - Zone A à Paris", "END:VEVENT",
			),
			zone: "Zone C",
			want: []Period{
				period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3)),
				period("Vacances d'Hiver", Day(2027, time.February, 20), Day(2027, time.March, 7)),
			},
		},
		{
			name:  "VTIMEZONE and VALARM properties ignored",
			input: ics("BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:STANDARD", "DTSTART:19701025T030000", "END:STANDARD", "END:VTIMEZONE", "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", "SUMMARY:Vacances de Noël", "BEGIN:VALARM", "DTSTART:20000101T000000", "SUMMARY:Rappel", "END:VALARM", "END:VEVENT"),
			want:  []Period{period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3))},
		},
		{
			name: "duplicate events kept once, output sorted",
			input: ics(
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", "SUMMARY:Vacances de Noël", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261017", "DTEND;VALUE=DATE:20261102", "SUMMARY:Vacances de la Toussaint", "END:VEVENT",
				"BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", "SUMMARY:Vacances de Noël - Zone C", "END:VEVENT",
			),
			want: []Period{
				period("Vacances de la Toussaint", Day(2026, time.October, 17), Day(2026, time.November, 1)),
				period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3)),
			},
		},
		{
			name:  "empty calendar",
			input: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchoolHolidays(strings.NewReader(tt.input), tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			assertPeriods(t, got, tt.want)
		})
	}
}

func TestParseSchoolHolidays_errors(t *testing.T) {
	event := func(lines ...string) string {
		return ics(append(append([]string{"BEGIN:VEVENT", "SUMMARY:Vacances"}, lines...), "END:VEVENT")...)
	}
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{"impossible date", event(`DTSTART;VALUE=DATE:2026-13-45`), `calendar: line 5: bad DTSTART "2026-13-45"`},
		{"month 13", event(`DTSTART;VALUE=DATE:20261345`), `calendar: line 5: bad DTSTART "20261345"`},
		{"31 April", event(`DTSTART;VALUE=DATE:20270431`), `line 5: bad DTSTART "20270431"`},
		{"29 February of a common year", event(`DTSTART;VALUE=DATE:20270229`), `line 5: bad DTSTART`},
		{"date-time where a date is announced", event(`DTSTART;VALUE=DATE:20270101T000000`), `line 5: bad DTSTART`},
		{"date where a date-time is announced", event(`DTSTART;VALUE=DATE-TIME:20270101`), `line 5: bad DTSTART`},
		{"hour 25", event(`DTSTART:20270101T250000`), `line 5: bad DTSTART`},
		{"signs in digits", event(`DTSTART:+2027101`), `line 5: bad DTSTART`},
		{"bad DTEND", event(`DTSTART;VALUE=DATE:20270101`, `DTEND;VALUE=DATE:2027011`), `line 6: bad DTEND "2027011"`},
		{"DTEND before DTSTART", event(`DTSTART;VALUE=DATE:20270110`, `DTEND;VALUE=DATE:20270101`), `line 6: DTEND before DTSTART`},
		{"no DTSTART", event(), `line 3: event without DTSTART`},
		{"line without colon", ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270101", "SUMMARY Vacances", "END:VEVENT"), `line 5: expected NAME:VALUE`},
		{"unterminated quote", ics(`X-A;B="x:y`), `line 3: unterminated quoted parameter`},
		{"continuation first", " BEGIN:VCALENDAR\n", `line 1: continuation line`},
		{"event never ended", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\n", `line 2: BEGIN:VEVENT never ended`},
		{"END without BEGIN", ics("END:VEVENT"), `line 3: END:VEVENT without matching BEGIN`},
		{"event outside calendar", "BEGIN:VEVENT\nEND:VEVENT\n", `line 1: BEGIN:VEVENT outside BEGIN:VCALENDAR`},
		{"not iCalendar at all", "", `no BEGIN:VCALENDAR`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchoolHolidays(strings.NewReader(tt.input), "Zone C")
			if err == nil {
				t.Fatalf("no error, got %v; want %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseSchoolHolidays_sizeLimit(t *testing.T) {
	// Just at the limit: accepted (a comment-like X- property padded out).
	header := "BEGIN:VCALENDAR\n"
	footer := "\nEND:VCALENDAR\n"
	pad := maxICSBytes - len(header) - len(footer) - len("X-PAD:")
	atLimit := header + "X-PAD:" + strings.Repeat("x", pad) + footer
	if len(atLimit) != maxICSBytes {
		t.Fatalf("test input is %d bytes", len(atLimit))
	}
	if _, err := ParseSchoolHolidays(strings.NewReader(atLimit), ""); err != nil {
		t.Errorf("input of exactly %d bytes: %v", maxICSBytes, err)
	}

	tooBig := atLimit + "X"
	_, err := ParseSchoolHolidays(strings.NewReader(tooBig), "")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("input of %d bytes: error %v, want a size error", len(tooBig), err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, os.ErrDeadlineExceeded }

func TestParseSchoolHolidays_readError(t *testing.T) {
	_, err := ParseSchoolHolidays(failingReader{}, "")
	if err == nil || !strings.Contains(err.Error(), "calendar: reading school calendar") {
		t.Errorf("error %v, want it wrapped with context", err)
	}
}

func TestPeriod_Contains(t *testing.T) {
	paris := loadParis(t)
	p := period("Vacances de Noël", Day(2026, time.December, 19), Day(2027, time.January, 3))
	tests := []struct {
		day  time.Time
		want bool
	}{
		{Day(2026, time.December, 18), false},
		{Day(2026, time.December, 19), true},
		{time.Date(2027, time.January, 3, 23, 59, 0, 0, paris), true},
		{time.Date(2027, time.January, 4, 0, 30, 0, 0, paris), false},
	}
	for _, tt := range tests {
		if got := p.Contains(tt.day); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.day, got, tt.want)
		}
	}
}
