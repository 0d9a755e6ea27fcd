package domain

import (
	"fmt"
	"time"
)

// CandidatureStatus is where a candidature stands. Waiting lists and
// enrolment (later capabilities) add their own.
type CandidatureStatus string

const (
	CandidatureSubmitted CandidatureStatus = "submitted" // validated, waiting for selection at the end of the period (PER-2)
	CandidatureCancelled CandidatureStatus = "cancelled" // cancelled by the candidate before the deadline (CAN-5)
	// The selection's outcomes, once a run is published (SEL-1..3, SEL-5).
	CandidatureFirstDayTest CandidatureStatus = "first_day_test" // convoqué(e) au test du premier jour: placed after that day
	CandidatureAccepted     CandidatureStatus = "accepted"       // admis(e) in a course, the one chosen or a redirect
	CandidatureWaiting      CandidatureStatus = "waiting"        // en liste d'attente, with a position per course
	CandidatureNotRetained  CandidatureStatus = "not_retained"   // the test or interview was not passed
	CandidatureWithdrawn    CandidatureStatus = "withdrawn"      // désistement: absent from the test (SEL-2)
	CandidatureIneligible   CandidatureStatus = "ineligible"     // a gate failed: prerequisites, repeat (SEL-7), level
	// The waiting lists' (SEL-4, SEL-5): none of them holds a formation.
	CandidatureGivenUp      CandidatureStatus = "given_up"      // désistement: the candidate gave up their place or their wait
	CandidatureNoPlace      CandidatureStatus = "no_place"      // en manque de place: no seat within three weeks of the start (SEL-4)
	CandidatureDeclined     CandidatureStatus = "declined"      // the candidate declined the seat offered in the course they chose
	CandidatureOfferExpired CandidatureStatus = "offer_expired" // an offered seat was not answered in time
	CandidatureCourseClosed CandidatureStatus = "course_closed" // the course did not open: too few learners (SEL-6)
	// Attendance's (ATT-3, ATT-4): a learner who leaves the course by a
	// decision, with its motive; neither holds a formation nor the seat, the
	// fee is not refunded, the marks stay.
	CandidatureStruckOff CandidatureStatus = "struck_off" // radié(e) by the central service after three unjustified absences in a row (ATT-3)
	CandidatureExcluded  CandidatureStatus = "excluded"   // exclu(e) by the trainer or the director: absences beyond three, or conduct (ATT-4)
)

// ActiveStatuses hold a formation and a slot (CAN-1, CAN-2, CAN-3). The
// database's unique index on (person, formation) lists the same statuses.
var ActiveStatuses = []CandidatureStatus{CandidatureSubmitted, CandidatureFirstDayTest, CandidatureAccepted, CandidatureWaiting}

// CandidatureStatuses lists every status, in the order of a candidature's life.
var CandidatureStatuses = []CandidatureStatus{CandidatureSubmitted, CandidatureCancelled, CandidatureFirstDayTest,
	CandidatureAccepted, CandidatureWaiting, CandidatureNotRetained, CandidatureWithdrawn, CandidatureIneligible,
	CandidatureGivenUp, CandidatureNoPlace, CandidatureDeclined, CandidatureOfferExpired, CandidatureCourseClosed,
	CandidatureStruckOff, CandidatureExcluded}

// Maximum formations held at once (CAN-1).
const MaxFormations = 3

// Objective is why the person applies (CAN-6).
type Objective string

const (
	ObjectiveProfessional Objective = "professional" // évolution professionnelle
	ObjectivePersonal     Objective = "personal"     // développement personnel
	ObjectiveDiploma      Objective = "diploma"      // obtenir un diplôme
	ObjectiveIntegration  Objective = "integration"  // insertion, vie quotidienne
)

// Objectives lists the objectives in the form's order.
var Objectives = []Objective{ObjectiveProfessional, ObjectivePersonal, ObjectiveDiploma, ObjectiveIntegration}

// SocialSituation is the candidate's situation, weighed at selection (CAN-6, SEL-1).
type SocialSituation struct {
	RSA        bool // revenu de solidarité active
	JobSeeker  bool // demandeur d'emploi
	Subsidised bool // contrat aidé
}

// Holding is a course someone holds or wants: an active candidature or
// enrolment, or a basket item. The rules compare holdings.
type Holding struct {
	CourseID, FormationID int64
	CourseCode            string
	FormationTitle        string
	Weekday               time.Weekday
	StartMinute           int
	EndMinute             int
	InBasket              bool // a basket item, not yet validated
}

// Refusal says which rule refuses which course, for a plain French message.
type Refusal struct {
	Rule   string // "CAN-1", "CAN-2", "CAN-3", "ACC-1", "ACC-2", "PER-1"
	Course string // the course refused (code)
	Other  string // what it conflicts with: a formation's title (CAN-2) or a course's code (CAN-3)
	// Detail says more for a plainer message: for CAN-2, RefusalInBasket or
	// RefusalValidated when the very course is already held that way.
	Detail string
	// Basket and Validated count, for CAN-1, the formations held in the
	// basket and by candidatures already validated, so the message can say
	// which to give up.
	Basket, Validated int
}

// Details of a CAN-2 refusal of the very course already held.
const (
	RefusalInBasket  = "basket"    // the course is already in the basket
	RefusalValidated = "validated" // a validated candidature holds the course
)

func (r Refusal) Error() string {
	if r.Other != "" {
		return fmt.Sprintf("%s: course %s conflicts with %s", r.Rule, r.Course, r.Other)
	}
	return fmt.Sprintf("%s: course %s refused", r.Rule, r.Course)
}

// SlotsOverlap reports whether two courses meet on the same weekday at
// overlapping times (end excluded: 18h–20h and 20h–22h do not clash).
func SlotsOverlap(a, b Holding) bool {
	return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute
}

// CheckAddition checks that course c may join what the person already holds
// (CAN-1 at most three formations, CAN-2 never the same formation twice,
// CAN-3 never two overlapping slots on the same weekday).
func CheckAddition(held []Holding, c Holding) []Refusal {
	var out []Refusal
	formations := map[int64]bool{} // formation → held in the basket only
	for _, h := range held {
		if inBasket, seen := formations[h.FormationID]; !seen || inBasket {
			formations[h.FormationID] = h.InBasket
		}
		if h.CourseID == c.CourseID { // the very same course
			detail := RefusalValidated
			if h.InBasket {
				detail = RefusalInBasket
			}
			return []Refusal{{Rule: "CAN-2", Course: c.CourseCode, Other: h.FormationTitle, Detail: detail}}
		}
		if h.FormationID == c.FormationID {
			out = append(out, Refusal{Rule: "CAN-2", Course: c.CourseCode, Other: h.FormationTitle})
		}
		if SlotsOverlap(h, c) {
			out = append(out, Refusal{Rule: "CAN-3", Course: c.CourseCode, Other: h.CourseCode})
		}
	}
	if _, held := formations[c.FormationID]; !held && len(formations) >= MaxFormations {
		r := Refusal{Rule: "CAN-1", Course: c.CourseCode}
		for _, inBasket := range formations {
			if inBasket {
				r.Basket++
			} else {
				r.Validated++
			}
		}
		out = append(out, r)
	}
	return out
}

// CheckCandidate checks the person for one course: 18 or older on the day of
// the course's first class (ACC-1; a Wednesday course of a session starting on
// a Monday starts on the Wednesday), a personal email (ACC-2).
func CheckCandidate(a Account, courseCode string, firstClass time.Time) []Refusal {
	var out []Refusal
	if a.BirthDate.IsZero() || AgeOn(a.BirthDate, firstClass) < AdultAge {
		out = append(out, Refusal{Rule: "ACC-1", Course: courseCode})
	}
	if a.Email == "" {
		out = append(out, Refusal{Rule: "ACC-2", Course: courseCode})
	}
	return out
}

// HalfTariffProofMaxAge is how old a proof may be on the registration date (CAN-9).
const HalfTariffProofMonths = 3

// ProofValid reports whether a proof issued on issued is less than three months
// old on the registration date (CAN-9), and not dated in the future.
func ProofValid(issued, registration time.Time) bool {
	if issued.After(registration) {
		return false
	}
	return issued.AddDate(0, HalfTariffProofMonths, 0).After(registration)
}

// Candidature is one application of one person to one course.
type Candidature struct {
	ID, AccountID, CourseID, FormationID, SessionID int64
	Status                                          CandidatureStatus
	Objective                                       Objective
	Motivation                                      string
	Social                                          SocialSituation
	RulesVersion                                    string // the internal rules accepted (CAN-7)
	HalfTariffClaim                                 bool   // with a valid proof (CAN-9)
	ProofID                                         int64
	AssistedBy                                      int64 // the staff member who filed it (CAN-8), 0 when none
	CreatedAt                                       time.Time
	CancelledAt                                     time.Time
	ValidationKey                                   string // the validation that made it (its reference for people)
	// AcceptedCourseID is the course a published run accepted the
	// candidature in: the one chosen or a redirect (SEL-5); 0 otherwise.
	AcceptedCourseID int64
	// AcceptsRedirect is the candidate's answer when validating the basket:
	// if the course is full, they accept an equivalent course of the same
	// formation and level on another day or in another place (SEL-5). False
	// when they did not tick it (and for candidatures filed before the
	// question existed).
	AcceptsRedirect bool
}

// Active reports whether the candidature holds its formation and slot.
func (c Candidature) Active() bool {
	for _, s := range ActiveStatuses {
		if c.Status == s {
			return true
		}
	}
	return false
}
