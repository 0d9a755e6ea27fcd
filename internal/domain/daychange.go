package domain

import "time"

// Day changes (SEL-8): a learner whose course's day does not suit them asks,
// on the first day of classes, the establishment's director, who forwards the
// request (or not) to the formation's pedagogical coordinator, who decides.
// An accepted change moves the learner to the other course only if a seat is
// free there and nobody waits for it: a day change never passes a waiting
// candidate.

// DayChangeState is where a day-change request stands.
type DayChangeState string

const (
	DayChangeRequested    DayChangeState = "requested"     // asked, with the establishment's director
	DayChangeForwarded    DayChangeState = "forwarded"     // forwarded to the pedagogical coordinator
	DayChangeNotForwarded DayChangeState = "not_forwarded" // the director did not forward it (with the reason)
	DayChangeAccepted     DayChangeState = "accepted"      // the coordinator agreed: the learner moved
	DayChangeRefused      DayChangeState = "refused"       // the coordinator said no (with the reason)
	DayChangeCancelled    DayChangeState = "cancelled"     // the learner left the course before a decision
)

// DayChangeStates lists the states in the order of a request's life.
var DayChangeStates = []DayChangeState{DayChangeRequested, DayChangeForwarded, DayChangeNotForwarded, DayChangeAccepted,
	DayChangeRefused, DayChangeCancelled}

// Open reports whether a request in this state still awaits a step.
func (s DayChangeState) Open() bool { return s == DayChangeRequested || s == DayChangeForwarded }

// How a request reached the director.
const (
	DayChangeFromSpace = "space" // the learner asked from their space, on the first day
	DayChangeAtDesk    = "desk"  // the director recorded it at the desk
)

// DayChange is one learner's request to move to another course of the same
// formation and level (another day, time or place).
type DayChange struct {
	ID, CandidatureID, AccountID int64
	FromCourseID, ToCourseID     int64
	Channel                      string // DayChangeFromSpace or DayChangeAtDesk
	Reason                       string // the learner's, as written
	State                        DayChangeState
	AskedAt                      time.Time
	RecordedBy                   int64 // the director who recorded it at the desk; 0 from the space
	ForwardedAt                  time.Time
	ForwardedBy                  int64
	ForwardNote                  string // the director's note, or why not forwarded
	DecidedAt                    time.Time
	DecidedBy                    int64
	DecisionNote                 string // the coordinator's note, or why refused
}

// FirstDayOfClasses reports whether now is, in Paris, the civil day of a
// course's first class meeting (firstClass, a civil date): the day a learner
// asks for a day change from their space (SEL-8).
func FirstDayOfClasses(firstClass, now time.Time) bool {
	if firstClass.IsZero() {
		return false
	}
	y, m, d := now.In(paris).Date()
	fy, fm, fd := firstClass.Date()
	return y == fy && m == fm && d == fd
}

// DeskDayChangeOpen reports whether the director may still record, at now,
// a request made at the desk for a course whose first class meeting is on
// firstClass: from that first day until the course's lists close (SEL-4),
// since the paper requests of the first evening are often entered the days
// after; never before the first class.
func DeskDayChangeOpen(firstClass, now time.Time) bool {
	if firstClass.IsZero() {
		return false
	}
	y, m, d := firstClass.Date()
	if now.Before(time.Date(y, m, d, 0, 0, 0, 0, paris)) {
		return false
	}
	return !ListsClosed(firstClass, now)
}
