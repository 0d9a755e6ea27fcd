// Package domain holds the entities of the adult-courses platform and the rules of
// SPEC.md that can be stated without I/O. It imports nothing from this module.
package domain

import (
	"fmt"
	"slices"
	"time"
)

// Establishment is a school building hosting courses (établissement).
type Establishment struct {
	ID         int64
	Code       string // stable short code, e.g. "E-11-PARMENTIER"
	Name       string
	Address    string // street address
	PostalCode string
	City       string
	District   int // arrondissement, 1..20 in Paris
	Rooms      []Room
	Archived   bool // kept for what refers to it, offered for nothing new
}

// Room is a classroom of an establishment. Workstations counts computer or
// technical posts; it caps the capacity of computer and technical courses (CAT-4).
type Room struct {
	ID              int64
	EstablishmentID int64
	Name            string
	Workstations    int
	Archived        bool
}

// Subject is the broad domain a formation belongs to, used to group the catalogue.
type Subject string

const (
	SubjectLanguages Subject = "languages"
	SubjectFLE       Subject = "fle" // French as a foreign language
	SubjectComputing Subject = "computing"
	SubjectOffice    Subject = "office"
	SubjectArts      Subject = "arts"
	SubjectSciences  Subject = "sciences"
	SubjectDiploma   Subject = "diploma"
)

// Subjects lists every subject in the brochure's order.
var Subjects = []Subject{SubjectLanguages, SubjectFLE, SubjectComputing, SubjectOffice, SubjectArts, SubjectSciences, SubjectDiploma}

// Valid reports whether s is a known subject.
func (s Subject) Valid() bool { return slices.Contains(Subjects, s) }

// Level is the level a course teaches.
type Level string

const (
	LevelAll          Level = "all" // no level (tous niveaux)
	LevelBeginner     Level = "beginner"
	LevelElementary   Level = "elementary"
	LevelIntermediate Level = "intermediate"
	LevelAdvanced     Level = "advanced"
)

// Levels lists levels from the first to the last.
var Levels = []Level{LevelAll, LevelBeginner, LevelElementary, LevelIntermediate, LevelAdvanced}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

// EvaluationMode is how candidates of a formation are evaluated (SEL-2).
type EvaluationMode string

const (
	EvaluationNone            EvaluationMode = "none"
	EvaluationFirstDayTest    EvaluationMode = "first_day_test"
	EvaluationAnticipatedTest EvaluationMode = "anticipated_test"
	EvaluationInterview       EvaluationMode = "interview"
)

// EvaluationModes lists the evaluation modes.
var EvaluationModes = []EvaluationMode{EvaluationNone, EvaluationFirstDayTest, EvaluationAnticipatedTest, EvaluationInterview}

// Valid reports whether m is a known evaluation mode.
func (m EvaluationMode) Valid() bool { return slices.Contains(EvaluationModes, m) }

// FormationKind decides how a course's capacity is set (CAT-4).
type FormationKind string

const (
	KindGeneral   FormationKind = "general"   // 20 to 25 learners
	KindComputer  FormationKind = "computer"  // 15, one per workstation
	KindTechnical FormationKind = "technical" // technical diploma: the room's workstations
)

// Valid reports whether k is a known kind.
func (k FormationKind) Valid() bool {
	return k == KindGeneral || k == KindComputer || k == KindTechnical
}

// Formation is what is taught ("Anglais", "CAP Petite enfance", "Excel").
type Formation struct {
	ID            int64
	Code          string
	Title         string
	Subject       Subject
	Level         Level
	Description   string
	Prerequisites string // plain text shown to candidates; empty when none
	Evaluation    EvaluationMode
	Diploma       bool   // CAT-7: diploma formation; candidates register for exams themselves
	DiplomaName   string // "CAP", "BEP", "Baccalauréat", "BTS" when Diploma
	// ExamNote tells candidates of a diploma formation how they register for
	// the exam and pay its fee themselves (CAT-7).
	ExamNote string
	Kind     FormationKind
	// PrerequisiteFormationID is the formation of the previous level whose
	// certificate is asked for, 0 when none.
	PrerequisiteFormationID int64
	// DefaultPriceCents is the tariff of its courses unless a course sets its
	// own (CAT-3).
	DefaultPriceCents int64
	Archived          bool
}

// SessionKind is the kind of a session (période).
type SessionKind string

const (
	SessionAnnual    SessionKind = "annual"
	SessionSemester1 SessionKind = "semester1"
	SessionSemester2 SessionKind = "semester2"
	SessionSpecial   SessionKind = "special"
)

// Valid reports whether k is a known session kind.
func (k SessionKind) Valid() bool {
	switch k {
	case SessionAnnual, SessionSemester1, SessionSemester2, SessionSpecial:
		return true
	}
	return false
}

// Session is a teaching period with its candidature and answer periods (PER-1).
// FirstDay and LastDay are civil dates (00:00 UTC). Each period opens at an
// instant (an announced hour) and closes with a Deadline: its closing date is
// open until the end of that day in Europe/Paris.
type Session struct {
	ID                int64
	Code              string // "2026-2027-ANNUEL"
	Name              string
	Kind              SessionKind
	FirstDay, LastDay time.Time
	CandidatureOpens  time.Time
	CandidatureCloses Deadline // the last day of candidatures and of their cancellation (PER-1, CAN-5)
	AnswerOpens       time.Time
	AnswerCloses      Deadline // the last day to answer an offer
	HolidaySession    bool     // CAT-5: classes go on during school and public holidays
	// Status is draft while the central service prepares the session (it is
	// not public), published once it is announced.
	Status   SessionStatus
	Archived bool
}

// SessionStatus says whether a session is public.
type SessionStatus string

const (
	SessionDraft     SessionStatus = "draft"
	SessionPublished SessionStatus = "published"
)

// Public reports whether the session and its courses are shown to the public.
func (s Session) Public() bool { return s.Status != SessionDraft && !s.Archived }

// CandidatureOpen reports whether candidatures are accepted at instant now (PER-1):
// from the opening instant included to the end of the closing day, Paris time.
func (s Session) CandidatureOpen(now time.Time) bool {
	return !now.Before(s.CandidatureOpens) && s.CandidatureCloses.Open(now)
}

// CandidatureState is where a session's candidature period stands at an
// instant: not open yet, open, or closed (PER-1). The catalogue shows it on
// every course (CAT-1) with the same rule as the basket (CandidatureOpen).
type CandidatureState int

// The candidature states, in the order a session goes through them.
const (
	CandidatureNotYetOpen CandidatureState = iota
	CandidatureIsOpen
	CandidatureClosed
)

// CandidatureStateAt says where the candidature period stands at instant now;
// it is CandidatureIsOpen exactly when CandidatureOpen(now) holds.
func (s Session) CandidatureStateAt(now time.Time) CandidatureState {
	switch {
	case s.CandidatureOpen(now):
		return CandidatureIsOpen
	case now.Before(s.CandidatureOpens):
		return CandidatureNotYetOpen
	}
	return CandidatureClosed
}

// MayCancel reports whether a validated candidature of this session can be
// cancelled at instant now: until the end of the candidature period's closing
// day, Paris time, and not after (CAN-5).
func (s Session) MayCancel(now time.Time) bool { return s.CandidatureCloses.Open(now) }

// Validate checks that the session's dates are coherent (PER-1). Messages are French
// because the central service reads them when it creates a session.
func (s Session) Validate() error {
	switch {
	case s.Code == "" || s.Name == "":
		return fmt.Errorf("la session doit avoir un code et un nom")
	case !s.Kind.Valid():
		return fmt.Errorf("type de session inconnu : %q", s.Kind)
	case s.LastDay.Before(s.FirstDay):
		return fmt.Errorf("la session %s se termine avant de commencer", s.Code)
	case s.CandidatureCloses.IsZero() || !s.CandidatureOpens.Before(s.CandidatureCloses.End()):
		return fmt.Errorf("la période de candidature de %s doit s'ouvrir avant de se fermer", s.Code)
	case s.AnswerCloses.IsZero() || !s.AnswerOpens.Before(s.AnswerCloses.End()):
		return fmt.Errorf("la période de réponse de %s doit s'ouvrir avant de se fermer", s.Code)
	case s.AnswerOpens.Before(s.CandidatureCloses.End()):
		return fmt.Errorf("la période de réponse de %s doit suivre la fin des candidatures", s.Code)
	}
	return nil
}

// Course is one class of a formation (CAT-3).
type Course struct {
	ID              int64
	Code            string
	FormationID     int64
	EstablishmentID int64
	RoomID          int64
	SessionID       int64
	Weekday         time.Weekday
	StartMinute     int // minutes after midnight, Paris time
	EndMinute       int
	Level           Level
	Capacity        int
	Enrolled        int // places taken; Capacity-Enrolled are left
	Trainer         string
	PriceCents      int64 // full tariff
	ReducedCents    int64 // half tariff (CAN-9, PAY-5): HalfTariff(PriceCents)
	Remote          bool  // CAT-6: delivered remotely (distanciel)
	// OwnPrice is set when the course has its own tariff; otherwise it follows
	// its formation's default tariff (CAT-3).
	OwnPrice         bool
	TrainerAccountID int64  // the trainer's staff account, 0 when not named yet
	RemoteReason     string // why the course was last switched to remote or back (CAT-6)
	Archived         bool
}

// HalfTariff is the half tariff of a full tariff: half, rounded down to the
// cent (CAN-9, PAY-5).
func HalfTariff(cents int64) int64 { return cents / 2 }

// PlacesLeft is the number of seats still free, never negative.
func (c Course) PlacesLeft() int {
	if c.Enrolled >= c.Capacity {
		return 0
	}
	return c.Capacity - c.Enrolled
}

// Validate checks a course on its own. Room-dependent capacity rules are in
// CheckCapacity (CAT-4).
func (c Course) Validate() error {
	switch {
	case c.Weekday < time.Sunday || c.Weekday > time.Saturday:
		return fmt.Errorf("jour de cours invalide pour %s", c.Code)
	case c.StartMinute < 0 || c.EndMinute > 24*60 || c.StartMinute >= c.EndMinute:
		return fmt.Errorf("horaires invalides pour %s : le cours doit finir après avoir commencé", c.Code)
	case c.PriceCents < 0 || c.ReducedCents < 0 || c.ReducedCents > c.PriceCents:
		return fmt.Errorf("tarifs invalides pour %s", c.Code)
	case !c.Level.Valid():
		return fmt.Errorf("niveau inconnu pour %s : %q", c.Code, c.Level)
	}
	return nil
}

// TimeOfDay is a coarse slot used by catalogue searches.
type TimeOfDay string

const (
	Morning   TimeOfDay = "morning"   // starts before 12:00
	Afternoon TimeOfDay = "afternoon" // starts 12:00 to 17:59
	Evening   TimeOfDay = "evening"   // starts 18:00 or later
)

// SlotOf classifies a start time.
func SlotOf(startMinute int) TimeOfDay {
	switch {
	case startMinute < 12*60:
		return Morning
	case startMinute < 18*60:
		return Afternoon
	}
	return Evening
}

// FormatClock writes minutes after midnight the French way: "18h30", "9h00".
func FormatClock(minute int) string {
	return fmt.Sprintf("%dh%02d", minute/60, minute%60)
}
