package calendar

import "time"

// Closures is what closes a course on a given day (CAT-5): the school-holiday
// periods of the city's zone. Public holidays are always computed, not stored.
type Closures struct {
	School []Period
}

// Closed reports whether courses are closed on the civil date of d and why.
// The reason is in French: the school period's name (e.g. "Vacances de Noël")
// or the public holiday's name (e.g. "Lundi de Pentecôte"). When a public
// holiday falls inside school holidays, the school period is given, so that the
// skipped meetings of one holiday period all show the same reason.
func (c Closures) Closed(d time.Time) (reason string, closed bool) {
	day := ToDay(d)
	for _, p := range c.School {
		if p.Contains(day) {
			return p.Name, true
		}
	}
	for _, h := range PublicHolidays(day.Year()) {
		if h.Date.Equal(day) {
			return h.Name, true
		}
	}
	return "", false
}

// Meeting is one dated class meeting (séance) of a course.
type Meeting struct {
	Date    time.Time // civil date, 00:00 UTC
	Start   time.Time // full instant in the caller's location (Europe/Paris)
	End     time.Time
	Skipped bool   // true when the course is closed that day (CAT-5)
	Reason  string // French reason for a skipped meeting, e.g. "Vacances de la Toussaint"
}

// Meetings lists every date falling on weekday between first and last
// (inclusive civil days) with the class running from startMin to endMin,
// minutes since local midnight in loc (Europe/Paris; nil means UTC). An endMin
// of 1440 or more ends the class on the next day.
//
// Wall-clock times are kept across daylight-saving changes: a 19:00 class is
// at 19:00 in Paris in summer and in winter, so its UTC instant moves.
//
// When holidaySession is false, days closed by c are returned with Skipped set
// and Reason filled in, so that a course page can say "pas de cours : Vacances
// de la Toussaint". A holiday session is exempt from CAT-5: nothing is skipped.
func Meetings(first, last time.Time, weekday time.Weekday, startMin, endMin int,
	loc *time.Location, c Closures, holidaySession bool) []Meeting {
	if loc == nil {
		loc = time.UTC
	}
	first, last = ToDay(first), ToDay(last)

	// Move to the first date on the wanted weekday.
	offset := (int(weekday) - int(first.Weekday()) + 7) % 7
	day := first.AddDate(0, 0, offset)

	var meetings []Meeting
	for ; !day.After(last); day = day.AddDate(0, 0, 7) {
		year, month, date := day.Date()
		m := Meeting{
			Date: day,
			// time.Date normalises the minutes on the wall clock, then finds
			// the instant in loc, which gives the right offset on each side
			// of a daylight-saving change.
			Start: time.Date(year, month, date, 0, startMin, 0, 0, loc),
			End:   time.Date(year, month, date, 0, endMin, 0, 0, loc),
		}
		if !holidaySession {
			m.Reason, m.Skipped = c.Closed(day)
		}
		meetings = append(meetings, m)
	}
	return meetings
}

// FirstMeeting is the civil date of a course's first class meeting that is held
// (not skipped, CAT-5) between first and last, on weekday; ok is false when no
// meeting is held at all. It is the course's start date of ACC-1, computed
// without listing the whole year.
func FirstMeeting(first, last time.Time, weekday time.Weekday, c Closures, holidaySession bool) (day time.Time, ok bool) {
	first, last = ToDay(first), ToDay(last)
	day = first.AddDate(0, 0, (int(weekday)-int(first.Weekday())+7)%7)
	for ; !day.After(last); day = day.AddDate(0, 0, 7) {
		if holidaySession {
			return day, true
		}
		if _, closed := c.Closed(day); !closed {
			return day, true
		}
	}
	return time.Time{}, false
}
