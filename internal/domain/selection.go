package domain

import "time"

// Sitting is one sitting of a formation's anticipated test or interview
// (SEL-2): a date and time, a place, a number of seats. Once its
// convocations are sent (ConvokedAt set) its date cannot change.
type Sitting struct {
	ID, SessionID, FormationID, EstablishmentID int64
	Room                                        string // where in the establishment, as staff wrote it
	StartsAt                                    time.Time
	Minutes                                     int
	Seats                                       int
	CreatedBy                                   int64
	CreatedAt                                   time.Time
	ConvokedAt                                  time.Time // zero until the convocations are sent
}

// Convoked reports whether the sitting's convocations are sent: its date is
// then fixed (SEL-2).
func (s Sitting) Convoked() bool { return !s.ConvokedAt.IsZero() }

// Convocation is a candidature's nominative convocation (SEL-2): to a
// sitting, or to the first class for a first-day test (SittingID 0). Its
// date and place are copied when it is sent and never change.
type Convocation struct {
	CandidatureID int64
	SittingID     int64 // 0: the first-day test, at the course's first class
	CourseID      int64
	At            time.Time
	Place         string
	SentAt        time.Time
	MessageID     int64
}

// ResultKind is what a test or interview gave (SEL-2).
type ResultKind string

const (
	ResultScore  ResultKind = "score"  // a mark out of MaxScore
	ResultPass   ResultKind = "pass"   // passed (an interview, a pass/fail test)
	ResultFail   ResultKind = "fail"   // not passed: the candidature is not retained
	ResultAbsent ResultKind = "absent" // absent: withdrawn (désistement), without exception
)

// ResultKinds lists the kinds of result.
var ResultKinds = []ResultKind{ResultScore, ResultPass, ResultFail, ResultAbsent}

// MaxScore is the top mark of a test (French marks are out of 20).
const MaxScore = 20

// TestResult is the result of a candidature's test or interview, and the
// level it placed the candidate in (SEL-3; 0 = the chosen course's level).
type TestResult struct {
	CandidatureID int64
	Kind          ResultKind
	Score         int // 0..MaxScore when Kind is ResultScore
	PlacedLevel   int
	EnteredBy     int64
	EnteredAt     time.Time
	// NeedsDecision: changed after the run that used it was published; the
	// central service decides whether to re-run the formation.
	NeedsDecision bool
}

// Check returns the message key of what is wrong with the result, or "".
func (r TestResult) Check() string {
	switch {
	case r.Kind != ResultScore && r.Kind != ResultPass && r.Kind != ResultFail && r.Kind != ResultAbsent:
		return "selection.result.kind_invalid"
	case r.Kind == ResultScore && (r.Score < 0 || r.Score > MaxScore):
		return "selection.result.score_range"
	case r.PlacedLevel < 0 || r.PlacedLevel >= len(Levels): // 0 none, else a place in Levels (1 beginner … 4 advanced)
		return "selection.result.level_invalid"
	case r.Kind == ResultAbsent && r.PlacedLevel != 0:
		return "selection.result.absent_level"
	}
	return ""
}

// Evaluation is the result as the engine weighs it (SEL-1: it prevails over
// everything else): the mark, or a pass above any mark; 0 for no result.
func (r TestResult) Evaluation() int16 {
	switch r.Kind {
	case ResultScore:
		return int16(r.Score)
	case ResultPass:
		return MaxScore + 1
	}
	return 0
}

// RunPass is which decision a selection run makes for its session.
type RunPass string

const (
	// PassMain decides the session; candidatures of formations whose test is
	// on the first day come out "convoqué(e) au test du premier jour".
	PassMain RunPass = "main"
	// PassPlacement places those candidates after their first-day test (SEL-3).
	PassPlacement RunPass = "placement"
)

// RunStatus is where a selection run stands.
type RunStatus string

const (
	RunRunning   RunStatus = "running"   // deciding; its heartbeat says it is alive
	RunDry       RunStatus = "dry"       // decided, not published: a dry run to review
	RunPublished RunStatus = "published" // published: the candidatures carry its outcomes
	RunFailed    RunStatus = "failed"    // stopped by an error or abandoned
)

// Run is one selection run of a session.
type Run struct {
	ID, SessionID int64
	Pass          RunPass
	Status        RunStatus
	Seed          uint64
	Digest        string // "sha256:…" of the engine's canonical input
	StartedBy     int64
	StartedAt     time.Time
	HeartbeatAt   time.Time
	FinishedAt    time.Time
	PublishedBy   int64
	PublishedAt   time.Time
	Progress      string // the message key of the stage under way
	Done, Total   int
	Error         string
	Summary       string // JSON: per-course results and fairness (the report)
}

// Outcome is what a run decided for one candidature.
type Outcome string

const (
	OutcomeAccepted     Outcome = "accepted"
	OutcomeWaiting      Outcome = "waiting"
	OutcomeIneligible   Outcome = "ineligible"
	OutcomeWithdrawn    Outcome = "withdrawn"
	OutcomeNotRetained  Outcome = "not_retained"
	OutcomeFirstDayTest Outcome = "first_day_test"
)

// Status is the candidature status an outcome gives once published.
func (o Outcome) Status() CandidatureStatus {
	switch o {
	case OutcomeAccepted:
		return CandidatureAccepted
	case OutcomeWaiting:
		return CandidatureWaiting
	case OutcomeIneligible:
		return CandidatureIneligible
	case OutcomeWithdrawn:
		return CandidatureWithdrawn
	case OutcomeNotRetained:
		return CandidatureNotRetained
	case OutcomeFirstDayTest:
		return CandidatureFirstDayTest
	}
	return ""
}

// RunOutcome is one candidature's outcome in a run, with what explains it:
// the priority the engine gave it (SEL-1), the gate that failed, the courses
// removed for a slot clash (CAN-3), and its waiting positions.
type RunOutcome struct {
	RunID, CandidatureID int64
	Outcome              Outcome
	CourseID             int64 // accepted in
	Redirected           bool  // SEL-5
	Placed               bool  // SEL-3: another level than the chosen course's
	Gate                 string
	Evaluation           int
	Social               int // allocation.Social bits
	Record               int
	Motivation           int
	Lottery              uint64
	Removed              []int64 // courses removed for a clash (CAN-3)
	Waiting              []WaitingPlace
}

// WaitingPlace is a position on a course's waiting list (1 = the next called).
type WaitingPlace struct {
	CourseID int64
	Position int
}
