package allocation

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Priority for a course (SEL-1), compared lexicographically:
//
//  1. eligibility gates (prerequisites, withdrawal, repeat limit): a candidature
//     that fails one takes no part (see Gate);
//  2. the evaluation, higher first — it prevails over everything;
//  3. social criteria (any of RSA, job seeker, subsidised contract), as a plain
//     priority — only in formations without a minimum rate. Where the
//     formation sets a minimum rate, social criteria act through the order of
//     calls instead (calls.go), never above a better evaluation;
//  4. the previous record within the courses, higher first;
//  5. the motivation category, higher first;
//  6. one lottery number per candidate for the whole run, lower first (single
//     tie-breaking: the same number in every course the candidate asks for);
//  7. the candidate ID — only if two lottery numbers are equal (a 2^-64 event),
//     so that the order is total.
//
// Submission time is not an input at all (PER-2).
//
// Internally the fields 2–5 are packed in one uint64 "merit key" where smaller
// means called first, so that comparing two candidatures costs two integer
// comparisons.
type Priority struct {
	Evaluation int16
	Social     Social
	// SocialPriority: social criteria count as a plain priority (formation
	// without a minimum rate). False when the formation's minimum rate applies.
	SocialPriority bool
	Record         int8
	Motivation     int8
	Lottery        uint64
}

// meritKey packs evaluation, social criteria (when they are a plain priority),
// record and motivation; smaller is better.
func meritKey(c *Candidature, socialPriority bool) uint64 {
	ev := uint64(^(uint16(c.Evaluation) ^ 0x8000)) // order-preserving, then reversed
	soc := uint64(1)
	if socialPriority && c.Social != 0 {
		soc = 0
	}
	rec := uint64(^(uint8(c.Record) ^ 0x80))
	mot := uint64(^(uint8(c.Motivation) ^ 0x80))
	return ev<<48 | soc<<40 | rec<<32 | mot<<24
}

// band is the evaluation part of a merit key: two candidatures have the same
// band exactly when their evaluations are equal.
func band(key uint64) uint64 { return key >> 48 }

// Lottery is the candidate's lottery number for the run: the first output of
// a PCG generator seeded with (seed, candidate ID). It depends on nothing
// else, so it is the same in every course and formation of the run, whatever
// the order of the input.
func Lottery(seed uint64, c CandidateID) uint64 {
	return rand.NewPCG(seed, uint64(c)).Uint64()
}

// better reports whether candidature a comes before b in merit order.
func (e *engine) better(a, b int32) bool {
	ka, kb := e.key[a], e.key[b]
	if ka != kb {
		return ka < kb
	}
	la, lb := e.lot[a], e.lot[b]
	if la != lb {
		return la < lb
	}
	return e.cands[a].Candidate < e.cands[b].Candidate
}

// cmpMerit orders candidature indices by merit, best first.
func (e *engine) cmpMerit(a, b int32) int {
	switch {
	case a == b:
		return 0
	case e.better(a, b):
		return -1
	default:
		return 1
	}
}

// Texts names the social criteria in s, to be worded.
func (s Social) Texts() []Text {
	var out []Text
	if s&RSA != 0 {
		out = append(out, text("allocation.social.rsa"))
	}
	if s&JobSeeker != 0 {
		out = append(out, text("allocation.social.job_seeker"))
	}
	if s&Subsidised != 0 {
		out = append(out, text("allocation.social.subsidised"))
	}
	return out
}

// lotteryFraction shows a lottery number as a fraction in [0, 1), with six
// decimals and the reader's decimal separator.
func lotteryFraction(l uint64) Text {
	return decimal(float64(l>>11)/float64(1<<53), 6)
}

// decimal is x with the given number of decimals, worded with the reader's
// decimal separator ("0,5" in French, "0.5" in English).
func decimal(x float64, decimals int) Text {
	units, fraction, _ := strings.Cut(strconv.FormatFloat(x, 'f', decimals, 64), ".")
	return text("allocation.decimal", "Units", units, "Decimals", fraction)
}

// Text describes the priority, in the order it is compared.
func (p Priority) Text() Text {
	key := "allocation.priority.no_social"
	switch {
	case p.Social != 0 && p.SocialPriority:
		key = "allocation.priority.social"
	case p.Social != 0:
		key = "allocation.priority.social_rate"
	}
	return text(key, "Evaluation", p.Evaluation, "Criteria", p.Social.Texts(), "Record", p.Record,
		"Motivation", p.Motivation, "Lottery", lotteryFraction(p.Lottery))
}
