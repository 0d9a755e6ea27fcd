package attendance

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// MaxReasonLength bounds a justification or a cancellation's reason.
const MaxReasonLength = 200

// RegisterRow is one learner on a meeting's register.
type RegisterRow struct {
	CandidatureID       int64
	FirstName, LastName string
	Mark                domain.Mark // the mark saved, else present: the register starts with everyone present
	Reason              string
	Marked              bool // a mark was saved
	Attendance          domain.Attendance
}

// Register is one meeting's register, with a fresh key for its form.
type Register struct {
	Course  *catalogue.Entry
	Meeting MeetingLine
	Rows    []RegisterRow
	Key     string
	// MayMark: the meeting has begun (marks are for today or the past; a
	// meeting to come can only be cancelled).
	MayMark bool
}

// Register reads the register of course courseID's meeting on day (ATT-1):
// the learners in the course on that day, and those marked on it before.
func (s *Service) Register(ctx context.Context, actor domain.Actor, courseID int64, day time.Time) (Register, error) {
	ix, e, err := s.staffCourse(ctx, actor, courseID)
	if err != nil {
		return Register{}, err
	}
	r, err := s.registers(ctx, ix, e)
	if err != nil {
		return Register{}, err
	}
	line, ok := meetingOn(r.Meetings, day)
	if !ok {
		return Register{}, refuse("attendance.day.not_meeting")
	}
	reg := Register{Course: e, Meeting: line, Key: rand.Text(), MayMark: !line.Day.After(parisDay(s.now()))}
	var marks map[int64]store.MarkRow
	if line.Taken || line.Cancelled {
		if m, err := s.meeting(ctx, e.ID, line.Day); err != nil {
			return Register{}, err
		} else if marks, err = s.store.MeetingMarks(ctx, nil, m.ID); err != nil {
			return Register{}, err
		}
	}
	for _, l := range r.Learners {
		mark, marked := marks[l.CandidatureID]
		if !marked && !onRegister(l.RegisterLearner, line.Day) {
			continue
		}
		row := RegisterRow{CandidatureID: l.CandidatureID, FirstName: l.FirstName, LastName: l.LastName,
			Mark: domain.MarkPresent, Marked: marked, Attendance: l.Attendance}
		if marked {
			row.Mark, row.Reason = mark.Mark, mark.Reason
		}
		reg.Rows = append(reg.Rows, row)
	}
	return reg, nil
}

// onRegister reports whether a learner is on a meeting's register: in the
// course now, having joined on or before that day.
func onRegister(l store.RegisterLearner, day time.Time) bool {
	return l.InCourse && (l.Joined.IsZero() || !parisDay(l.Joined).After(day))
}

func meetingOn(lines []MeetingLine, day time.Time) (MeetingLine, bool) {
	day = parisDay(day)
	for _, l := range lines {
		if l.Day.Equal(day) && l.Holiday == "" {
			return l, true
		}
	}
	return MeetingLine{}, false
}

// meeting reads the stored meeting of a course's day.
func (s *Service) meeting(ctx context.Context, courseID int64, day time.Time) (store.Meeting, error) {
	all, err := s.store.CourseMeetings(ctx, nil, courseID)
	if err != nil {
		return store.Meeting{}, err
	}
	for _, m := range all {
		if m.Day.Equal(day) {
			return m, nil
		}
	}
	return store.Meeting{}, ErrNotFound
}

// Entry is one learner's mark as a register form sends it.
type Entry struct {
	CandidatureID int64
	Mark          domain.Mark
	Reason        string
}

// Submission is a register form: its key, how long the meeting was held,
// whether it was cancelled (and why), and the marks.
type Submission struct {
	Key          string
	Minutes      int // 0: as scheduled
	Cancelled    bool
	CancelReason string
	Marks        []Entry
}

// Saved is what a save did.
type Saved struct {
	// Already: a form with this key was saved before; nothing changed.
	Already bool
	// Changed counts the marks that replaced another (audited).
	Changed int
	// Flagged are the candidatures newly reported to the central service
	// (ATT-3).
	Flagged []int64
}

// Save records a meeting's register (ATT-1) in one transaction: idempotent
// on the form's key; a mark that replaces another is audited with the
// previous one (a correction, or another device's register saved first); a
// meeting newly cancelled is told to its learners (REF-4); a learner whose
// absences without a valid reason reach three in a row is reported to the
// central service and told (ATT-3).
func (s *Service) Save(ctx context.Context, actor domain.Actor, courseID int64, day time.Time, sub Submission) (Saved, error) {
	ix, e, err := s.staffCourse(ctx, actor, courseID)
	if err != nil {
		return Saved{}, err
	}
	if err := s.check(&sub); err != nil {
		return Saved{}, err
	}
	now := s.now()
	today := parisDay(now)
	day = parisDay(day)
	// Read before the transaction, from the read pool (a transaction holding
	// its connection while it waits for another would starve the pool under
	// load): the calendar and the learners only change with the catalogue
	// and the lists, not with registers, and the marks are read under the
	// course's lock.
	r, err := s.readRegisters(ctx, ix, e, false)
	if err != nil {
		return Saved{}, err
	}
	line, ok := meetingOn(r.Meetings, day)
	if !ok {
		return Saved{}, refuse("attendance.day.not_meeting")
	}
	if !sub.Cancelled && day.After(today) {
		return Saved{}, refuse("attendance.day.future")
	}
	minutes := line.Minutes
	if sub.Minutes > 0 {
		minutes = sub.Minutes
	}
	var saved Saved
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		saved = Saved{}
		// The course's lock first, the one a strike-off takes (decide.go):
		// a correction and a strike-off of the same streak take turns.
		if err := s.store.LockCourse(ctx, tx, e.ID); err != nil {
			return err
		}
		m, fresh, err := s.store.TakeMeeting(ctx, tx, store.Meeting{CourseID: e.ID, Day: day, Minutes: minutes, TakenAt: now,
			TakenBy: actor.AccountID})
		if err != nil {
			return err
		}
		if recorded, err := s.store.RecordSubmission(ctx, tx, sub.Key, m.ID, now, actor.AccountID); err != nil {
			return err
		} else if !recorded { // a form resubmitted, or racing itself: undo the meeting it may have created
			return errAlreadySaved
		}
		if err := s.saveMeeting(ctx, tx, actor, e, m, minutes, sub, r.Learners); err != nil {
			return err
		}
		if sub.Cancelled {
			return nil
		}
		return s.saveMarks(ctx, tx, actor, e, r, m, fresh, sub.Marks, today, &saved)
	})
	if errors.Is(err, errAlreadySaved) {
		return Saved{Already: true}, nil
	}
	return saved, err
}

// errAlreadySaved rolls back the transaction of a register form whose key
// was saved before.
var errAlreadySaved = errors.New("register form saved before")

// check validates a form before anything is read.
func (s *Service) check(sub *Submission) error {
	sub.Key = strings.TrimSpace(sub.Key)
	if sub.Key == "" || len(sub.Key) > 64 {
		return refuse("attendance.key")
	}
	if sub.Minutes < 0 || sub.Minutes > 600 {
		return refuse("attendance.minutes", "Max", 600)
	}
	sub.CancelReason = strings.TrimSpace(sub.CancelReason)
	if sub.Cancelled && sub.CancelReason == "" {
		return refuse("attendance.cancel.reason")
	}
	if len([]rune(sub.CancelReason)) > MaxReasonLength {
		return refuse("attendance.reason_long", "Max", MaxReasonLength)
	}
	seen := map[int64]bool{}
	for i := range sub.Marks {
		en := &sub.Marks[i]
		en.Reason = strings.TrimSpace(en.Reason)
		if !en.Mark.Valid() || seen[en.CandidatureID] {
			return refuse("attendance.mark")
		}
		seen[en.CandidatureID] = true
		if len([]rune(en.Reason)) > MaxReasonLength {
			return refuse("attendance.reason_long", "Max", MaxReasonLength)
		}
		if en.Mark != domain.MarkExcused {
			en.Reason = ""
		}
	}
	return nil
}

// saveMeeting records the meeting's length and cancellation; a change of
// either on a register already taken is audited, and a meeting newly
// cancelled is told to each learner of the course.
func (s *Service) saveMeeting(ctx context.Context, tx *sql.Tx, actor domain.Actor, e *catalogue.Entry, m store.Meeting,
	minutes int, sub Submission, learners []LearnerLine) error {
	before := m
	m.Minutes, m.Cancelled, m.CancelReason = minutes, sub.Cancelled, ""
	if sub.Cancelled {
		m.CancelReason = sub.CancelReason
	}
	if m == before {
		return nil // as TakeMeeting wrote it, or as it was
	}
	if err := s.store.UpdateMeeting(ctx, tx, m); err != nil {
		return err
	}
	ev := domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID,
		Action: domain.AuditMeetingChanged, Reason: m.CancelReason,
		Details: "séance du " + m.Day.Format("02/01/2006") + " (" + e.Code + ")"}
	switch {
	case m.Cancelled && !before.Cancelled:
		ev.Action = domain.AuditMeetingCancelled
		ev.Details = "séance du " + m.Day.Format("02/01/2006") + " annulée (" + e.Code + ")"
		if err := s.tellCancelled(ctx, tx, e, m, learners); err != nil {
			return err
		}
	case before.Cancelled && !m.Cancelled:
		ev.Details += " : annulation levée"
	case m.Minutes != before.Minutes:
		ev.Details += " : durée " + strconv.Itoa(before.Minutes) + " → " + strconv.Itoa(m.Minutes) + " min"
	}
	return s.store.RecordAudit(ctx, tx, ev)
}

// tellCancelled tells each learner of the course that a meeting is
// cancelled (REF-4: neither refunded nor made up).
func (s *Service) tellCancelled(ctx context.Context, tx *sql.Tx, e *catalogue.Entry, m store.Meeting, learners []LearnerLine) error {
	for _, ll := range learners {
		l := ll.RegisterLearner
		if !onRegister(l, m.Day) && !(l.InCourse && m.Day.After(parisDay(s.now()))) {
			continue
		}
		if err := s.tell(ctx, tx, l.AccountID, "meeting_cancelled", func(st mail.Seat) (string, string, string, error) {
			return mail.RenderMeetingCancelled(mail.MeetingCancelledMail{Seat: st, Day: s.longDate(m.Day), Reason: m.CancelReason})
		}, e); err != nil {
			return err
		}
	}
	return nil
}

// saveMarks writes the marks that changed, audits those that replace
// another, and reports the streaks of absences without a valid reason.
func (s *Service) saveMarks(ctx context.Context, tx *sql.Tx, actor domain.Actor, e *catalogue.Entry, r Registers, m store.Meeting,
	fresh bool, entries []Entry, today time.Time, saved *Saved) error {
	before := map[int64]store.MarkRow{}
	if !fresh { // a meeting just taken has no marks yet
		var err error
		if before, err = s.store.MeetingMarks(ctx, tx, m.ID); err != nil {
			return err
		}
	}
	learners := map[int64]LearnerLine{}
	for _, l := range r.Learners {
		learners[l.CandidatureID] = l
	}
	now := s.now()
	var absent []int64
	var changed []store.MarkRow
	for _, en := range entries {
		l, ok := learners[en.CandidatureID]
		_, had := before[en.CandidatureID]
		if !ok || !had && !onRegister(l.RegisterLearner, m.Day) {
			return refuse("attendance.not_on_register")
		}
		old, had := before[en.CandidatureID]
		if had && old.Mark == en.Mark && old.Reason == en.Reason {
			continue
		}
		changed = append(changed, store.MarkRow{MeetingID: m.ID, CandidatureID: en.CandidatureID, Mark: en.Mark,
			Reason: en.Reason, MarkedAt: now, MarkedBy: actor.AccountID})
		if en.Mark == domain.MarkAbsent { // only an absence without a reason can start or lengthen a streak
			absent = append(absent, en.CandidatureID)
		}
		if !had {
			continue
		}
		saved.Changed++
		when := ""
		if today.After(m.Day) {
			when = ", corrigée après le jour de la séance"
		}
		if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditAttendanceCorrected,
			SubjectID: l.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: en.Reason,
			Details: "séance du " + m.Day.Format("02/01/2006") + " (" + e.Code + ") : " + markWord(old.Mark) + " → " + markWord(en.Mark) +
				when + " ; marque précédente du " + old.MarkedAt.In(domain.Paris()).Format("02/01/2006 15:04")}); err != nil {
			return err
		}
	}
	if err := s.store.SetMarks(ctx, tx, changed); err != nil {
		return err
	}
	return s.flagStreaks(ctx, tx, e, m, absent, now, saved)
}

// flagStreaks reports to the central service, once per streak, those of
// learners whose absences without a valid reason now reach three in a row
// (ATT-3), and tells them with the days of the absences.
func (s *Service) flagStreaks(ctx context.Context, tx *sql.Tx, e *catalogue.Entry, m store.Meeting, absent []int64, now time.Time,
	saved *Saved) error {
	if len(absent) == 0 {
		return nil
	}
	meetings, byLearner, err := s.store.CourseAttendance(ctx, tx, e.ID, absent)
	if err != nil {
		return err
	}
	for _, cand := range absent {
		marks := byLearner[cand]
		var records []domain.MeetingRecord
		for _, mt := range meetings {
			mark, ok := marks[mt.ID]
			records = append(records, domain.MeetingRecord{Day: mt.Day, Minutes: mt.Minutes, Cancelled: mt.Cancelled, Marked: ok, Mark: mark})
		}
		a := domain.ComputeAttendance(records, 0)
		for _, st := range a.Streaks {
			fresh, err := s.store.FlagStreak(ctx, tx, cand, e.ID, st, now)
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			saved.Flagged = append(saved.Flagged, cand)
			var days []string
			for _, mt := range meetings {
				if !mt.Cancelled && !mt.Day.Before(st.Start) && !mt.Day.After(st.End) && marks[mt.ID] == domain.MarkAbsent {
					days = append(days, s.longDate(mt.Day))
				}
			}
			c, err := s.store.Candidature(ctx, tx, cand)
			if err != nil {
				return err
			}
			if err := s.tell(ctx, tx, c.AccountID, "attendance_flagged", func(seat mail.Seat) (string, string, string, error) {
				return mail.RenderAbsencesFlagged(mail.AbsencesMail{Seat: seat, Days: days})
			}, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// markWord is a mark in the audit trail's French.
func markWord(m domain.Mark) string {
	switch m {
	case domain.MarkPresent:
		return "présent(e)"
	case domain.MarkLate:
		return "en retard"
	case domain.MarkAbsent:
		return "absent(e)"
	case domain.MarkExcused:
		return "absent(e) justifié(e)"
	}
	return string(m)
}
