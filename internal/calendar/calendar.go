// Package calendar owns the dates of the course year: the French public holidays
// (computed, never stored), the school-holiday periods of the city's zone (data,
// imported from the Education ministry's iCalendar file) and the dated class
// meetings ("séances") of a course, which rule CAT-5 derives from both.
//
// A civil date (a day in the calendar, without a time of day) is represented as a
// time.Time at 00:00 UTC; Day builds one and ToDay converts any instant to one.
// Instants of class meetings are full times in Europe/Paris, which the caller loads
// and passes in, so the package holds no global state.
//
// The package imports nothing from the module: only the standard library.
package calendar

import "time"

// Day returns the civil date year-month-day as a time.Time at 00:00 UTC.
// Out-of-range values are normalised as time.Date does (31 April is 1 May).
func Day(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// ToDay returns the civil date of t, read in t's own location, as 00:00 UTC.
// For example 2026-10-17T00:30 in Europe/Paris gives 2026-10-17, although the
// same instant is still 16 October in UTC.
func ToDay(t time.Time) time.Time {
	year, month, day := t.Date()
	return Day(year, month, day)
}
