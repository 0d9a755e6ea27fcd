package domain

import (
	"regexp"
	"time"
)

// The checks of the catalogue administration (ROLE-5, PER-1, CAT-3, CAT-4):
// each returns every wrong field at once as message keys, so that the back
// office, the staff API and the spreadsheet import word the same rule the
// same way, next to the field or in the row's cell.

// SessionDates are the dates the central service gives a session, each a
// civil date (00:00 UTC): the periods open at the start of their first day
// and stay open until the end of their last day, Europe/Paris (PER-1).
type SessionDates struct {
	FirstDay, LastDay                   time.Time // the first and last class meetings
	CandidatureOpens, CandidatureCloses time.Time
	AnswerOpens, AnswerCloses           time.Time
}

// DatesOf reads a session's dates back as calendar dates, the opening
// instants read in Europe/Paris.
func DatesOf(s Session) SessionDates {
	return SessionDates{FirstDay: s.FirstDay, LastDay: s.LastDay,
		CandidatureOpens: CivilDay(s.CandidatureOpens), CandidatureCloses: s.CandidatureCloses.Day(),
		AnswerOpens: CivilDay(s.AnswerOpens), AnswerCloses: s.AnswerCloses.Day()}
}

// CivilDay is the Europe/Paris calendar date of instant t, at 00:00 UTC.
func CivilDay(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.In(paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// StartOfDay is the instant a calendar date begins in Europe/Paris.
func StartOfDay(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, paris)
}

// Apply sets the session's periods from the dates: each opens at the start of
// its first day and closes at the end of its last, Paris time (PER-1).
func (d SessionDates) Apply(s *Session) {
	s.FirstDay, s.LastDay = d.FirstDay, d.LastDay
	s.CandidatureOpens, s.CandidatureCloses = StartOfDay(d.CandidatureOpens), DeadlineOf(d.CandidatureCloses)
	s.AnswerOpens, s.AnswerCloses = StartOfDay(d.AnswerOpens), DeadlineOf(d.AnswerCloses)
}

// Check refuses dates out of order (PER-1): the candidature period closes
// after it opens, the answers open after the candidatures close and close
// after they open, the classes begin after the answers open and end after
// they begin. Fields: first_day, last_day, candidature_opens,
// candidature_closes, answer_opens, answer_closes.
func (d SessionDates) Check() FieldErrors {
	var errs FieldErrors
	missing := false
	for _, f := range []struct {
		field string
		day   time.Time
	}{{"candidature_opens", d.CandidatureOpens}, {"candidature_closes", d.CandidatureCloses},
		{"answer_opens", d.AnswerOpens}, {"answer_closes", d.AnswerCloses},
		{"first_day", d.FirstDay}, {"last_day", d.LastDay}} {
		if f.day.IsZero() {
			errs = append(errs, FieldError{Field: f.field, Key: "session.error.date_missing"})
			missing = true
		}
	}
	if missing {
		return errs
	}
	day := func(t time.Time) map[string]any { return map[string]any{"Date": t.Format(time.DateOnly)} }
	if !d.CandidatureCloses.After(d.CandidatureOpens) {
		errs = append(errs, FieldError{Field: "candidature_closes", Key: "session.error.closes_before_opens", Args: day(d.CandidatureOpens)})
	}
	if !d.AnswerOpens.After(d.CandidatureCloses) {
		errs = append(errs, FieldError{Field: "answer_opens", Key: "session.error.answers_before_closing", Args: day(d.CandidatureCloses)})
	}
	if d.AnswerCloses.Before(d.AnswerOpens) {
		errs = append(errs, FieldError{Field: "answer_closes", Key: "session.error.answers_close_before_open", Args: day(d.AnswerOpens)})
	}
	if !d.FirstDay.After(d.AnswerOpens) {
		errs = append(errs, FieldError{Field: "first_day", Key: "session.error.classes_before_answers", Args: day(d.AnswerOpens)})
	}
	if d.LastDay.Before(d.FirstDay) {
		errs = append(errs, FieldError{Field: "last_day", Key: "session.error.ends_before_start", Args: day(d.FirstDay)})
	}
	return errs
}

// codePattern is what a catalogue code may hold: capitals, digits and dashes,
// the way the city's spreadsheets write them ("E-11-PARMENTIER").
var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,39}$`)

// ValidCode reports whether a session, establishment, formation or course
// code can be used.
func ValidCode(code string) bool { return codePattern.MatchString(code) }

// CheckCourse checks a course against its formation and room (CAT-3, CAT-4):
// a slot that ends after it starts, a known level, a tariff in cents and a
// capacity within the bounds of the formation's kind in that room. Fields:
// code, weekday, start, end, level, price, capacity, room. Enrolled learners
// bound the capacity from below (a course cannot shrink under them).
func CheckCourse(c Course, f Formation, room Room) FieldErrors {
	var errs FieldErrors
	if !ValidCode(c.Code) {
		errs = append(errs, FieldError{Field: "code", Key: "course.error.code"})
	}
	if c.Weekday < time.Sunday || c.Weekday > time.Saturday {
		errs = append(errs, FieldError{Field: "weekday", Key: "course.error.weekday"})
	}
	if c.StartMinute < 0 || c.StartMinute >= 24*60 {
		errs = append(errs, FieldError{Field: "start", Key: "course.error.time"})
	}
	if c.EndMinute <= 0 || c.EndMinute > 24*60 {
		errs = append(errs, FieldError{Field: "end", Key: "course.error.time"})
	} else if c.EndMinute <= c.StartMinute {
		errs = append(errs, FieldError{Field: "end", Key: "course.error.ends_before_start",
			Args: map[string]any{"Start": FormatClock(c.StartMinute), "End": FormatClock(c.EndMinute)}})
	}
	if !c.Level.Valid() {
		errs = append(errs, FieldError{Field: "level", Key: "course.error.level"})
	}
	if c.PriceCents < 0 {
		errs = append(errs, FieldError{Field: "price", Key: "course.error.price"})
	}
	if room.EstablishmentID != 0 && c.EstablishmentID != 0 && room.EstablishmentID != c.EstablishmentID {
		errs = append(errs, FieldError{Field: "room", Key: "course.error.room_elsewhere"})
	}
	if e := CheckCapacityField(f.Kind, room, c.Capacity); e != nil {
		errs = append(errs, *e)
	} else if c.Capacity < c.Enrolled {
		errs = append(errs, FieldError{Field: "capacity", Key: "course.error.capacity_below_enrolled",
			Args: map[string]any{"Enrolled": c.Enrolled}})
	}
	return errs
}

// CheckCapacityField is CheckCapacity as a field error (CAT-4), nil when the
// capacity fits: general courses at most 25, computer courses at most 15 and
// one per workstation, technical diploma courses the room's workstations.
func CheckCapacityField(kind FormationKind, room Room, capacity int) *FieldError {
	fe := func(key string, n int) *FieldError {
		return &FieldError{Field: "capacity", Key: key, Args: map[string]any{"Max": n, "Room": room.Name, "Got": capacity}}
	}
	switch {
	case capacity <= 0:
		return fe("course.error.capacity_positive", 0)
	case kind == KindComputer && capacity > ComputerMaxCapacity:
		return fe("course.error.capacity_computer", ComputerMaxCapacity)
	case (kind == KindComputer || kind == KindTechnical) && capacity > room.Workstations:
		return fe("course.error.capacity_workstations", room.Workstations)
	case kind != KindComputer && kind != KindTechnical && capacity > GeneralMaxCapacity:
		return fe("course.error.capacity_general", GeneralMaxCapacity)
	}
	return nil
}
