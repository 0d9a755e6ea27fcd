package calendar

import (
	"testing"
	"time"
)

func TestDay_ToDay(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"midnight UTC stays", Day(2026, time.October, 17), Day(2026, time.October, 17)},
		{"Paris just after midnight is that Paris day", time.Date(2026, time.October, 17, 0, 30, 0, 0, paris), Day(2026, time.October, 17)},
		{"late evening UTC", time.Date(2026, time.December, 31, 23, 59, 59, 0, time.UTC), Day(2026, time.December, 31)},
		{"Day normalises", Day(2027, time.February, 29), Day(2027, time.March, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ToDay(tt.in)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ToDay(%v) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestEaster_CAT5(t *testing.T) {
	tests := []struct {
		year int
		want time.Time
	}{
		{2024, Day(2024, time.March, 31)},
		{2025, Day(2025, time.April, 20)},
		{2026, Day(2026, time.April, 5)},
		{2027, Day(2027, time.March, 28)},
		{2038, Day(2038, time.April, 25)}, // latest possible date
		{2285, Day(2285, time.March, 22)}, // earliest possible date
		{1818, Day(1818, time.March, 22)},
		{2000, Day(2000, time.April, 23)},
	}
	for _, tt := range tests {
		if got := Easter(tt.year); !got.Equal(tt.want) {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
		if got := Easter(tt.year).Weekday(); got != time.Sunday {
			t.Errorf("Easter(%d) is a %s", tt.year, got)
		}
	}
}

func TestPublicHolidays_CAT5_2027(t *testing.T) {
	want := []Holiday{
		{Day(2027, time.January, 1), "Jour de l'an"},
		{Day(2027, time.March, 29), "Lundi de Pâques"},
		{Day(2027, time.May, 1), "Fête du Travail"},
		{Day(2027, time.May, 6), "Ascension"},
		{Day(2027, time.May, 8), "Victoire 1945"},
		{Day(2027, time.May, 17), "Lundi de Pentecôte"},
		{Day(2027, time.July, 14), "Fête nationale"},
		{Day(2027, time.August, 15), "Assomption"},
		{Day(2027, time.November, 1), "Toussaint"},
		{Day(2027, time.November, 11), "Armistice 1918"},
		{Day(2027, time.December, 25), "Noël"},
	}
	got := PublicHolidays(2027)
	if len(got) != len(want) {
		t.Fatalf("PublicHolidays(2027) has %d holidays, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].Date.Equal(want[i].Date) || got[i].Name != want[i].Name {
			t.Errorf("holiday %d = %s %q, want %s %q", i,
				got[i].Date.Format(time.DateOnly), got[i].Name, want[i].Date.Format(time.DateOnly), want[i].Name)
		}
	}
}

func TestPublicHolidays_CAT5_sortedEveryYear(t *testing.T) {
	for year := 1990; year <= 2100; year++ {
		hs := PublicHolidays(year)
		if len(hs) != 11 {
			t.Fatalf("%d: %d holidays", year, len(hs))
		}
		for i := 1; i < len(hs); i++ {
			if hs[i].Date.Before(hs[i-1].Date) {
				t.Errorf("%d: %s before %s", year, hs[i].Name, hs[i-1].Name)
			}
		}
	}
	// 2008: Ascension fell on 1 May, the same day as the Fête du Travail.
	hs := PublicHolidays(2008)
	if !hs[2].Date.Equal(Day(2008, time.May, 1)) || !hs[3].Date.Equal(Day(2008, time.May, 1)) {
		t.Errorf("2008: want two holidays on 1 May, got %v and %v", hs[2], hs[3])
	}
}

func TestClosures_CAT5_whitMondayAlwaysClosed(t *testing.T) {
	tests := []struct {
		name       string
		day        time.Time
		wantReason string
		wantClosed bool
	}{
		{"Whit Monday 2027", Day(2027, time.May, 17), "Lundi de Pentecôte", true},
		{"Whit Monday 2026", Day(2026, time.May, 25), "Lundi de Pentecôte", true},
		{"Easter Monday 2027", Day(2027, time.March, 29), "Lundi de Pâques", true},
		{"Armistice 2026", Day(2026, time.November, 11), "Armistice 1918", true},
		{"ordinary Monday", Day(2027, time.May, 10), "", false},
		{"Tuesday after Whit Monday", Day(2027, time.May, 18), "", false},
	}
	var none Closures // no school period at all: public holidays still close
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, closed := none.Closed(tt.day)
			if reason != tt.wantReason || closed != tt.wantClosed {
				t.Errorf("Closed(%s) = %q, %v; want %q, %v", tt.day.Format(time.DateOnly), reason, closed, tt.wantReason, tt.wantClosed)
			}
		})
	}
}
