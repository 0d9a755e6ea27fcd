package calendar

import (
	"bytes"
	"testing"
)

// FuzzParseSchoolHolidays checks that any input gives periods or an error,
// never a panic, and that every period is well formed.
func FuzzParseSchoolHolidays(f *testing.F) {
	f.Add([]byte(ics("BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261017", "DTEND;VALUE=DATE:20261102",
		"SUMMARY:Vacances de la Toussaint - Zone C", "END:VEVENT")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, zone := range []string{"", "Zone C", "Corse"} {
			periods, err := ParseSchoolHolidays(bytes.NewReader(data), zone)
			if err != nil {
				continue
			}
			for _, p := range periods {
				if p.Last.Before(p.First) {
					t.Errorf("zone %q: period %q ends %v before it starts %v", zone, p.Name, p.Last, p.First)
				}
				if p.Name == "" {
					t.Errorf("zone %q: period without a name", zone)
				}
			}
		}
	})
}
