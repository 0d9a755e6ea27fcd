// Package allocation is the selection engine: for one session it decides, from
// the candidatures and the courses' capacities, who is accepted in which
// course, who waits (and where), and who is not eligible — and it explains every
// outcome.
//
// The package is pure (DESIGN.md §2): no database, no HTTP, no clock, no
// randomness other than the run's seed, and it imports nothing internal. The
// same Input gives the same Result on every machine, whatever the order of the
// records in it (PER-2: submission order never plays a part).
//
// Reading order, top to bottom:
//
//   - input.go      what the engine is given, and the typed errors for bad input;
//   - priority.go   the priority of a candidature for a course (SEL-1) and the lottery;
//   - calls.go      the order of calls with a minimum rate of social-criteria
//     candidates (Parcoursup's "ordre d'appel");
//   - lists.go      each candidature's list of courses: placement (SEL-3), redirects (SEL-5);
//   - allocate.go   Run: candidate-proposing deferred acceptance;
//   - clash.go      no two held courses on overlapping slots (CAN-3);
//   - result.go     outcomes, cut-offs, waiting positions;
//   - explain.go    the readable explanation of each outcome;
//   - fairness.go   the per-formation fairness summary;
//   - digest.go     the canonical digest of the input, for re-runs;
//   - synthetic.go  a realistic synthetic session (simulation, benchmarks).
package allocation

import (
	"fmt"
	"time"
)

// CandidateID, FormationID and CourseID are the platform's database IDs.
type (
	CandidateID int64
	FormationID int64
	CourseID    int64
)

// Input is everything the engine needs for one session.
//
// The order of the slices carries no meaning: the engine sorts them by ID
// before anything else, so two inputs that differ only by the order of their
// records give identical results (PER-2).
type Input struct {
	// Seed is the lottery seed of the run (published with the result).
	Seed uint64
	// Formations carries the per-formation settings. A formation referenced by
	// a course but absent here has no minimum rate.
	Formations []Formation
	// Courses are the session's courses (CAT-3, CAT-4).
	Courses []Course
	// Candidatures are the session's candidatures, at most one per candidate
	// and formation (CAN-2), with what is known of the candidate for that
	// formation (CAN-6, SEL-1, SEL-3).
	Candidatures []Candidature
}

// Formation holds a formation's selection settings.
type Formation struct {
	ID   FormationID
	Name string // for people reading the summary; optional
	// MinSocialPercent is the minimum rate, in percent (0–100), of
	// social-criteria candidates among the first called in each of the
	// formation's courses; 0 means no minimum rate, and social criteria then
	// act as a plain priority after the evaluation (SEL-1).
	MinSocialPercent int
}

// Course is one course (class) of a formation.
type Course struct {
	ID        CourseID
	Formation FormationID
	// Level is the level the course teaches, numbered from 1 (first level);
	// 0 means no level ("tous niveaux").
	Level       int16
	Weekday     time.Weekday
	StartMinute int16 // minutes after midnight
	EndMinute   int16 // end excluded: 18h–20h and 20h–22h do not overlap
	Capacity    int32 // seats (CAT-4); 0 is allowed (nobody is accepted)
}

// Social is a set of social criteria (CAN-6, SEL-1).
type Social uint8

// The social criteria.
const (
	RSA        Social = 1 << iota // revenu de solidarité active
	JobSeeker                     // demandeur d'emploi
	Subsidised                    // contrat aidé
)

// Candidature is one candidature: a candidate, a formation, the course chosen,
// and what the evaluation and the candidature recorded.
type Candidature struct {
	Candidate CandidateID
	Formation FormationID
	Course    CourseID // the course chosen
	// AcceptsRedirect: the candidate accepts an equivalent course of the same
	// formation on another day or in another place when the chosen one is
	// full (SEL-5).
	AcceptsRedirect bool
	// Rank is the candidate's own order of preference between their
	// candidatures (1 = first). It only matters when two courses won in
	// different formations overlap (CAN-3). 0 = not given: formation ID order.
	Rank int16

	// Eligibility gates, checked in this order.
	MissingPrerequisites bool // the formation's prerequisites are not met
	Withdrawn            bool // désistement, e.g. absent from the test (SEL-2)
	RepeatExhausted      bool // the one repeat is used up (SEL-7)
	NotPassed            bool // the test or interview was not passed: not retained (SEL-2)

	// PlacedLevel is the level decided by a placement test (SEL-3); 0 = no
	// placement: the chosen course's level stands.
	PlacedLevel int16
	// Evaluation is the result of the pedagogical evaluation (test and/or
	// interview), as a band or a score: higher is better. It prevails over
	// everything else (SEL-1).
	Evaluation int16
	// Social is the candidate's social situation (RSA, job seeker,
	// subsidised contract).
	Social Social
	// Record scores attendance and results in previous levels within the
	// courses: higher is better (the caller maps the record to a score).
	Record int8
	// Motivation is the priority of the objectives-and-motivation category:
	// higher comes first (the caller maps categories to priorities).
	Motivation int8
}

// ErrorKind says what is wrong with an input record.
type ErrorKind int

// The kinds of bad input.
const (
	UnknownCourse        ErrorKind = iota + 1 // a candidature names a course that does not exist
	NegativeCapacity                          // a course has a capacity below 0
	FormationMismatch                         // a candidature's course belongs to another formation
	DuplicateCandidature                      // two candidatures for the same candidate and formation
	DuplicateCourse                           // two courses with the same ID
	DuplicateFormation                        // two formations with the same ID
	InvalidRate                               // a minimum rate outside 0–100
	InvalidSlot                               // a weekday or a time slot that cannot be
	NegativeLevel                             // a level below 0
)

var kindNames = map[ErrorKind]string{
	UnknownCourse:        "unknown course",
	NegativeCapacity:     "negative capacity",
	FormationMismatch:    "course of another formation",
	DuplicateCandidature: "duplicate candidature",
	DuplicateCourse:      "duplicate course",
	DuplicateFormation:   "duplicate formation",
	InvalidRate:          "invalid minimum rate",
	InvalidSlot:          "invalid slot",
	NegativeLevel:        "negative level",
}

func (k ErrorKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// InputError is the typed error for bad input. It names the offending record;
// the engine returns it before deciding anything, so there is never a partial
// result.
type InputError struct {
	Kind ErrorKind
	// Record names the offending record, e.g. "candidature (candidate 12,
	// formation 3)" or "course 40".
	Record string
	// Index is the record's position in the slice of Input it came from.
	Index  int
	Detail string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("allocation: %s: %s: %s", e.Kind, e.Record, e.Detail)
}

func candidatureName(c *Candidature) string {
	return fmt.Sprintf("candidature (candidate %d, formation %d)", c.Candidate, c.Formation)
}

// overlaps reports whether two courses meet on the same weekday at
// overlapping times (CAN-3; same rule as domain.SlotsOverlap).
func overlaps(a, b *Course) bool {
	return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute
}
