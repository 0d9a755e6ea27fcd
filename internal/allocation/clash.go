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
//  4. Repeat 2–3 until no candidate holds overlapping courses.
//  5. Put back (SEL-5: the candidate still wants it) every removed course
//     whose cause is gone: it comes before what the candidature now has (the
//     candidature waits for it, or holds a course further down its list), it
//     has a free seat (fewer held than its capacity), and it overlaps no
//     course the candidate now holds in a formation they prefer — a later
//     round moved the candidate out of the course that caused the removal.
//     Its Clash record is dropped. Re-run deferred acceptance for the
//     formations concerned and go back to 2. A course that had a free seat
//     in deferred acceptance never refused anyone, so putting one such course
//     back only takes its candidature off the courses further down its list:
//     the candidature gets that course (or a better one) and nobody else in
//     the formation is worse off (the order of calls is substitutable and
//     fills every seat it can, calls_test.go); when several are put back on
//     one course, they compete for its free seats in its order of calls.
//  6. When nothing is left to put back, settle the records still in force:
//     a removed course after the one the candidature holds and whose cause
//     is gone is put back on the list (that changes no outcome: the
//     candidature never reaches it); a record whose Kept course is no longer
//     held names instead the preferred course the candidate now holds that
//     overlaps it, if any, and otherwise says the course was kept off for
//     lack of a seat (KeptLost).
//
// Termination: each pass of step 2 that changes anything removes at least
// one (candidature, course) pair from the lists, and each pass of step 5
// that changes anything puts back at least one. A pair is put back at most
// maxRestores times, so it is removed at most maxRestores+1 times; with L the
// total length of the lists there are at most (2·maxRestores+1)·L passes
// that change anything, and the loop ends at the first pass of 2 and 5 that
// changes nothing. In practice one or two rounds of each. The bound on
// restores is a guard against two candidates' removals feeding each other
// round after round (markets linked by the candidates' clashes need not have
// a fixed point); the property tests never reach it
// (TestPropertyCAN3SEL5NoWaitingForAFreeSeat).
//
// What holds afterwards: every formation's allocation is the output of
// deferred acceptance on the final lists, so capacities, stability (no
// blocking pair for the courses left on each list), the evaluation order and
// the minimum rates hold exactly as without clashes; nobody waits for (or is
// accepted below) a course of their list that has a free seat and that they
// could hold without a clash with the courses they hold in the formations
// they prefer; and the result is a function of the input only. Each removal
// still in force is listed in Result.Clashes and in the candidature's
// explanation; a course put back is no longer listed as removed.

// maxRestores bounds how often one (candidature, course) pair is put back.
const maxRestores = 4

// Clash records a course removed from a candidature's list because it
// overlapped a course the candidate holds in a formation they prefer.
type Clash struct {
	Candidate     CandidateID
	Formation     FormationID // the candidature that lost the course
	Removed       CourseID
	KeptFormation FormationID // the preferred candidature
	Kept          CourseID    // the course it holds, overlapping Removed
	Round         int         // 1 for the first resolution round, …
	// KeptLost: the candidate no longer holds Kept at the end of the run, and
	// no course they hold overlaps Removed, but Removed stays off the list
	// because it has no free seat left (or, never seen in the property
	// tests, because it was already put back maxRestores times).
	KeptLost bool
}

// clashAt is where a Clash record of e.clashes took its course off: the
// candidature and the position in e.list.
type clashAt struct{ cand, pos int32 }

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
	c := clashState{formMark: make([]bool, len(e.formations)), restores: map[int32]uint8{}}
	for {
		c.removeAll(e)
		forms := c.restore(e)
		if len(forms) == 0 {
			break
		}
		e.defer_(forms)
	}
	e.settleClashes()
}

// clashState is the scratch of the resolution.
type clashState struct {
	round         int
	holding, kept []int32
	forms         []int32
	formMark      []bool
	restores      map[int32]uint8 // per list position: times put back
}

func (c *clashState) mark(e *engine, i int32) {
	if f := e.candForm[i]; !c.formMark[f] {
		c.formMark[f] = true
		c.forms = append(c.forms, f)
	}
}

// takeForms returns the marked formations, sorted, and clears the marks.
func (c *clashState) takeForms() []int32 {
	slices.Sort(c.forms)
	for _, f := range c.forms {
		c.formMark[f] = false
	}
	forms := c.forms
	c.forms = c.forms[:0:0]
	return forms
}

// removeAll runs steps 2–4.
func (c *clashState) removeAll(e *engine) {
	for {
		c.round++
		for a := 0; a < len(e.cands); {
			b := a + 1
			for b < len(e.cands) && e.cands[b].Candidate == e.cands[a].Candidate {
				b++
			}
			c.holding = c.holding[:0]
			for i := a; i < b; i++ {
				if e.assigned[i] >= 0 {
					c.holding = append(c.holding, int32(i))
				}
			}
			a = b
			if len(c.holding) < 2 {
				continue
			}
			slices.SortFunc(c.holding, func(x, y int32) int { return preferenceCmp(&e.cands[x], &e.cands[y]) })
			c.kept = c.kept[:0]
		next:
			for _, h := range c.holding {
				ch := &e.courses[e.assigned[h]]
				for _, k := range c.kept {
					ck := &e.courses[e.assigned[k]]
					if overlaps(ch, ck) {
						p := e.listOff[h] + e.next[h] - 1 // the held course is the last proposed
						e.list[p] = ^e.list[p]
						e.clashes = append(e.clashes, Clash{Candidate: e.cands[h].Candidate, Formation: e.cands[h].Formation,
							Removed: ch.ID, KeptFormation: e.cands[k].Formation, Kept: ck.ID, Round: c.round})
						e.clashAt = append(e.clashAt, clashAt{cand: h, pos: p})
						c.mark(e, h)
						continue next
					}
				}
				c.kept = append(c.kept, h)
			}
		}
		if len(c.forms) == 0 {
			c.round--
			return
		}
		e.defer_(c.takeForms())
	}
}

// group returns the bounds of the candidatures of candidature i's candidate.
func (e *engine) group(i int32) (lo, hi int32) {
	lo, hi = i, i+1
	for lo > 0 && e.cands[lo-1].Candidate == e.cands[i].Candidate {
		lo--
	}
	for int(hi) < len(e.cands) && e.cands[hi].Candidate == e.cands[i].Candidate {
		hi++
	}
	return lo, hi
}

// heldOverlap returns the candidature, among those of i's candidate that
// they prefer to i, holding the most preferred course overlapping course c;
// -1 if none.
func (e *engine) heldOverlap(i, c int32) int32 {
	lo, hi := e.group(i)
	best := int32(-1)
	for j := lo; j < hi; j++ {
		if j == i || e.assigned[j] < 0 || preferenceCmp(&e.cands[j], &e.cands[i]) > 0 {
			continue
		}
		if overlaps(&e.courses[e.assigned[j]], &e.courses[c]) && (best < 0 || preferenceCmp(&e.cands[j], &e.cands[best]) < 0) {
			best = j
		}
	}
	return best
}

// restore runs step 5 and returns the formations whose lists changed.
func (c *clashState) restore(e *engine) []int32 {
	w := 0
	for k, at := range e.clashAt {
		course := ^e.list[at.pos]
		if at.pos-e.listOff[at.cand] < e.waitLimit(at.cand) && int32(len(e.held[course])) < e.courses[course].Capacity &&
			c.restores[at.pos] < maxRestores && e.heldOverlap(at.cand, course) < 0 {
			c.restores[at.pos]++
			e.list[at.pos] = course
			c.mark(e, at.cand)
			continue
		}
		e.clashes[w], e.clashAt[w] = e.clashes[k], at
		w++
	}
	e.clashes, e.clashAt = e.clashes[:w], e.clashAt[:w]
	return c.takeForms()
}

// settleClashes runs step 6.
func (e *engine) settleClashes() {
	w := 0
	for k, at := range e.clashAt {
		course := ^e.list[at.pos]
		cl := &e.clashes[k]
		j := e.heldOverlap(at.cand, course)
		switch {
		case j >= 0:
			cl.KeptFormation, cl.Kept = e.cands[j].Formation, e.courses[e.assigned[j]].ID
		case e.assigned[at.cand] >= 0 && at.pos-e.listOff[at.cand] > e.waitLimit(at.cand):
			e.list[at.pos] = course // after the course held: back on the list, no outcome changes
			continue
		default:
			cl.KeptLost = true
		}
		e.clashes[w], e.clashAt[w] = *cl, at
		w++
	}
	e.clashes, e.clashAt = e.clashes[:w], e.clashAt[:w]
}
