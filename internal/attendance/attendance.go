// Package attendance owns the registers of class meetings (ATT-1..4): the
// trainer marks each learner present, late, absent or absent with a
// justification, on a phone in class; a meeting cancelled one-off counts for
// nobody (REF-4). From the marks come each learner's attendance rate and
// whether 75 % can still be reached (ATT-2), and the streaks of absences
// without a valid reason reported to the central service (ATT-3), which
// strikes off or keeps; the trainer or the director may exclude (ATT-4).
//
// Saving a register is one transaction, idempotent on the key its form
// carries: a form sent again after a lost connection records once; two
// devices saving the same register take turns on the meeting's lock, the
// later one's marks stand and the earlier ones are in the audit trail.
//
// The attestation d'assiduité (ATT-2) is delivered on the learner's request
// at 75 % or more, recorded once per last meeting counted and verified by
// the signed token of its QR code; certificates of competences (CER-2) sign
// theirs with their own key.
//
// Reading order: attendance.go (the service, the course's registers),
// register.go (one meeting's register and its save), decide.go (strike-offs
// and exclusions), learner.go (what a learner sees), attestation.go (the
// attestation d'assiduité, the certificates' tokens).
package attendance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"cma/internal/calendar"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// Errors the web layer answers with a status.
var (
	ErrForbidden = errors.New("attendance: forbidden")
	ErrNotFound  = domain.ErrNotFound
)

// Refusal is a step refused for a reason the person can read: a message key
// of the locales and its arguments (i18n.Keyed).
type Refusal struct {
	Key  string
	Args map[string]any
}

func (r *Refusal) Error() string               { return "attendance: " + r.Key }
func (r *Refusal) MessageKey() string          { return r.Key }
func (r *Refusal) MessageArgs() map[string]any { return r.Args }

func refuse(key string, kv ...any) *Refusal {
	r := &Refusal{Key: key}
	if len(kv) > 0 {
		r.Args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return r
}

// Deps is what the service needs.
type Deps struct {
	Store     *store.Store
	Catalogue *catalogue.Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	Now       func() time.Time
	PublicURL string // for the emails' links
	Log       *slog.Logger
	// Waitlist frees the seat of a learner struck off or excluded (ATT-3,
	// ATT-4) down the course's waiting list.
	Waitlist *waitlist.Service
	// Left, when set, is told in the same transaction that a learner left
	// the course by a decision (ATT-3, ATT-4), with its reason: app wires
	// the payment capability's (no refund; the learner card revoked).
	Left func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
}

// Service keeps the registers.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog
	now       func() time.Time
	publicURL string
	log       *slog.Logger
	waitlist  *waitlist.Service
	left      func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
}

// New makes the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, now: d.Now,
		publicURL: d.PublicURL, log: d.Log, waitlist: d.Waitlist, left: d.Left}
}

// MeetingLine is one class meeting of a course's calendar as its registers
// see it.
type MeetingLine struct {
	Day          time.Time // civil date
	Start, End   time.Time // in Europe/Paris
	Minutes      int       // as held (the register's), else as scheduled
	Holiday      string    // the closure's name: no meeting that day (CAT-5)
	Taken        bool      // the register was saved
	Cancelled    bool
	CancelReason string
	// Due: the meeting has begun (today or past), not cancelled, and its
	// register was never taken.
	Due bool
	// Present and Absent count the marks of a taken register.
	Present, Absent int
}

// LearnerLine is a learner of the course with their attendance.
type LearnerLine struct {
	store.RegisterLearner
	Attendance domain.Attendance
	// AtRisk: 75 % can no longer be reached, or a streak of absences without
	// a valid reason is reported (ATT-2, ATT-3).
	AtRisk bool
	// Attestation is the learner's last attestation d'assiduité (ATT-2),
	// ID 0 when none; filled by Registers for the director and the central
	// service only (ROLE-3, ROLE-5).
	Attestation store.AttendanceAttestation
}

// Registers is a course's registers: its meetings and its learners'
// attendance, for the trainer, the director and the central service.
type Registers struct {
	Course   *catalogue.Entry
	Meetings []MeetingLine
	Learners []LearnerLine
	// Running: the course's last meeting is not past yet (the ★ of ATT-2
	// matters while it runs).
	Running bool
}

// Registers reads a course's registers (ATT-1, ATT-2): ROLE-2 for the
// trainer's own course, ROLE-3 for the director's establishment, ROLE-5.
func (s *Service) Registers(ctx context.Context, actor domain.Actor, courseID int64) (Registers, error) {
	ix, e, err := s.staffCourse(ctx, actor, courseID)
	if err != nil {
		return Registers{}, err
	}
	r, err := s.registers(ctx, ix, e)
	if err != nil || !domain.Can(actor, domain.ActAttendanceDocuments, courseResource(e)) || len(r.Learners) == 0 {
		return r, err
	}
	cands := make([]int64, len(r.Learners))
	for i, l := range r.Learners {
		cands[i] = l.CandidatureID
	}
	latest, err := s.store.LatestAttendanceAttestations(ctx, cands)
	if err != nil {
		return Registers{}, err
	}
	for i := range r.Learners {
		r.Learners[i].Attestation = latest[r.Learners[i].CandidatureID]
	}
	return r, nil
}

func (s *Service) registers(ctx context.Context, ix *catalogue.Index, e *catalogue.Entry) (Registers, error) {
	return s.readRegisters(ctx, ix, e, true)
}

// readRegisters reads a course's calendar with its registers and its
// learners; withMarks false leaves out the marks, the counts and each
// learner's attendance, which saving a register does not need (it reads the
// marks again under the course's lock).
func (s *Service) readRegisters(ctx context.Context, ix *catalogue.Index, e *catalogue.Entry, withMarks bool) (Registers, error) {
	taken, err := s.store.CourseMeetings(ctx, nil, e.ID)
	if err != nil {
		return Registers{}, err
	}
	var marks []store.MarkRow
	if withMarks {
		if marks, err = s.store.CourseMarks(ctx, nil, e.ID); err != nil {
			return Registers{}, err
		}
	}
	learners, err := s.store.RegisterLearners(ctx, e.ID)
	if err != nil {
		return Registers{}, err
	}
	today := parisDay(s.now())
	lines := s.meetingLines(ix, e, taken, marks, today)
	r := Registers{Course: e, Meetings: lines}
	if n := len(lines); n > 0 && !lines[n-1].Day.Before(today) {
		r.Running = true
	}
	if !withMarks {
		for _, l := range learners {
			r.Learners = append(r.Learners, LearnerLine{RegisterLearner: l})
		}
		return r, nil
	}
	byCand := marksByLearner(marks)
	for _, l := range learners {
		a := learnerAttendance(lines, taken, byCand[l.CandidatureID], l, today)
		r.Learners = append(r.Learners, LearnerLine{RegisterLearner: l, Attendance: a,
			AtRisk: l.InCourse && (a.Flagged() || r.Running && !a.Reachable())})
	}
	return r, nil
}

// marksByLearner groups a course's marks by candidature, then meeting.
func marksByLearner(marks []store.MarkRow) map[int64]map[int64]domain.Mark {
	out := map[int64]map[int64]domain.Mark{}
	for _, m := range marks {
		if out[m.CandidatureID] == nil {
			out[m.CandidatureID] = map[int64]domain.Mark{}
		}
		out[m.CandidatureID][m.MeetingID] = m.Mark
	}
	return out
}

// meetingLines lists the course's calendar with what its registers say.
func (s *Service) meetingLines(ix *catalogue.Index, e *catalogue.Entry, taken []store.Meeting, marks []store.MarkRow,
	today time.Time) []MeetingLine {
	byDay := make(map[time.Time]store.Meeting, len(taken))
	for _, m := range taken {
		byDay[m.Day] = m
	}
	present, absent := map[int64]int{}, map[int64]int{}
	for _, m := range marks {
		if m.Mark.Attended() {
			present[m.MeetingID]++
		} else {
			absent[m.MeetingID]++
		}
	}
	var out []MeetingLine
	for _, m := range ix.Meetings(e, domain.Paris()) {
		l := MeetingLine{Day: m.Date, Start: m.Start, End: m.End, Minutes: int(m.End.Sub(m.Start) / time.Minute)}
		if m.Skipped {
			l.Holiday = m.Reason
			out = append(out, l)
			continue
		}
		if t, ok := byDay[m.Date]; ok {
			l.Taken, l.Minutes, l.Cancelled, l.CancelReason = !t.Cancelled, t.Minutes, t.Cancelled, t.CancelReason
			l.Present, l.Absent = present[t.ID], absent[t.ID]
		}
		l.Due = !l.Taken && !l.Cancelled && !m.Date.After(today)
		out = append(out, l)
	}
	return out
}

// learnerAttendance computes a learner's attendance from the course's
// meetings (ATT-2, ATT-3): the registers taken with their mark, and, while
// they are in the course, the meetings not taken yet from the day they
// joined as what may still count.
func learnerAttendance(lines []MeetingLine, taken []store.Meeting, marks map[int64]domain.Mark, l store.RegisterLearner,
	today time.Time) domain.Attendance {
	var records []domain.MeetingRecord
	for _, m := range taken {
		mark, ok := marks[m.ID]
		records = append(records, domain.MeetingRecord{Day: m.Day, Minutes: m.Minutes, Cancelled: m.Cancelled, Marked: ok, Mark: mark})
	}
	toCome := 0
	if l.InCourse {
		joined := parisDay(l.Joined)
		for _, m := range lines {
			if m.Holiday == "" && !m.Taken && !m.Cancelled && (l.Joined.IsZero() || !m.Day.Before(joined)) {
				toCome += m.Minutes
			}
		}
	}
	return domain.ComputeAttendance(records, toCome)
}

// staffCourse reads course courseID and checks the actor may keep its
// registers.
func (s *Service) staffCourse(ctx context.Context, actor domain.Actor, courseID int64) (*catalogue.Index, *catalogue.Entry, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, nil, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if !domain.Can(actor, domain.ActKeepRegister, courseResource(e)) {
		return nil, nil, ErrForbidden
	}
	return ix, e, nil
}

func courseResource(e *catalogue.Entry) domain.Resource {
	return domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}
}

// parisDay is the civil date of t in Europe/Paris, at 00:00 UTC.
func parisDay(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return calendar.ToDay(t.In(domain.Paris()))
}

func (s *Service) printer() *i18n.Printer {
	if s.words == nil {
		return nil
	}
	return s.words.Printer(i18n.French)
}

func (s *Service) weekday(d time.Weekday) string {
	if p := s.printer(); p != nil {
		return p.T("weekday." + strconv.Itoa(int(d)))
	}
	return d.String()
}

// longDate is a civil date as the emails write it: "lundi 12/10/2026".
func (s *Service) longDate(d time.Time) string {
	return s.weekday(d.Weekday()) + " " + d.Format("02/01/2006")
}

var errNoOutbox = errors.New("attendance: no outbox to tell the learner")

// tell writes an email in the person's space and queues it, in tx (CON-2).
func (s *Service) tell(ctx context.Context, tx *sql.Tx, accountID int64, kind string,
	render func(mail.Seat) (subject, text, html string, err error), e *catalogue.Entry) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	person, err := s.store.AccountTx(ctx, tx, accountID)
	if err != nil {
		return err
	}
	subject, text, html, err := render(e.Seat(person.FirstName, s.publicURL+"/mon-parcours", s.weekday))
	if err != nil {
		return err
	}
	return s.outbox.Keep(ctx, tx, &domain.Message{AccountID: accountID, Kind: kind, Subject: subject, Text: text, HTML: html,
		CreatedAt: s.now()})
}
