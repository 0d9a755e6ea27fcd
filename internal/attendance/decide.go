package attendance

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// The decisions that end a learner's place (ATT-3, ATT-4): the central
// service strikes off (radiation) a learner reported for three consecutive
// absences without a valid reason, or keeps them; the trainer, the
// establishment's director or the central service excludes a learner for
// absences beyond three in a row, whatever their reason, or for conduct.
// Each is one transaction under the course's lock, the same lock a
// register's save takes: a strike-off and a correction of one of the
// streak's marks take turns, and the strike-off is refused when the
// correction came first and broke the streak. The seat goes down the
// waiting list at once (waitlist.EndForAttendance); nothing is refunded;
// the marks stay.

// Exclusion kinds (ATT-4).
const (
	ExcludeAbsences = "absences" // beyond three consecutive absences, whatever the reason
	ExcludeConduct  = "conduct"  // conduct that disrupts the course
)

// Decided is what a decision did.
type Decided struct {
	// Already: the same decision was taken before; nothing was done again.
	Already bool
	// Offered counts the offers the freed seat went to.
	Offered int
}

// FlagRef names a reported streak: its candidature, course and first day.
type FlagRef struct {
	CandidatureID, CourseID int64
	Start                   time.Time
}

// FlagLine is one open report in the central service's queue (ATT-3).
type FlagLine struct {
	store.Flag
	Course     *catalogue.Entry
	Days       []time.Time // the days of the streak's absences
	Attendance domain.Attendance
	InCourse   bool
	// Stands: the streak is still three absences without a valid reason in
	// a row (a correction may have justified one since) and the learner is
	// still in the course: a strike-off may be decided.
	Stands bool
}

// Flags lists the open reports of three consecutive absences without a
// valid reason, the oldest first: the central service's strike-off queue
// (ATT-3, ROLE-5).
func (s *Service) Flags(ctx context.Context, actor domain.Actor) ([]FlagLine, error) {
	if !domain.Can(actor, domain.ActStrikeOff, domain.Resource{}) {
		return nil, ErrForbidden
	}
	flags, err := s.store.OpenFlags(ctx)
	if err != nil {
		return nil, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	regs := map[int64]Registers{}
	meetings := map[int64][]store.Meeting{}
	marks := map[int64]map[int64]map[int64]domain.Mark{} // course → candidature → meeting
	var out []FlagLine
	for _, f := range flags {
		e, ok := ix.Course(f.CourseID)
		if !ok {
			continue
		}
		r, ok := regs[e.ID]
		if !ok {
			if r, err = s.registers(ctx, ix, e); err != nil {
				return nil, err
			}
			regs[e.ID] = r
			if meetings[e.ID], err = s.store.CourseMeetings(ctx, nil, e.ID); err != nil {
				return nil, err
			}
			all, err := s.store.CourseMarks(ctx, nil, e.ID)
			if err != nil {
				return nil, err
			}
			marks[e.ID] = marksByLearner(all)
		}
		line := FlagLine{Flag: f, Course: e}
		for _, l := range r.Learners {
			if l.CandidatureID == f.CandidatureID {
				line.Attendance, line.InCourse = l.Attendance, l.InCourse
			}
		}
		a := streakAttendance(meetings[e.ID], marks[e.ID][f.CandidatureID])
		line.Days = streakDays(meetings[e.ID], marks[e.ID][f.CandidatureID], f)
		line.Stands = line.InCourse && streakStands(a, f)
		out = append(out, line)
	}
	return out, nil
}

// streakAttendance computes a candidature's streaks from its marks.
func streakAttendance(meetings []store.Meeting, marks map[int64]domain.Mark) domain.Attendance {
	records := make([]domain.MeetingRecord, 0, len(meetings))
	for _, mt := range meetings {
		mark, ok := marks[mt.ID]
		records = append(records, domain.MeetingRecord{Day: mt.Day, Minutes: mt.Minutes, Cancelled: mt.Cancelled, Marked: ok, Mark: mark})
	}
	return domain.ComputeAttendance(records, 0)
}

// streakStands reports whether flag f's streak is still three absences
// without a valid reason in a row: a streak of a now overlaps its days.
func streakStands(a domain.Attendance, f store.Flag) bool {
	for _, st := range a.Streaks {
		if !st.Start.After(f.StreakEnd) && !st.End.Before(f.StreakStart) {
			return true
		}
	}
	return false
}

// streakDays lists the days of the absences without a valid reason within
// flag f's streak.
func streakDays(meetings []store.Meeting, marks map[int64]domain.Mark, f store.Flag) []time.Time {
	var days []time.Time
	for _, mt := range meetings {
		if !mt.Cancelled && !mt.Day.Before(f.StreakStart) && !mt.Day.After(f.StreakEnd) && marks[mt.ID] == domain.MarkAbsent {
			days = append(days, mt.Day)
		}
	}
	return days
}

// checkMotive trims a decision's motive, required and bounded.
func checkMotive(reason *string) error {
	*reason = strings.TrimSpace(*reason)
	if *reason == "" {
		return refuse("attendance.decision.reason")
	}
	if len([]rune(*reason)) > MaxReasonLength {
		return refuse("attendance.reason_long", "Max", MaxReasonLength)
	}
	return nil
}

var errNoWaitlist = errors.New("attendance: no waiting lists to free a seat to")

// StrikeOff strikes off (radiation) the learner of a reported streak, with
// a motive (ATT-3, ROLE-5): refused when the streak no longer stands (a
// correction justified one of its absences meanwhile) or the learner is no
// longer in the course. The candidature ends struck off, its seat goes
// down the waiting list, the decision is recorded on the report, audited
// and told to the learner. Striking off again does nothing.
func (s *Service) StrikeOff(ctx context.Context, actor domain.Actor, ref FlagRef, reason string) (Decided, error) {
	if !domain.Can(actor, domain.ActStrikeOff, domain.Resource{}) {
		return Decided{}, ErrForbidden
	}
	if err := checkMotive(&reason); err != nil {
		return Decided{}, err
	}
	f, err := s.store.FlagOf(ctx, nil, ref.CandidatureID, ref.CourseID, ref.Start)
	if err != nil {
		return Decided{}, err
	}
	switch f.Decision {
	case store.FlagStruckOff:
		return Decided{Already: true}, nil
	case store.FlagKept:
		return Decided{}, refuse("attendance.flag.kept")
	}
	if s.waitlist == nil {
		return Decided{}, errNoWaitlist
	}
	a, err := s.waitlist.EndForAttendance(ctx, actor, f.CandidatureID, domain.CandidatureStruckOff, domain.FreedStruckOff,
		"radiation prononcée par le service central : "+reason,
		func(ctx context.Context, tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error {
			// Under the course's lock: the report and the marks as they are now.
			f, err := s.store.FlagOf(ctx, tx, f.CandidatureID, f.CourseID, f.StreakStart)
			if err != nil {
				return err
			}
			if f.Decision != store.FlagOpen {
				return refuse("attendance.flag.kept")
			}
			if c.AcceptedCourseID != f.CourseID {
				return refuse("attendance.decision.not_in_course")
			}
			meetings, err := s.store.CourseMeetings(ctx, tx, f.CourseID)
			if err != nil {
				return err
			}
			marks, err := s.store.CandidatureMarks(ctx, tx, f.CandidatureID)
			if err != nil {
				return err
			}
			if !streakStands(streakAttendance(meetings, marks), f) {
				return refuse("attendance.strike.broken")
			}
			now := s.now()
			if _, err := s.store.DecideFlag(ctx, tx, f, store.FlagStruckOff, now, actor.AccountID, reason); err != nil {
				return err
			}
			// Another streak of the learner reported, if any, has nothing left to decide.
			if err := s.store.CloseOpenFlags(ctx, tx, c.ID, store.FlagStruckOff, now, actor.AccountID, reason); err != nil {
				return err
			}
			var days []string
			for _, d := range streakDays(meetings, marks, f) {
				days = append(days, s.longDate(d))
			}
			if err := s.leftCourse(ctx, tx, c.ID, actor, "radiation : "+reason); err != nil {
				return err
			}
			if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditStruckOff,
				SubjectID: c.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: reason,
				Details: "radiation du cours " + e.Code + " : absences non justifiées des " + strings.Join(days, ", ")}); err != nil {
				return err
			}
			return s.tell(ctx, tx, c.AccountID, "attendance_struck_off", func(st mail.Seat) (string, string, string, error) {
				return mail.RenderStruckOff(mail.StruckOffMail{Seat: st, Days: days, Reason: reason})
			}, e)
		})
	return decided(a), err
}

func decided(a waitlist.Answer) Decided { return Decided{Already: a.Already, Offered: len(a.Next)} }

// KeepFlag records the central service's decision to keep a reported
// learner in the course, with the reason (ATT-3, ROLE-5); audited. Keeping
// again does nothing; a report struck off cannot be kept.
func (s *Service) KeepFlag(ctx context.Context, actor domain.Actor, ref FlagRef, reason string) (Decided, error) {
	if !domain.Can(actor, domain.ActStrikeOff, domain.Resource{}) {
		return Decided{}, ErrForbidden
	}
	if err := checkMotive(&reason); err != nil {
		return Decided{}, err
	}
	var d Decided
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		d = Decided{}
		if err := s.store.LockCourse(ctx, tx, ref.CourseID); err != nil {
			return err
		}
		f, err := s.store.FlagOf(ctx, tx, ref.CandidatureID, ref.CourseID, ref.Start)
		if err != nil {
			return err
		}
		switch f.Decision {
		case store.FlagKept:
			d.Already = true
			return nil
		case store.FlagStruckOff:
			return refuse("attendance.flag.struck_off")
		}
		now := s.now()
		if _, err := s.store.DecideFlag(ctx, tx, f, store.FlagKept, now, actor.AccountID, reason); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditFlagKept,
			SubjectID: f.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: f.CourseID, Reason: reason,
			Details: "maintien dans le cours après absences non justifiées du " + f.StreakStart.Format("02/01/2006") +
				" au " + f.StreakEnd.Format("02/01/2006")})
	})
	return d, err
}

// Exclude excludes a learner from course courseID with a motive (ATT-4):
// kind ExcludeAbsences only beyond three consecutive absences whatever
// their reason, ExcludeConduct always. The course's trainer (ROLE-2), its
// establishment's director (ROLE-3) or the central service may; when the
// trainer excludes, the director gets a copy. The candidature ends
// excluded, its seat goes down the waiting list, nothing is refunded, the
// reports of absences left open are closed; audited and told to the
// learner. Excluding again does nothing.
func (s *Service) Exclude(ctx context.Context, actor domain.Actor, courseID, candidatureID int64, kind, reason string) (Decided, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Decided{}, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return Decided{}, ErrNotFound
	}
	if !domain.Can(actor, domain.ActExclude, courseResource(e)) {
		return Decided{}, ErrForbidden
	}
	if kind != ExcludeAbsences && kind != ExcludeConduct {
		return Decided{}, refuse("attendance.exclude.kind")
	}
	if err := checkMotive(&reason); err != nil {
		return Decided{}, err
	}
	if s.waitlist == nil {
		return Decided{}, errNoWaitlist
	}
	why := map[string]string{ExcludeAbsences: "absences", ExcludeConduct: "comportement"}[kind]
	a, err := s.waitlist.EndForAttendance(ctx, actor, candidatureID, domain.CandidatureExcluded, domain.FreedExcluded,
		"exclusion ("+why+") : "+reason,
		func(ctx context.Context, tx *sql.Tx, c domain.Candidature, _ *catalogue.Entry) error {
			if c.AcceptedCourseID != e.ID {
				return refuse("attendance.decision.not_in_course")
			}
			meetings, err := s.store.CourseMeetings(ctx, tx, e.ID)
			if err != nil {
				return err
			}
			marks, err := s.store.CandidatureMarks(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			att := streakAttendance(meetings, marks)
			if kind == ExcludeAbsences && !att.MayExclude() {
				return refuse("attendance.exclude.absences", "Run", att.LongestAnyRun)
			}
			now := s.now()
			if _, err := s.store.RecordExclusion(ctx, tx, store.Exclusion{CandidatureID: c.ID, CourseID: e.ID, Kind: kind,
				Reason: reason, DecidedAt: now, DecidedBy: actor.AccountID}); err != nil {
				return err
			}
			if err := s.leftCourse(ctx, tx, c.ID, actor, "exclusion : "+reason); err != nil {
				return err
			}
			if err := s.store.CloseOpenFlags(ctx, tx, c.ID, store.FlagKept, now, actor.AccountID, "exclu(e) du cours : "+reason); err != nil {
				return err
			}
			if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditExcluded,
				SubjectID: c.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: reason,
				Details: "exclusion du cours " + e.Code + " (" + why + ")"}); err != nil {
				return err
			}
			if err := s.tell(ctx, tx, c.AccountID, "attendance_excluded", func(st mail.Seat) (string, string, string, error) {
				return mail.RenderExcluded(mail.ExcludedMail{Seat: st, Conduct: kind == ExcludeConduct, Reason: reason})
			}, e); err != nil {
				return err
			}
			return s.copyDirector(ctx, tx, actor, e, c, kind, reason)
		})
	return decided(a), err
}

// copyDirector sends the establishment's director a copy of an exclusion
// decided by someone else (ATT-4: the trainer excludes with the director).
func (s *Service) copyDirector(ctx context.Context, tx *sql.Tx, actor domain.Actor, e *catalogue.Entry, c domain.Candidature,
	kind, reason string) error {
	director, err := s.store.DirectorOf(ctx, tx, e.EstablishmentID)
	if err != nil || director == 0 || director == actor.AccountID {
		return err
	}
	learner, err := s.store.AccountTx(ctx, tx, c.AccountID)
	if err != nil {
		return err
	}
	by, err := s.store.AccountTx(ctx, tx, actor.AccountID)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, director, "attendance_excluded_copy", func(st mail.Seat) (string, string, string, error) {
		st.SpaceURL = s.publicURL + "/back-office/cours/" + strconv.FormatInt(e.ID, 10) + "/appel"
		return mail.RenderExclusionCopy(mail.ExclusionCopyMail{Seat: st, Learner: learner.FirstName + " " + learner.LastName,
			By: by.FirstName + " " + by.LastName, Conduct: kind == ExcludeConduct, Reason: reason})
	}, e)
}

// leftCourse tells the payment capability, when wired, that the learner
// left the course by a decision: no refund, the card revoked.
func (s *Service) leftCourse(ctx context.Context, tx *sql.Tx, candidatureID int64, actor domain.Actor, reason string) error {
	if s.left == nil {
		return nil
	}
	return s.left(ctx, tx, candidatureID, actor.AccountID, reason)
}
