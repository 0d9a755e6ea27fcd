package calendar

import (
	"slices"
	"time"
)

// Holiday is a public holiday: no class takes place on it (CAT-5).
type Holiday struct {
	Date time.Time // civil date, 00:00 UTC
	Name string    // French name, e.g. "Lundi de Pentecôte"
}

// Easter returns the date of Easter Sunday in the Gregorian calendar for the
// given year, computed with the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher). It is meaningful from 1583 on.
func Easter(year int) time.Time {
	a := year % 19 // position in the 19-year Metonic cycle
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30 // days from 21 March to the Paschal full moon
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7 // days from the full moon to the next Sunday
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Day(year, time.Month(month), day)
}

// PublicHolidays returns the 11 public holidays of metropolitan France for the
// given year, sorted by date. Whit Monday ("Lundi de Pentecôte") is included:
// it may be a working "journée de solidarité" elsewhere, but courses are always
// closed on it (CAT-5).
func PublicHolidays(year int) []Holiday {
	easter := Easter(year)
	holidays := []Holiday{
		{Day(year, time.January, 1), "Jour de l'an"},
		{easter.AddDate(0, 0, 1), "Lundi de Pâques"},
		{Day(year, time.May, 1), "Fête du Travail"},
		{Day(year, time.May, 8), "Victoire 1945"},
		{easter.AddDate(0, 0, 39), "Ascension"},
		{easter.AddDate(0, 0, 50), "Lundi de Pentecôte"},
		{Day(year, time.July, 14), "Fête nationale"},
		{Day(year, time.August, 15), "Assomption"},
		{Day(year, time.November, 1), "Toussaint"},
		{Day(year, time.November, 11), "Armistice 1918"},
		{Day(year, time.December, 25), "Noël"},
	}
	// Ascension can fall on 1 or 8 May, or even before them; a stable sort keeps
	// the list in date order and two holidays on the same day in the order above.
	slices.SortStableFunc(holidays, func(x, y Holiday) int { return x.Date.Compare(y.Date) })
	return holidays
}
