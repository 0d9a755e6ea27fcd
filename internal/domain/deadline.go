package domain

import (
	"time"
	_ "time/tzdata" // Europe/Paris on every machine: the deadline rule cannot do without it
)

// paris is the platform's time zone: every date rule is a Europe/Paris calendar
// date (DESIGN.md §4). It is loaded once and only read; the embedded time-zone
// database makes the load unable to fail.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("domain: Europe/Paris missing from the embedded time-zone database: " + err.Error())
	}
	return loc
}()

// Paris is the time zone every deadline and calendar date of the platform is
// read in.
func Paris() *time.Location { return paris }

// Deadline is the one rule for every deadline of the platform: a deadline is a
// calendar date, and whatever it closes stays open until the end of that day
// in Europe/Paris. "Until 6 September" accepts a cancellation at 23:59:59 on 6
// September, Paris time, and refuses one at 00:00:00 on the 7th, whatever the
// season or the daylight-saving change. The candidature period (PER-1),
// cancellations (CAN-5), the answer period and, in the capabilities to come,
// the selection run's input, offers, payment windows and refund limits all use
// it, with the instant now read from the platform's one injected clock.
//
// The zero Deadline is no date at all: nothing is open before it.
type Deadline struct {
	day time.Time // the last open day, a civil date at 00:00 UTC
}

// DeadlineOn is the deadline whose last open day is year-month-day.
func DeadlineOn(year int, month time.Month, day int) Deadline {
	return Deadline{day: time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DeadlineOf is the deadline whose last open day is the calendar date of t, as
// read in t's own location: a civil date at 00:00 UTC gives that day.
func DeadlineOf(t time.Time) Deadline {
	if t.IsZero() {
		return Deadline{}
	}
	y, m, d := t.Date()
	return DeadlineOn(y, m, d)
}

// IsZero reports whether d is no date.
func (d Deadline) IsZero() bool { return d.day.IsZero() }

// Day is the last open day, a civil date at 00:00 UTC (as calendar dates are
// kept throughout the platform).
func (d Deadline) Day() time.Time { return d.day }

// End is the first instant the deadline has passed: midnight starting the next
// day in Europe/Paris.
func (d Deadline) End() time.Time {
	y, m, day := d.day.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, paris)
}

// Open reports whether now is on or before the last open day, Paris time.
func (d Deadline) Open(now time.Time) bool { return !d.IsZero() && now.Before(d.End()) }

// Passed reports whether the last open day is over, Paris time.
func (d Deadline) Passed(now time.Time) bool { return !d.Open(now) }

// String is the last open day as YYYY-MM-DD.
func (d Deadline) String() string {
	if d.IsZero() {
		return ""
	}
	return d.day.Format(time.DateOnly)
}
