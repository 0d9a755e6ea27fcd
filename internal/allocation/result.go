package allocation

import (
	"cmp"
	"slices"
)

// Outcome is what a candidature gets.
type Outcome uint8

// The outcomes.
const (
	Accepted   Outcome = iota + 1 // accepted in a course (the original one or a redirect)
	Waiting                       // waiting, with a position on each course listed
	Ineligible                    // a gate failed: see Decision.Gate
)

func (o Outcome) String() string {
	switch o {
	case Accepted:
		return "admis"
	case Waiting:
		return "en attente"
	case Ineligible:
		return "non recevable"
	}
	return "?"
}

// Result is the whole decision of a run.
type Result struct {
	Seed   uint64
	Digest string // "sha256:…" of the canonical input (digest.go)
	// Decisions has one entry per candidature, sorted by candidate then formation.
	Decisions []Decision
	// Courses has one entry per course, sorted by course ID.
	Courses []CourseResult
	// Fairness has one entry per formation, sorted by formation ID.
	Fairness []FormationFairness
	// Clashes lists the courses removed to respect CAN-3 that are still off
	// their lists at the end, in the order made (a course put back when its
	// clash went away is not listed; clash.go).
	Clashes []Clash
}

// Place is a position on a course's waiting list (1 = the next one called if
// a seat frees up).
type Place struct {
	Course   CourseID
	Position int32
}

// Decision is the outcome of one candidature, with what explains it.
type Decision struct {
	Candidature // the candidature as given
	Outcome     Outcome
	Gate        Gate     // for Ineligible
	Course      CourseID // for Accepted
	// Redirected: accepted in another course than the one chosen (or than its
	// same-slot equivalent at the placed level) — SEL-5.
	Redirected bool
	// Placed: a placement test put the candidate in another level than the
	// chosen course's (SEL-3).
	Placed   bool
	Priority Priority
	// List is the candidature's final list of courses in order (lists.go),
	// without the courses removed for a slot clash (CAN-3).
	List []CourseID
	// Waiting gives the position on the waiting list of every course of List
	// that comes before the outcome: all of them when waiting, those preferred
	// to the course won when accepted.
	Waiting []Place
	// Removed lists the courses taken off List for a slot clash and still off
	// at the end (see Result.Clashes).
	Removed []CourseID
}

// CourseResult is one course's side of the result.
type CourseResult struct {
	Course
	MinSocialPercent int
	Accepted         int32 // accepted candidatures
	AcceptedSocial   int32 // of which with social criteria
	Waiting          int32 // candidatures waiting for this course
	// CutOff is the priority of the last candidate accepted in the course's
	// order of calls; HasCutOff is false when nobody waits (every request
	// was satisfied, so there is no cut-off).
	CutOff    Priority
	HasCutOff bool
	// RateMet: the accepted hold at least ceil(rate × accepted)
	// social-criteria candidates (always true without a minimum rate).
	RateMet bool
	// NotEnoughSocial: the rate is not met, and no waiting social-criteria
	// candidate could take the place of an accepted one without a lower
	// evaluation going before a higher one (SEL-1). Never false when RateMet is false.
	NotEnoughSocial bool
}

// Course returns the result of the course with this ID, or nil.
func (r *Result) Course(id CourseID) *CourseResult {
	i, ok := slices.BinarySearchFunc(r.Courses, id, func(c CourseResult, id CourseID) int { return cmp.Compare(c.ID, id) })
	if !ok {
		return nil
	}
	return &r.Courses[i]
}

// Decision returns the decision for a candidate's candidature to a formation, or nil.
func (r *Result) Decision(c CandidateID, f FormationID) *Decision {
	i, ok := slices.BinarySearchFunc(r.Decisions, c, func(d Decision, c CandidateID) int {
		return cmp.Or(cmp.Compare(d.Candidate, c), cmp.Compare(d.Formation, f))
	})
	if !ok {
		return nil
	}
	return &r.Decisions[i]
}

func (e *engine) priority(i int32) Priority {
	c := &e.cands[i]
	return Priority{Evaluation: c.Evaluation, Social: c.Social, SocialPriority: e.formations[e.candForm[i]].MinSocialPercent == 0,
		Record: c.Record, Motivation: c.Motivation, Lottery: e.lot[i]}
}

// waitLimit is the number of list positions candidature i was refused at.
func (e *engine) waitLimit(i int32) int32 {
	if e.gate[i] != GateNone {
		return 0
	}
	if e.assigned[i] >= 0 {
		return e.next[i] - 1
	}
	return e.next[i]
}

// result assembles the Result from the final state.
func (e *engine) result() *Result {
	n := len(e.cands)
	r := &Result{Seed: e.seed, Decisions: make([]Decision, n), Courses: make([]CourseResult, len(e.courses))}

	// Final lists and waiting slots, in flat arrays shared by the decisions.
	listIDs := make([]CourseID, 0, len(e.list))
	wOff := make([]int32, n+1)
	for i := range n {
		for _, c := range e.list[e.listOff[i]:e.listOff[i+1]] {
			if c >= 0 {
				listIDs = append(listIDs, e.courses[c].ID)
			}
		}
		w := int32(0)
		for _, c := range e.list[e.listOff[i] : e.listOff[i]+e.waitLimit(int32(i))] {
			if c >= 0 {
				w++
			}
		}
		wOff[i+1] = wOff[i] + w
	}
	places := make([]Place, wOff[n])

	// Waiters grouped by course.
	wCount := make([]int32, len(e.courses)+1)
	for i := range n {
		for _, c := range e.list[e.listOff[i] : e.listOff[i]+e.waitLimit(int32(i))] {
			if c >= 0 {
				wCount[c+1]++
			}
		}
	}
	for c := range e.courses {
		wCount[c+1] += wCount[c]
	}
	waiters := make([]int32, wCount[len(e.courses)])
	fill := slices.Clone(wCount[:len(e.courses)])
	for i := range n {
		for _, c := range e.list[e.listOff[i] : e.listOff[i]+e.waitLimit(int32(i))] {
			if c >= 0 {
				waiters[fill[c]] = int32(i)
				fill[c]++
			}
		}
	}

	// Per course: order of calls over everyone who asked (held and refused),
	// waiting positions, cut-off, rate.
	var asked, order []int32
	for c := range e.courses {
		cr := &r.Courses[c]
		cr.Course = e.courses[c]
		cr.MinSocialPercent = int(e.coursePct[c])
		held := e.held[c]
		wait := waiters[wCount[c]:wCount[c+1]]
		slices.SortFunc(wait, e.cmpMerit)
		asked = mergeSorted(asked[:0], held, wait, e.better)
		order = order[:0]
		e.callOrderOf(int32(c), asked, func(k int) { order = append(order, asked[k]) })
		pos := int32(0)
		for _, i := range order {
			if e.assigned[i] == int32(c) {
				if len(wait) > 0 {
					cr.CutOff, cr.HasCutOff = e.priority(i), true
				}
				continue
			}
			pos++
			// The slot of course c in i's waiting places.
			slot := wOff[i]
			for _, lc := range e.list[e.listOff[i] : e.listOff[i]+e.waitLimit(i)] {
				if lc == int32(c) {
					break
				}
				if lc >= 0 {
					slot++
				}
			}
			places[slot] = Place{Course: e.courses[c].ID, Position: pos}
		}
		cr.Accepted = int32(len(held))
		cr.Waiting = int32(len(wait))
		minNonSocial, maxWaitSocial := int16(1<<15-1), int16(-1<<15)
		waitSocial := false
		for _, i := range held {
			if e.cands[i].Social != 0 {
				cr.AcceptedSocial++
			} else {
				minNonSocial = min(minNonSocial, e.cands[i].Evaluation)
			}
		}
		for _, i := range wait {
			if e.cands[i].Social != 0 {
				waitSocial = true
				maxWaitSocial = max(maxWaitSocial, e.cands[i].Evaluation)
			}
		}
		cr.RateMet = int(cr.AcceptedSocial) >= ceilPercent(cr.MinSocialPercent, int(cr.Accepted))
		cr.NotEnoughSocial = !cr.RateMet && (!waitSocial || maxWaitSocial < minNonSocial)
	}

	// Clashes by candidature.
	clashes := slices.Clone(e.clashes)
	slices.SortStableFunc(clashes, func(a, b Clash) int {
		return cmp.Or(cmp.Compare(a.Candidate, b.Candidate), cmp.Compare(a.Formation, b.Formation))
	})
	removed := make([]CourseID, len(clashes))
	for k := range clashes {
		removed[k] = clashes[k].Removed
	}
	r.Clashes = e.clashes

	// Decisions.
	lp, ck := 0, 0
	for i := range n {
		d := &r.Decisions[i]
		d.Candidature = e.cands[i]
		d.Priority = e.priority(int32(i))
		chosenLevel := e.courses[e.chosen[i]].Level
		d.Placed = d.PlacedLevel > 0 && chosenLevel > 0 && d.PlacedLevel != chosenLevel
		m := 0
		for _, c := range e.list[e.listOff[i]:e.listOff[i+1]] {
			if c >= 0 {
				m++
			}
		}
		d.List = listIDs[lp : lp+m : lp+m]
		lp += m
		d.Waiting = places[wOff[i]:wOff[i+1]:wOff[i+1]]
		k0 := ck
		for ck < len(clashes) && clashes[ck].Candidate == d.Candidate && clashes[ck].Formation == d.Formation {
			ck++
		}
		if ck > k0 {
			d.Removed = removed[k0:ck:ck]
		}
		switch {
		case e.gate[i] != GateNone:
			d.Outcome, d.Gate = Ineligible, e.gate[i]
		case e.assigned[i] >= 0:
			d.Outcome = Accepted
			d.Course = e.courses[e.assigned[i]].ID
			first := e.list[e.listOff[i]]
			if first < 0 {
				first = ^first
			}
			d.Redirected = !e.original[i] || e.assigned[i] != first
		default:
			d.Outcome = Waiting
		}
	}
	r.Fairness = e.fairness(r)
	return r
}
