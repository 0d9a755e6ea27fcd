package allocation_test

import (
	"cmp"
	"fmt"
	"slices"

	"cma/internal/allocation"
)

// This file is an independent oracle: it recomputes from the Input alone what
// the rules require and checks a Result against it. It does not use the
// engine's internals (merit keys, lists, deferred acceptance), only the
// exported CallOrder, whose own properties are tested in calls_test.go.

// expectedList is the list of courses of candidature c by the rules of
// lists.go, computed naively; ok is false when a gate stops it.
func expectedList(in allocation.Input, c allocation.Candidature) (list []allocation.CourseID, original bool) {
	var chosen allocation.Course
	for _, k := range in.Courses {
		if k.ID == c.Course {
			chosen = k
		}
	}
	level := chosen.Level
	if c.PlacedLevel > 0 && chosen.Level > 0 {
		level = c.PlacedLevel
	}
	var same []allocation.Course
	for _, k := range in.Courses {
		if k.Formation == c.Formation && k.Level == level {
			same = append(same, k)
		}
	}
	first := allocation.CourseID(-1)
	if level == chosen.Level {
		first = chosen.ID
	} else {
		slices.SortFunc(same, func(a, b allocation.Course) int { return cmp.Compare(a.ID, b.ID) })
		for _, k := range same {
			if k.Weekday == chosen.Weekday && k.StartMinute == chosen.StartMinute {
				first = k.ID
				break
			}
		}
	}
	if first >= 0 {
		list = append(list, first)
		original = true
	}
	if c.AcceptsRedirect {
		abs := func(x int) int { return max(x, -x) }
		slices.SortFunc(same, func(a, b allocation.Course) int {
			da, db := 0, 0
			if a.Weekday != chosen.Weekday {
				da = 1
			}
			if b.Weekday != chosen.Weekday {
				db = 1
			}
			return cmp.Or(cmp.Compare(da, db),
				cmp.Compare(abs(int(a.StartMinute)-int(chosen.StartMinute)), abs(int(b.StartMinute)-int(chosen.StartMinute))),
				cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.StartMinute, b.StartMinute), cmp.Compare(a.ID, b.ID))
		})
		for _, k := range same {
			if k.ID != first {
				list = append(list, k.ID)
			}
		}
	}
	return list, original
}

func expectedGate(c allocation.Candidature, list []allocation.CourseID) allocation.Gate {
	switch {
	case c.MissingPrerequisites:
		return allocation.GatePrerequisites
	case c.Withdrawn:
		return allocation.GateWithdrawn
	case c.RepeatExhausted:
		return allocation.GateRepeat
	case c.NotPassed:
		return allocation.GateNotPassed
	case len(list) == 0:
		return allocation.GateNoCourseAtLevel
	}
	return allocation.GateNone
}

// meritLess is SEL-1's order written out plainly: evaluation, social criteria
// (only without a minimum rate), record, motivation, lottery, candidate ID.
func meritLess(seed uint64, socialPriority bool) func(a, b *allocation.Decision) int {
	return func(a, b *allocation.Decision) int {
		sa, sb := 0, 0
		if socialPriority && a.Social != 0 {
			sa = 1
		}
		if socialPriority && b.Social != 0 {
			sb = 1
		}
		return cmp.Or(-cmp.Compare(a.Evaluation, b.Evaluation), -cmp.Compare(sa, sb),
			-cmp.Compare(a.Record, b.Record), -cmp.Compare(a.Motivation, b.Motivation),
			cmp.Compare(allocation.Lottery(seed, a.Candidate), allocation.Lottery(seed, b.Candidate)),
			cmp.Compare(a.Candidate, b.Candidate))
	}
}

func overlap(a, b allocation.Course) bool {
	return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute
}

// check verifies every invariant of the issue on r, computed from in. It
// returns the first violation found, or nil.
func check(in allocation.Input, r *allocation.Result) error {
	courses := map[allocation.CourseID]allocation.Course{}
	for _, c := range in.Courses {
		courses[c.ID] = c
	}
	rate := map[allocation.FormationID]int{}
	for _, f := range in.Formations {
		rate[f.ID] = f.MinSocialPercent
	}
	if len(r.Decisions) != len(in.Candidatures) {
		return fmt.Errorf("%d decisions for %d candidatures", len(r.Decisions), len(in.Candidatures))
	}
	for _, c := range in.Candidatures {
		d := r.Decision(c.Candidate, c.Formation)
		if d == nil || d.Candidature != c {
			return fmt.Errorf("candidature %+v: no decision or altered", c)
		}
	}

	// Lists (SEL-3, SEL-5), gates, outcomes.
	askedBy := map[allocation.CourseID][]*allocation.Decision{} // P_c: everyone who asked c
	for k := range r.Decisions {
		d := &r.Decisions[k]
		list, original := expectedList(in, d.Candidature)
		gate := expectedGate(d.Candidature, list)
		if gate != allocation.GateNone {
			if d.Outcome != allocation.Ineligible || d.Gate != gate {
				return fmt.Errorf("%d/%d: want ineligible (%v), got %v (%v)", d.Candidate, d.Formation, gate, d.Outcome, d.Gate)
			}
			continue
		}
		want := slices.DeleteFunc(slices.Clone(list), func(id allocation.CourseID) bool { return slices.Contains(d.Removed, id) })
		if !slices.Equal(d.List, want) {
			return fmt.Errorf("%d/%d: list %v, want %v (removed %v)", d.Candidate, d.Formation, d.List, want, d.Removed)
		}
		if d.Outcome == allocation.Ineligible {
			return fmt.Errorf("%d/%d: ineligible (%v) but passes every gate", d.Candidate, d.Formation, d.Gate)
		}
		limit := len(d.List)
		if d.Outcome == allocation.Accepted {
			limit = slices.Index(d.List, d.Course)
			if limit < 0 {
				return fmt.Errorf("%d/%d: accepted in course %d, not on its list %v", d.Candidate, d.Formation, d.Course, d.List)
			}
			redirected := !original || d.Course != list[0]
			if d.Redirected != redirected {
				return fmt.Errorf("%d/%d: redirected=%v, want %v", d.Candidate, d.Formation, d.Redirected, redirected)
			}
			if !d.AcceptsRedirect && redirected {
				return fmt.Errorf("%d/%d: redirected without accepting redirects (SEL-5)", d.Candidate, d.Formation)
			}
			askedBy[d.Course] = append(askedBy[d.Course], d)
		}
		if len(d.Waiting) != limit {
			return fmt.Errorf("%d/%d: %d waiting places for %d courses before the outcome", d.Candidate, d.Formation, len(d.Waiting), limit)
		}
		for j, id := range d.List[:limit] {
			if d.Waiting[j].Course != id || d.Waiting[j].Position < 1 {
				return fmt.Errorf("%d/%d: waiting place %d is %+v, want course %d", d.Candidate, d.Formation, j, d.Waiting[j], id)
			}
			askedBy[id] = append(askedBy[id], d)
		}
	}

	// Capacity, no slot clash (CAN-3).
	accepted := map[allocation.CourseID]int{}
	byCandidate := map[allocation.CandidateID][]allocation.Course{}
	for k := range r.Decisions {
		d := &r.Decisions[k]
		if d.Outcome != allocation.Accepted {
			continue
		}
		accepted[d.Course]++
		c := courses[d.Course]
		if c.Formation != d.Formation {
			return fmt.Errorf("%d/%d: accepted in course %d of formation %d", d.Candidate, d.Formation, c.ID, c.Formation)
		}
		for _, o := range byCandidate[d.Candidate] {
			if overlap(c, o) {
				return fmt.Errorf("candidate %d holds courses %d and %d on overlapping slots (CAN-3)", d.Candidate, c.ID, o.ID)
			}
		}
		byCandidate[d.Candidate] = append(byCandidate[d.Candidate], c)
	}
	for _, cr := range r.Courses {
		if accepted[cr.ID] > int(cr.Capacity) {
			return fmt.Errorf("course %d: %d accepted for %d seats", cr.ID, accepted[cr.ID], cr.Capacity)
		}
		if int(cr.Accepted) != accepted[cr.ID] {
			return fmt.Errorf("course %d: reports %d accepted, decisions say %d", cr.ID, cr.Accepted, accepted[cr.ID])
		}
	}

	// Per course: stability, evaluation order, minimum rate, waiting positions.
	for _, cr := range r.Courses {
		asked := askedBy[cr.ID]
		pct := rate[cr.Formation]
		slices.SortFunc(asked, meritLess(in.Seed, pct == 0))
		social := make([]bool, len(asked))
		eval := make([]int16, len(asked))
		for k, d := range asked {
			social[k] = d.Social != 0
			eval[k] = d.Evaluation
		}
		order := allocation.CallOrder(social, eval, pct)
		n := min(int(cr.Capacity), len(asked))
		// Stable and not wasteful: the accepted are exactly the first n called
		// among everyone who asked for the course (no waiting candidate is
		// before an accepted one; no seat is left while someone waits).
		var acc, wait []*allocation.Decision
		for k, m := range order {
			d := asked[m]
			in := d.Outcome == allocation.Accepted && d.Course == cr.ID
			if in != (k < n) {
				return fmt.Errorf("course %d (cap %d, rate %d%%): candidate %d at call %d has accepted=%v (blocking pair or wasted seat)",
					cr.ID, cr.Capacity, pct, d.Candidate, k+1, in)
			}
			if in {
				acc = append(acc, d)
			} else {
				wait = append(wait, d)
				pos := slices.IndexFunc(d.Waiting, func(p allocation.Place) bool { return p.Course == cr.ID })
				if got := d.Waiting[pos].Position; got != int32(len(wait)) {
					return fmt.Errorf("course %d: candidate %d has position %d, want %d", cr.ID, d.Candidate, got, len(wait))
				}
			}
		}
		if int(cr.Waiting) != len(wait) || cr.HasCutOff != (len(wait) > 0 && len(acc) > 0) {
			return fmt.Errorf("course %d: waiting %d/%v, want %d", cr.ID, cr.Waiting, cr.HasCutOff, len(wait))
		}
		// The evaluation order is never inverted.
		for _, a := range acc {
			for _, w := range wait {
				if a.Evaluation < w.Evaluation {
					return fmt.Errorf("course %d: candidate %d (evaluation %d) accepted while %d (evaluation %d) waits",
						cr.ID, a.Candidate, a.Evaluation, w.Candidate, w.Evaluation)
				}
			}
		}
		// The minimum rate is met whenever enough eligible candidates exist:
		// if it is not, no waiting social-criteria candidate could replace an
		// accepted one without inverting the evaluation order.
		soc := 0
		for _, a := range acc {
			if a.Social != 0 {
				soc++
			}
		}
		met := soc*100 >= pct*len(acc)
		if met != cr.RateMet {
			return fmt.Errorf("course %d: RateMet=%v, want %v", cr.ID, cr.RateMet, met)
		}
		if !met {
			for _, w := range wait {
				for _, a := range acc {
					if w.Social != 0 && a.Social == 0 && w.Evaluation >= a.Evaluation {
						return fmt.Errorf("course %d (rate %d%%): %d of %d accepted are social, yet social candidate %d (evaluation %d) waits behind %d (evaluation %d)",
							cr.ID, pct, soc, len(acc), w.Candidate, w.Evaluation, a.Candidate, a.Evaluation)
					}
				}
			}
			if !cr.NotEnoughSocial {
				return fmt.Errorf("course %d: rate not met and NotEnoughSocial false", cr.ID)
			}
		}
	}
	for _, f := range r.Fairness {
		if !f.RateMet() {
			return fmt.Errorf("formation %d: rate broken", f.Formation)
		}
	}
	// The removals in force are the clashes listed, one each.
	removals := 0
	for k := range r.Decisions {
		removals += len(r.Decisions[k].Removed)
	}
	if removals != len(r.Clashes) {
		return fmt.Errorf("%d courses removed from lists, %d clashes listed", removals, len(r.Clashes))
	}
	return freeSeatViolation(in, r)
}

// freeSeatViolation checks CAN-3 with SEL-5 after a run: no eligible
// candidature waits for — or is accepted below, on its list — a course of its
// list (removed for a clash or not) that has a free seat and that the
// candidate could hold without a clash with the courses they hold in their
// other formations.
func freeSeatViolation(in allocation.Input, r *allocation.Result) error {
	courses := map[allocation.CourseID]allocation.Course{}
	for _, c := range in.Courses {
		courses[c.ID] = c
	}
	accepted := map[allocation.CourseID]int32{}
	held := map[allocation.CandidateID][]*allocation.Decision{}
	for k := range r.Decisions {
		if d := &r.Decisions[k]; d.Outcome == allocation.Accepted {
			accepted[d.Course]++
			held[d.Candidate] = append(held[d.Candidate], d)
		}
	}
	for k := range r.Decisions {
		d := &r.Decisions[k]
		if d.Outcome == allocation.Ineligible {
			continue
		}
		list, _ := expectedList(in, d.Candidature)
		if d.Outcome == allocation.Accepted {
			list = list[:slices.Index(list, d.Course)]
		}
	next:
		for _, id := range list {
			c := courses[id]
			if accepted[id] >= c.Capacity {
				continue
			}
			for _, o := range held[d.Candidate] {
				if o.Formation != d.Formation && overlap(c, courses[o.Course]) {
					continue next
				}
			}
			return fmt.Errorf("%d/%d: %v (list %v, removed %v) while course %d it listed has %d of %d seats taken and clashes with nothing it holds (CAN-3, SEL-5)",
				d.Candidate, d.Formation, d.Outcome, d.List, d.Removed, id, accepted[id], c.Capacity)
		}
	}
	return nil
}
