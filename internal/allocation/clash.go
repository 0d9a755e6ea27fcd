package allocation

import (
	"cmp"
	"slices"
)

// CAN-3: a candidate never holds two courses whose slots overlap on the same
// weekday.
//
// Deferred acceptance runs per formation, and a candidate may win, in two
// formations, two courses on overlapping slots — typically two redirects
// (SEL-5) landing on the same evening, or a placement (SEL-3) moving one of
// them. Resolution:
//
//  1. After deferred acceptance, take each candidate's held courses in the
//     candidate's own order of preference between formations: the Rank of
//     their candidatures (1 first; 0 = not given, after every given rank),
//     then formation ID. Never submission order (PER-2).
//  2. Keep a held course if it overlaps none of the courses already kept;
//     otherwise remove that course from that candidature's list (and only
//     that course: the candidature keeps its other courses) and record a Clash.
//  3. Re-run deferred acceptance, from scratch, for every formation whose
//     lists changed; the removed candidature then goes on to its next course,
//     and its seat goes to the best waiting candidate.
//  4. Repeat until no candidate holds overlapping courses.
//
// Termination: each repetition of step 2 removes at least one (candidature,
// course) pair from the lists, pairs are never put back, and there are
// finitely many pairs (the total length L of the lists). So there are at most
// L repetitions; in practice one or two.
//
// What still holds afterwards: every formation's allocation is the output of
// deferred acceptance on the final lists, so capacities, stability (no
// blocking pair for the courses left on each list), the evaluation order and
// the minimum rates hold exactly as without clashes; and the result is a
// function of the input only. What a removal costs: a course removed for a
// clash stays removed for the run, even if a later repetition moves the
// candidate out of the course that caused it; each removal is listed in
// Result.Clashes and in the candidature's explanation.

// Clash records a course removed from a candidature's list because it
// overlapped a course the candidate holds in a formation they prefer.
type Clash struct {
	Candidate     CandidateID
	Formation     FormationID // the candidature that lost the course
	Removed       CourseID
	KeptFormation FormationID // the preferred candidature
	Kept          CourseID    // the course it holds, overlapping Removed
	Round         int         // 1 for the first resolution round, …
}

// preferenceCmp orders a candidate's candidatures by their own preference.
func preferenceCmp(a, b *Candidature) int {
	ra, rb := int(a.Rank), int(b.Rank)
	if ra <= 0 {
		ra = 1 << 20
	}
	if rb <= 0 {
		rb = 1 << 20
	}
	return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.Formation, b.Formation))
}

func (e *engine) resolveClashes() {
	var holding, kept, forms []int32
	formMark := make([]bool, len(e.formations))
	for round := 1; ; round++ {
		forms = forms[:0]
		for a := 0; a < len(e.cands); {
			b := a + 1
			for b < len(e.cands) && e.cands[b].Candidate == e.cands[a].Candidate {
				b++
			}
			holding = holding[:0]
			for i := a; i < b; i++ {
				if e.assigned[i] >= 0 {
					holding = append(holding, int32(i))
				}
			}
			a = b
			if len(holding) < 2 {
				continue
			}
			slices.SortFunc(holding, func(x, y int32) int { return preferenceCmp(&e.cands[x], &e.cands[y]) })
			kept = kept[:0]
		next:
			for _, h := range holding {
				ch := &e.courses[e.assigned[h]]
				for _, k := range kept {
					ck := &e.courses[e.assigned[k]]
					if overlaps(ch, ck) {
						p := e.listOff[h] + e.next[h] - 1 // the held course is the last proposed
						e.list[p] = ^e.list[p]
						e.clashes = append(e.clashes, Clash{Candidate: e.cands[h].Candidate, Formation: e.cands[h].Formation,
							Removed: ch.ID, KeptFormation: e.cands[k].Formation, Kept: ck.ID, Round: round})
						if f := e.candForm[h]; !formMark[f] {
							formMark[f] = true
							forms = append(forms, f)
						}
						continue next
					}
				}
				kept = append(kept, h)
			}
		}
		if len(forms) == 0 {
			return
		}
		slices.Sort(forms)
		for _, f := range forms {
			formMark[f] = false
		}
		e.defer_(forms)
	}
}
