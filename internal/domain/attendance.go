package domain

import (
	"strconv"
	"time"
)

// Mark is what the register says of one learner at one class meeting
// (ATT-1).
type Mark string

const (
	MarkPresent Mark = "present"
	// MarkLate counts as present for the attendance rate (ATT-2).
	MarkLate   Mark = "late"
	MarkAbsent Mark = "absent" // without a justification given to the trainer (ATT-3)
	// MarkExcused is an absence justified to the trainer, with its reason.
	MarkExcused Mark = "excused"
)

// Marks lists the marks in the order the register offers them.
var Marks = []Mark{MarkPresent, MarkLate, MarkAbsent, MarkExcused}

// Valid reports whether m is a known mark.
func (m Mark) Valid() bool {
	switch m {
	case MarkPresent, MarkLate, MarkAbsent, MarkExcused:
		return true
	}
	return false
}

// Attended reports whether the mark counts as present (ATT-2: late counts).
func (m Mark) Attended() bool { return m == MarkPresent || m == MarkLate }

// AttendanceThresholdBP is ATT-2's threshold, in basis points: an
// attestation d'assiduité needs 75 % of the course's hours.
const AttendanceThresholdBP = 7500

// StrikeOffRun is ATT-3's count: after this many consecutive absences
// without a valid reason, the central service may strike the learner off;
// beyond it, whatever the reason, the trainer may exclude (ATT-4).
const StrikeOffRun = 3

// MeetingRecord is a class meeting whose register was taken or which was
// cancelled, with the learner's mark when they have one.
type MeetingRecord struct {
	Day       time.Time // civil date
	Minutes   int       // how long it was held
	Cancelled bool      // a one-off cancellation (REF-4): counts for nobody
	Marked    bool      // the learner has a mark on it
	Mark      Mark
}

// Attendance is a learner's attendance in one course (ATT-2, ATT-3).
type Attendance struct {
	HeldMinutes    int // of the meetings held with the learner on the register
	PresentMinutes int // of those, present or late
	HeldMeetings   int
	// FirstHeld and LastHeld are the days of the first and last meetings
	// counted: the period an attestation d'assiduité covers.
	FirstHeld, LastHeld time.Time
	Absences            int // absent or excused
	// ToComeMinutes are the meetings not yet taken (to come, or past with no
	// register yet): what may still count.
	ToComeMinutes int
	// Run is the current streak of consecutive absences without a valid
	// reason, in meeting order, ending at the last meeting marked;
	// LongestRun the longest such streak; LongestAnyRun the longest streak
	// of absences whatever the reason (ATT-4).
	Run, LongestRun, LongestAnyRun int
	// Streaks are the streaks of at least StrikeOffRun consecutive absences
	// without a valid reason (ATT-3), in order.
	Streaks []Streak
}

// Streak is a run of consecutive absences without a valid reason: its first
// and last days, and how many meetings it spans.
type Streak struct {
	Start, End time.Time
	Length     int
}

// RateBP is the attendance rate in basis points (ATT-2): minutes present
// (late counts) over the minutes of the meetings held, rounded down, so
// that 74.99 % is not 75 %. 0 when nothing was held yet.
func (a Attendance) RateBP() int {
	if a.HeldMinutes == 0 {
		return 0
	}
	return a.PresentMinutes * 10000 / a.HeldMinutes
}

// Reaches reports whether the rate is at ATT-2's threshold: the
// attestation d'assiduité may be delivered.
func (a Attendance) Reaches() bool {
	return a.HeldMinutes > 0 && a.PresentMinutes*10000 >= AttendanceThresholdBP*a.HeldMinutes
}

// Reachable reports whether 75 % can still be reached if the learner comes
// to every meeting still to come.
func (a Attendance) Reachable() bool {
	total := a.HeldMinutes + a.ToComeMinutes
	return total > 0 && (a.PresentMinutes+a.ToComeMinutes)*10000 >= AttendanceThresholdBP*total
}

// Flagged reports ATT-3's flag: three consecutive absences without a valid
// reason at some point of the course.
func (a Attendance) Flagged() bool { return len(a.Streaks) > 0 }

// MayExclude reports ATT-4's first case: more than three consecutive
// absences, whatever their reason.
func (a Attendance) MayExclude() bool { return a.LongestAnyRun > StrikeOffRun }

// ComputeAttendance sums a learner's meetings, in day order (ATT-2, ATT-3).
// Cancelled meetings count for nobody; a taken meeting without the
// learner's mark (before they joined) does not count for them; toCome are
// the minutes of the meetings not taken yet. A justified absence, like any
// other mark, breaks a streak of unjustified ones: "absent, absent,
// excused, absent" is not three consecutive unjustified absences.
func ComputeAttendance(records []MeetingRecord, toComeMinutes int) Attendance {
	a := Attendance{ToComeMinutes: toComeMinutes}
	any := 0
	var start time.Time // of the current unjustified streak
	for _, r := range records {
		if r.Cancelled || !r.Marked {
			continue
		}
		a.HeldMeetings++
		a.HeldMinutes += r.Minutes
		if a.FirstHeld.IsZero() || r.Day.Before(a.FirstHeld) {
			a.FirstHeld = r.Day
		}
		if r.Day.After(a.LastHeld) {
			a.LastHeld = r.Day
		}
		if r.Mark.Attended() {
			a.PresentMinutes += r.Minutes
		} else {
			a.Absences++
		}
		if r.Mark == MarkAbsent {
			a.Run++
			a.LongestRun = max(a.LongestRun, a.Run)
			switch {
			case a.Run == StrikeOffRun:
				a.Streaks = append(a.Streaks, Streak{Start: start, End: r.Day, Length: a.Run})
			case a.Run > StrikeOffRun:
				last := &a.Streaks[len(a.Streaks)-1]
				last.End, last.Length = r.Day, a.Run
			case a.Run == 1:
				start = r.Day
			}
		} else {
			a.Run = 0
		}
		if r.Mark.Attended() {
			any = 0
		} else {
			any++
			a.LongestAnyRun = max(a.LongestAnyRun, any)
		}
	}
	return a
}

// FormatRate writes a rate in basis points as a percentage with one
// decimal, rounded down, with the decimal separator given: 7499 is
// "74,9 %" in French.
func FormatRate(bp int, sep string) string {
	return strconv.Itoa(bp/100) + sep + strconv.Itoa(bp%100/10) + "\u00a0%"
}
