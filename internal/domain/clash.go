package domain

import "time"

// Slot is when and where a course meets, for the clash checks of the
// catalogue administration and its import: a trainer or a room booked in two
// places at once is refused (CAT-3).
type Slot struct {
	Weekday           time.Weekday
	StartMinute       int
	EndMinute         int       // excluded: a course ending at 20h00 and one starting at 20h00 do not clash
	FirstDay, LastDay time.Time // the session's first and last class days
}

// SlotOfCourse is a course's slot within its session's days.
func SlotOfCourse(c Course, s Session) Slot {
	return Slot{Weekday: c.Weekday, StartMinute: c.StartMinute, EndMinute: c.EndMinute, FirstDay: s.FirstDay, LastDay: s.LastDay}
}

// Clashes reports whether two slots meet at the same time: same weekday,
// overlapping hours, and sessions whose days overlap.
func (a Slot) Clashes(b Slot) bool {
	return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute &&
		!a.LastDay.Before(b.FirstDay) && !b.LastDay.Before(a.FirstDay)
}
