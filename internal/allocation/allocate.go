package allocation

import (
	"cmp"
	"fmt"
	"slices"
)

// Gate says why a candidature takes no part in the allocation.
type Gate uint8

// The eligibility gates, in the order they are checked.
const (
	GateNone            Gate = iota
	GatePrerequisites        // prerequisites not met
	GateWithdrawn            // withdrawn (désistement)
	GateRepeat               // repeat limit reached (SEL-7)
	GateNoCourseAtLevel      // placed in a level with no course on the chosen slot, redirects refused (SEL-3)
	GateNotPassed            // the test or interview was not passed (SEL-2)
)

// gateNames name the gates in logs and tests; Text words them for people.
var gateNames = [...]string{GateNone: "none", GatePrerequisites: "prerequisites", GateWithdrawn: "withdrawn",
	GateRepeat: "repeat", GateNoCourseAtLevel: "no_course_at_level", GateNotPassed: "not_passed"}

func (g Gate) String() string {
	if int(g) < len(gateNames) {
		return gateNames[g]
	}
	return fmt.Sprintf("Gate(%d)", int(g))
}

// gateKeys are the message keys of the gates that stop a candidature.
var gateKeys = [...]string{GatePrerequisites: "allocation.gate.prerequisites", GateWithdrawn: "allocation.gate.withdrawn",
	GateRepeat: "allocation.gate.repeat", GateNoCourseAtLevel: "allocation.gate.no_course_at_level",
	GateNotPassed: "allocation.gate.not_passed"}

// Text says why the gate stops a candidature, to be worded.
func (g Gate) Text() Text {
	if int(g) < len(gateKeys) && gateKeys[g] != "" {
		return text(gateKeys[g])
	}
	return text("allocation.gate.unknown", "Gate", int(g))
}

// Options tune a run without changing its result.
type Options struct {
	// Progress, if set, is told how far the run is: stage names a step (a
	// Text to be worded), done/total its progress. It is called from the
	// calling goroutine.
	Progress func(stage Text, done, total int)
}

// Allocate runs the engine with no options. See Run.
func Allocate(in Input) (*Result, error) { return Run(in, Options{}) }

// Run decides the session: it validates the input (returning an *InputError
// naming the first bad record, and nothing else), builds every candidature's
// list, runs candidate-proposing deferred acceptance per formation, resolves
// overlapping slots across formations (CAN-3), and assembles the outcomes,
// cut-offs, explanations and fairness summary.
func Run(in Input, opt Options) (*Result, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(Text, int, int) {}
	}
	const steps = 6
	progress(text("allocation.stage.validation"), 0, steps)
	e, err := prepare(in)
	if err != nil {
		return nil, err
	}
	progress(text("allocation.stage.lists"), 1, steps)
	e.buildLists()
	progress(text("allocation.stage.deferred_acceptance"), 2, steps)
	e.allocateAll()
	progress(text("allocation.stage.clashes"), 3, steps)
	e.resolveClashes()
	progress(text("allocation.stage.results"), 4, steps)
	r := e.result()
	progress(text("allocation.stage.digest"), 5, steps)
	r.Digest = digest(e)
	progress(text("allocation.stage.done"), steps, steps)
	return r, nil
}

// engine is the state of one run. Candidatures and courses are addressed by
// their int32 index in the sorted slices; nothing is keyed by map in the hot
// path, and nothing depends on the order of the input.
type engine struct {
	seed       uint64
	formations []Formation // sorted by ID, every formation of a course
	courses    []Course    // sorted by ID
	coursePct  []int8      // per course: its formation's minimum rate
	courseForm []int32     // per course: index in formations
	cands      []Candidature
	candForm   []int32 // per candidature: index in formations
	chosen     []int32 // per candidature: index of the course chosen
	gate       []Gate
	key, lot   []uint64 // merit key and lottery number, per candidature

	listOff  []int32 // candidature i's list is list[listOff[i]:listOff[i+1]]
	list     []int32 // course indices; ^c (negative) = course c removed by CAN-3 resolution
	original []bool  // the list starts with the original course (not a redirect)

	next     []int32   // per candidature: next list position to propose to
	assigned []int32   // per candidature: course held, -1 if none
	held     [][]int32 // per course: candidatures held, in merit order
	pending  [][]int32 // per course: proposals of the current round

	byForm     []int32 // candidature indices grouped by formation
	byFormOff  []int32
	courseByF  []int32 // course indices grouped by formation
	courseFOff []int32

	clashes []Clash   // removals in force, in the order made
	clashAt []clashAt // where each of clashes took its course off
	scratch scratch
}

type scratch struct {
	merged, order []int32
	chosen        []bool
}

func (e *engine) courseIndex(id CourseID) int32 {
	i, ok := slices.BinarySearchFunc(e.courses, id, func(c Course, id CourseID) int { return cmp.Compare(c.ID, id) })
	if !ok {
		return -1
	}
	return int32(i)
}

func (e *engine) formationIndex(id FormationID) int32 {
	i, ok := slices.BinarySearchFunc(e.formations, id, func(f Formation, id FormationID) int { return cmp.Compare(f.ID, id) })
	if !ok {
		return -1
	}
	return int32(i)
}

// sortedPerm returns the indices of s sorted by cmpFn.
func sortedPerm[T any](s []T, cmpFn func(a, b *T) int) []int32 {
	p := make([]int32, len(s))
	for i := range p {
		p[i] = int32(i)
	}
	slices.SortFunc(p, func(a, b int32) int { return cmp.Or(cmpFn(&s[a], &s[b]), cmp.Compare(a, b)) })
	return p
}

// prepare validates the input and builds the canonical, sorted state.
func prepare(in Input) (*engine, error) {
	e := &engine{seed: in.Seed}

	// Formations.
	fp := sortedPerm(in.Formations, func(a, b *Formation) int { return cmp.Compare(a.ID, b.ID) })
	for k, i := range fp {
		f := in.Formations[i]
		if f.MinSocialPercent < 0 || f.MinSocialPercent > 100 {
			return nil, &InputError{Kind: InvalidRate, Record: fmt.Sprintf("formation %d", f.ID), Index: int(i),
				Detail: fmt.Sprintf("minimum rate %d%% is not between 0 and 100", f.MinSocialPercent)}
		}
		if k > 0 && in.Formations[fp[k-1]].ID == f.ID {
			return nil, &InputError{Kind: DuplicateFormation, Record: fmt.Sprintf("formation %d", f.ID), Index: int(i),
				Detail: "the formation is given twice"}
		}
		e.formations = append(e.formations, f)
	}

	// Courses.
	cp := sortedPerm(in.Courses, func(a, b *Course) int { return cmp.Compare(a.ID, b.ID) })
	e.courses = make([]Course, 0, len(in.Courses))
	var extra []Formation
	for k, i := range cp {
		c := in.Courses[i]
		name := fmt.Sprintf("course %d", c.ID)
		switch {
		case k > 0 && in.Courses[cp[k-1]].ID == c.ID:
			return nil, &InputError{Kind: DuplicateCourse, Record: name, Index: int(i), Detail: "the course is given twice"}
		case c.Capacity < 0:
			return nil, &InputError{Kind: NegativeCapacity, Record: name, Index: int(i), Detail: fmt.Sprintf("capacity %d", c.Capacity)}
		case c.Weekday < 0 || c.Weekday > 6 || c.StartMinute < 0 || c.EndMinute > 24*60 || c.StartMinute >= c.EndMinute:
			return nil, &InputError{Kind: InvalidSlot, Record: name, Index: int(i),
				Detail: fmt.Sprintf("weekday %d, %d–%d minutes", c.Weekday, c.StartMinute, c.EndMinute)}
		case c.Level < 0:
			return nil, &InputError{Kind: NegativeLevel, Record: name, Index: int(i), Detail: fmt.Sprintf("level %d", c.Level)}
		}
		e.courses = append(e.courses, c)
		if e.formationIndex(c.Formation) < 0 {
			extra = append(extra, Formation{ID: c.Formation})
		}
	}
	if len(extra) > 0 { // formations known only from their courses: no minimum rate
		e.formations = append(e.formations, extra...)
		slices.SortFunc(e.formations, func(a, b Formation) int { return cmp.Compare(a.ID, b.ID) })
		e.formations = slices.CompactFunc(e.formations, func(a, b Formation) bool { return a.ID == b.ID })
	}
	e.coursePct = make([]int8, len(e.courses))
	e.courseForm = make([]int32, len(e.courses))
	for i := range e.courses {
		f := e.formationIndex(e.courses[i].Formation)
		e.courseForm[i] = f
		e.coursePct[i] = int8(e.formations[f].MinSocialPercent)
	}

	// Candidatures.
	ap := sortedPerm(in.Candidatures, func(a, b *Candidature) int {
		return cmp.Or(cmp.Compare(a.Candidate, b.Candidate), cmp.Compare(a.Formation, b.Formation))
	})
	e.cands = make([]Candidature, 0, len(in.Candidatures))
	e.chosen = make([]int32, 0, len(in.Candidatures))
	for k, i := range ap {
		c := &in.Candidatures[i]
		if k > 0 {
			p := &in.Candidatures[ap[k-1]]
			if p.Candidate == c.Candidate && p.Formation == c.Formation {
				return nil, &InputError{Kind: DuplicateCandidature, Record: candidatureName(c), Index: int(i),
					Detail: fmt.Sprintf("the candidate already applies to formation %d (CAN-2)", c.Formation)}
			}
		}
		ci := e.courseIndex(c.Course)
		switch {
		case ci < 0:
			return nil, &InputError{Kind: UnknownCourse, Record: candidatureName(c), Index: int(i),
				Detail: fmt.Sprintf("course %d does not exist", c.Course)}
		case e.courses[ci].Formation != c.Formation:
			return nil, &InputError{Kind: FormationMismatch, Record: candidatureName(c), Index: int(i),
				Detail: fmt.Sprintf("course %d belongs to formation %d", c.Course, e.courses[ci].Formation)}
		case c.PlacedLevel < 0:
			return nil, &InputError{Kind: NegativeLevel, Record: candidatureName(c), Index: int(i),
				Detail: fmt.Sprintf("placed level %d", c.PlacedLevel)}
		}
		e.cands = append(e.cands, *c)
		e.chosen = append(e.chosen, ci)
	}

	n := len(e.cands)
	e.candForm = make([]int32, n)
	e.gate = make([]Gate, n)
	e.key = make([]uint64, n)
	e.lot = make([]uint64, n)
	for i := range e.cands {
		c := &e.cands[i]
		f := e.courseForm[e.chosen[i]]
		e.candForm[i] = f
		switch {
		case c.MissingPrerequisites:
			e.gate[i] = GatePrerequisites
		case c.Withdrawn:
			e.gate[i] = GateWithdrawn
		case c.RepeatExhausted:
			e.gate[i] = GateRepeat
		case c.NotPassed:
			e.gate[i] = GateNotPassed
		}
		e.key[i] = meritKey(c, e.formations[f].MinSocialPercent == 0)
		if i > 0 && e.cands[i-1].Candidate == c.Candidate {
			e.lot[i] = e.lot[i-1] // one number per candidate
		} else {
			e.lot[i] = Lottery(e.seed, c.Candidate)
		}
	}

	// Groupings by formation index (counting sort: stable, so each group is
	// in candidature order).
	e.byForm, e.byFormOff = groupBy(e.candForm, len(e.formations))
	e.courseByF, e.courseFOff = groupBy(e.courseForm, len(e.formations))
	return e, nil
}

// groupBy returns the indices 0..len(keys)-1 grouped by key (stable) and the
// offsets of each group.
func groupBy(keys []int32, groups int) (idx, off []int32) {
	off = make([]int32, groups+1)
	for _, k := range keys {
		off[k+1]++
	}
	for g := range groups {
		off[g+1] += off[g]
	}
	idx = make([]int32, len(keys))
	fill := slices.Clone(off[:groups])
	for i, k := range keys {
		idx[fill[k]] = int32(i)
		fill[k]++
	}
	return idx, off
}

// allocateAll runs deferred acceptance over every formation.
func (e *engine) allocateAll() {
	n := len(e.cands)
	e.next = make([]int32, n)
	e.assigned = make([]int32, n)
	for i := range e.assigned {
		e.assigned[i] = -1
	}
	e.held = make([][]int32, len(e.courses))
	e.pending = make([][]int32, len(e.courses))
	all := make([]int32, len(e.formations))
	for f := range all {
		all[f] = int32(f)
	}
	e.defer_(all)
}

// defer_ runs candidate-proposing deferred acceptance (Gale and Shapley, 1962)
// from scratch for the given formations. Formations are independent markets:
// a candidature only proposes to courses of its own formation, and a
// candidate holds at most one course per formation.
//
// Rounds: every free candidature proposes to the next course on its list
// (skipping courses removed by the CAN-3 resolution); then every course that
// received proposals keeps, among what it held and what it received, the
// first ones in its order of calls up to its capacity, and rejects the rest,
// who become free. It stops when nobody is free with a course left to ask.
// Each course's choice only depends on the set it chooses from, so the result
// does not depend on the order proposals are handled in; it is the
// candidate-optimal stable allocation.
func (e *engine) defer_(forms []int32) {
	var free []int32
	for _, f := range forms {
		for _, c := range e.courseByF[e.courseFOff[f]:e.courseFOff[f+1]] {
			e.held[c] = e.held[c][:0]
		}
		for _, i := range e.byForm[e.byFormOff[f]:e.byFormOff[f+1]] {
			e.next[i] = 0
			e.assigned[i] = -1
			if e.gate[i] == GateNone {
				free = append(free, i)
			}
		}
	}
	var dirty []int32
	for len(free) > 0 {
		dirty = dirty[:0]
		for _, i := range free {
			c := e.propose(i)
			if c < 0 {
				continue // list exhausted: waiting
			}
			if len(e.pending[c]) == 0 {
				dirty = append(dirty, c)
			}
			e.pending[c] = append(e.pending[c], i)
		}
		free = free[:0]
		for _, c := range dirty {
			free = e.choose(c, free)
		}
	}
	for _, f := range forms {
		for _, c := range e.courseByF[e.courseFOff[f]:e.courseFOff[f+1]] {
			for _, i := range e.held[c] {
				e.assigned[i] = c
			}
		}
	}
}

// propose advances candidature i to the next course on its list that is not
// removed, and returns it (-1 when the list is exhausted).
func (e *engine) propose(i int32) int32 {
	end := e.listOff[i+1] - e.listOff[i]
	for e.next[i] < end {
		c := e.list[e.listOff[i]+e.next[i]]
		e.next[i]++
		if c >= 0 {
			return c
		}
	}
	return -1
}

// choose makes course c keep the first of held ∪ pending in its order of
// calls, up to its capacity, and appends the rejected to free.
func (e *engine) choose(c int32, free []int32) []int32 {
	pend := e.pending[c]
	slices.SortFunc(pend, e.cmpMerit)
	s := &e.scratch
	s.merged = mergeSorted(s.merged[:0], e.held[c], pend, e.better)
	e.pending[c] = pend[:0]
	capacity := int(e.courses[c].Capacity)
	kept := e.held[c][:0]
	if len(s.merged) <= capacity {
		e.held[c] = append(kept, s.merged...)
		return free
	}
	if e.coursePct[c] == 0 {
		e.held[c] = append(kept, s.merged[:capacity]...)
		return append(free, s.merged[capacity:]...)
	}
	// Minimum rate: keep the first `capacity` of the order of calls, in merit order.
	s.chosen = slices.Grow(s.chosen[:0], len(s.merged))[:len(s.merged)]
	clear(s.chosen)
	taken := 0
	e.callOrderOf(c, s.merged, func(k int) {
		if taken < capacity {
			s.chosen[k] = true
			taken++
		}
	})
	for k, i := range s.merged {
		if s.chosen[k] {
			kept = append(kept, i)
		} else {
			free = append(free, i)
		}
	}
	e.held[c] = kept
	return free
}

// callOrderOf applies the order of calls of course c to candidatures given in
// merit order.
func (e *engine) callOrderOf(c int32, merit []int32, emit func(int)) {
	callOrder(len(merit), int(e.coursePct[c]),
		func(k int) bool { return e.cands[merit[k]].Social != 0 },
		func(k int) uint64 { return band(e.key[merit[k]]) },
		emit)
}

// mergeSorted appends the merge of two sorted slices to dst.
func mergeSorted(dst, a, b []int32, less func(x, y int32) bool) []int32 {
	for len(a) > 0 && len(b) > 0 {
		if less(b[0], a[0]) {
			dst = append(dst, b[0])
			b = b[1:]
		} else {
			dst = append(dst, a[0])
			a = a[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}
