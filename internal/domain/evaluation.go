package domain

import "time"

// End-of-course evaluations and certificates of competences (CER-1, CER-2,
// CER-4, SEL-7).

// EvaluationResult is a learner's result at their course's end-of-course
// evaluation (CER-1): presence is mandatory, so absent is not passed.
type EvaluationResult string

const (
	ResultPassed EvaluationResult = "passed"
	ResultFailed EvaluationResult = "failed"
	// ResultAbsentFromEvaluation: the learner did not sit the evaluation.
	ResultAbsentFromEvaluation EvaluationResult = "absent"
)

// Valid reports whether r is a known result.
func (r EvaluationResult) Valid() bool {
	return r == ResultPassed || r == ResultFailed || r == ResultAbsentFromEvaluation
}

// Failed reports whether r counts as a failed attempt at the level (SEL-7).
func (r EvaluationResult) Failed() bool { return r == ResultFailed || r == ResultAbsentFromEvaluation }

// MaxFailedAttempts is how many failed evaluations of a formation a learner
// may have and still apply to it again: the first attempt and its one
// repeat (SEL-7).
const MaxFailedAttempts = 2

// CertificateMonths is the central service's delay to deliver a
// certificate after the course's last day (CER-2).
const CertificateMonths = 2

// CertificateDue is the last day a certificate of a course ending on
// lastDay may be delivered (CER-2): two calendar months later.
func CertificateDue(lastDay time.Time) time.Time { return lastDay.AddDate(0, CertificateMonths, 0) }

// Record is what a person's past courses say for their next candidatures:
// the formations they hold a certificate of (CER-2) and how many times they
// failed each formation's evaluation (SEL-7).
type Record struct {
	Certified map[int64]bool // formation ID → a certificate of competences
	Failures  map[int64]int  // formation ID → failed or missed evaluations
}

// CheckRecord checks a person's record for a course of formation f (CER-2,
// SEL-7): the previous level's certificate when f asks for one (its title
// is prerequisiteTitle), and no third attempt after two failed evaluations.
func CheckRecord(rec Record, f Formation, prerequisiteTitle, courseCode string) []Refusal {
	var out []Refusal
	if f.PrerequisiteFormationID != 0 && !rec.Certified[f.PrerequisiteFormationID] {
		out = append(out, Refusal{Rule: "CER-2", Course: courseCode, Other: prerequisiteTitle})
	}
	if rec.Failures[f.ID] >= MaxFailedAttempts {
		out = append(out, Refusal{Rule: "SEL-7", Course: courseCode, Other: f.Title})
	}
	return out
}
