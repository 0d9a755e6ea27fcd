package allocation_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cma/internal/allocation"
)

type (
	A  = allocation.Candidature
	C  = allocation.Course
	F  = allocation.Formation
	ID = allocation.CandidateID
)

const (
	h18 = 18 * 60
	h20 = 20 * 60
	h19 = 19 * 60
	h21 = 21 * 60
)

func course(id, formation int64, level int16, day time.Weekday, start, end int16, capacity int32) C {
	return C{ID: allocation.CourseID(id), Formation: allocation.FormationID(formation), Level: level, Weekday: day,
		StartMinute: start, EndMinute: end, Capacity: capacity}
}

// keys words a text as its key and its arguments, nested texts included, in a
// stable order: the engine's tests check what it says, not how French says it
// (internal/i18n's tests check that).
func keys(x allocation.Text) string {
	names := make([]string, 0, len(x.Args))
	for name := range x.Args {
		names = append(names, name)
	}
	slices.Sort(names)
	args := make([]string, len(names))
	for i, name := range names {
		switch v := x.Args[name].(type) {
		case allocation.Text:
			args[i] = name + "=" + keys(v)
		case []allocation.Text:
			list := make([]string, len(v))
			for j, t := range v {
				list[j] = keys(t)
			}
			args[i] = name + "=" + strings.Join(list, "+")
		default:
			args[i] = fmt.Sprintf("%s=%v", name, v)
		}
	}
	if len(args) == 0 {
		return x.Key
	}
	return x.Key + "(" + strings.Join(args, ",") + ")"
}

func run(t *testing.T, in allocation.Input) *allocation.Result {
	t.Helper()
	r, err := allocation.Allocate(in)
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	if err := check(in, r); err != nil {
		t.Fatalf("invariant: %v", err)
	}
	return r
}

// accepted returns the candidates accepted in a course, sorted.
func accepted(r *allocation.Result, c int64) []ID {
	var out []ID
	for _, d := range r.Decisions {
		if d.Outcome == allocation.Accepted && d.Course == allocation.CourseID(c) {
			out = append(out, d.Candidate)
		}
	}
	slices.Sort(out)
	return out
}

func decision(t *testing.T, r *allocation.Result, cand, form int64) *allocation.Decision {
	t.Helper()
	d := r.Decision(ID(cand), allocation.FormationID(form))
	if d == nil {
		t.Fatalf("no decision for %d/%d", cand, form)
	}
	return d
}

// TestSEL1Priority: eligibility gates, then the evaluation, which prevails over
// everything, then social criteria, record, motivation, lottery.
func TestSEL1Priority(t *testing.T) {
	one := []C{course(10, 1, 0, time.Monday, h18, h20, 1)}
	for _, tc := range []struct {
		name string
		a, b A // candidates 1 and 2, one seat
		want ID
	}{
		{"SEL-1 evaluation prevails over social criteria, record and motivation",
			A{Evaluation: 4, Social: allocation.RSA | allocation.JobSeeker, Record: 3, Motivation: 2}, A{Evaluation: 5}, 2},
		{"SEL-1 social criteria as a plain priority at equal evaluation",
			A{Evaluation: 4, Record: 3, Motivation: 2}, A{Evaluation: 4, Social: allocation.Subsidised}, 2},
		{"SEL-1 previous record before motivation",
			A{Evaluation: 4, Record: 1, Motivation: 2}, A{Evaluation: 4, Record: 2}, 2},
		{"SEL-1 motivation before the lottery",
			A{Evaluation: 4, Motivation: 0}, A{Evaluation: 4, Motivation: 1}, 2},
		{"SEL-1 gate: prerequisites not met",
			A{Evaluation: 9, MissingPrerequisites: true}, A{Evaluation: 1}, 2},
		{"SEL-1 gate: withdrawn",
			A{Evaluation: 9, Withdrawn: true}, A{Evaluation: 1}, 2},
		{"SEL-1 gate: repeat limit (SEL-7)",
			A{Evaluation: 9, RepeatExhausted: true}, A{Evaluation: 1}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.a, tc.b
			a.Candidate, a.Formation, a.Course = 1, 1, 10
			b.Candidate, b.Formation, b.Course = 2, 1, 10
			r := run(t, allocation.Input{Seed: 1, Courses: one, Candidatures: []A{a, b}})
			if got := accepted(r, 10); !slices.Equal(got, []ID{tc.want}) {
				t.Fatalf("accepted %v, want [%d]", got, tc.want)
			}
		})
	}
	t.Run("SEL-1 lottery: one number per candidate, lower first", func(t *testing.T) {
		var in allocation.Input
		in.Courses = one
		for c := int64(1); c <= 6; c++ {
			in.Candidatures = append(in.Candidatures, A{Candidate: ID(c), Formation: 1, Course: 10, Evaluation: 3})
		}
		for seed := uint64(0); seed < 5; seed++ {
			in.Seed = seed
			r := run(t, in)
			best := ID(1)
			for c := ID(2); c <= 6; c++ {
				if allocation.Lottery(seed, c) < allocation.Lottery(seed, best) {
					best = c
				}
			}
			if got := accepted(r, 10); !slices.Equal(got, []ID{best}) {
				t.Fatalf("seed %d: accepted %v, want the lowest lottery number %d", seed, got, best)
			}
		}
	})
	t.Run("SEL-1 ineligible outcome names the gate", func(t *testing.T) {
		r := run(t, allocation.Input{Courses: one, Candidatures: []A{{Candidate: 1, Formation: 1, Course: 10, Withdrawn: true, MissingPrerequisites: true}}})
		d := decision(t, r, 1, 1)
		if d.Outcome != allocation.Ineligible || d.Gate != allocation.GatePrerequisites {
			t.Fatalf("got %v %v, want ineligible for prerequisites (first gate)", d.Outcome, d.Gate)
		}
		if s := r.Explain(0).Worded(keys); !strings.Contains(s, "allocation.explain.ineligible(Gate=allocation.gate.prerequisites)") {
			t.Fatalf("explanation does not name the gate:\n%s", s)
		}
	})
}

// TestSEL1MinimumRate: where the formation sets a minimum rate, the rate
// changes who is called — and never above a better evaluation.
func TestSEL1MinimumRate(t *testing.T) {
	// Two seats; same evaluation; merit without social criteria: 1, 2, 3, 4
	// (by record); 3 and 4 have social criteria.
	cands := []A{
		{Candidate: 1, Formation: 1, Course: 10, Evaluation: 3, Record: 4},
		{Candidate: 2, Formation: 1, Course: 10, Evaluation: 3, Record: 3},
		{Candidate: 3, Formation: 1, Course: 10, Evaluation: 3, Record: 2, Social: allocation.RSA},
		{Candidate: 4, Formation: 1, Course: 10, Evaluation: 3, Record: 1, Social: allocation.JobSeeker},
	}
	courses := []C{course(10, 1, 0, time.Monday, h18, h20, 2)}
	for _, tc := range []struct {
		name string
		pct  int
		want []ID
	}{
		// Plain priority: both social-criteria candidates go first.
		{"SEL-1 no minimum rate: social criteria as plain priority", 0, []ID{3, 4}},
		// Order of calls 3, 1, 4, 2 (k=1 needs 1 social; k=2 needs 1): the
		// rate moves 3 up, but not 4: 1 keeps a seat that plain priority gave to 4.
		{"SEL-1 minimum rate 50%: the rate changes who is called", 50, []ID{1, 3}},
		{"SEL-1 minimum rate 100%", 100, []ID{3, 4}},
		{"SEL-1 minimum rate 10%", 10, []ID{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, allocation.Input{Formations: []F{{ID: 1, MinSocialPercent: tc.pct}}, Courses: courses, Candidatures: cands})
			if got := accepted(r, 10); !slices.Equal(got, tc.want) {
				t.Fatalf("accepted %v, want %v", got, tc.want)
			}
			if tc.pct > 0 && !r.Courses[0].RateMet {
				t.Fatalf("rate %d%% not met: %+v", tc.pct, r.Courses[0])
			}
		})
	}
	t.Run("SEL-1 minimum rate never beats a better evaluation", func(t *testing.T) {
		in := allocation.Input{Formations: []F{{ID: 1, MinSocialPercent: 50}}, Courses: courses, Candidatures: []A{
			{Candidate: 1, Formation: 1, Course: 10, Evaluation: 5},
			{Candidate: 2, Formation: 1, Course: 10, Evaluation: 5},
			{Candidate: 3, Formation: 1, Course: 10, Evaluation: 4, Social: allocation.RSA},
		}}
		r := run(t, in)
		if got := accepted(r, 10); !slices.Equal(got, []ID{1, 2}) {
			t.Fatalf("accepted %v, want [1 2]", got)
		}
		cr := r.Courses[0]
		if cr.RateMet || !cr.NotEnoughSocial || !r.Fairness[0].RateMet() {
			t.Fatalf("want rate not met for lack of eligible social candidates: %+v / %+v", cr, r.Fairness[0])
		}
		if p := decision(t, r, 3, 1).Waiting; len(p) != 1 || p[0].Position != 1 {
			t.Fatalf("candidate 3 waiting places %v, want first on the list", p)
		}
	})
}

// TestSEL3Placement: a placement test decides the level; the same slot at the
// placed level is the original course, other courses of that level are redirects.
func TestSEL3Placement(t *testing.T) {
	courses := []C{
		course(11, 1, 1, time.Monday, h18, h20, 5),   // level 1, Monday 18h
		course(21, 1, 2, time.Monday, h18, h20, 5),   // level 2, Monday 18h
		course(22, 1, 2, time.Thursday, h19, h21, 5), // level 2, Thursday 19h
		course(12, 1, 1, time.Tuesday, h18, h20, 5),  // level 1, Tuesday 18h
	}
	in := allocation.Input{Courses: courses, Candidatures: []A{
		{Candidate: 1, Formation: 1, Course: 11, PlacedLevel: 2, Evaluation: 3},                        // same slot exists at level 2
		{Candidate: 2, Formation: 1, Course: 12, PlacedLevel: 2, Evaluation: 3},                        // no level-2 course on Tuesday 18h, no redirect
		{Candidate: 3, Formation: 1, Course: 12, PlacedLevel: 2, Evaluation: 3, AcceptsRedirect: true}, // … with redirects
		{Candidate: 4, Formation: 1, Course: 11, PlacedLevel: 1, Evaluation: 3},                        // placed where they chose
	}}
	r := run(t, in)
	for _, tc := range []struct {
		name       string
		cand       int64
		outcome    allocation.Outcome
		course     int64
		redirected bool
		placed     bool
	}{
		{"SEL-3 placed in level 2, same slot: original course", 1, allocation.Accepted, 21, false, true},
		{"SEL-3 placed in level 2, no course on the slot, no redirect: ineligible", 2, allocation.Ineligible, 0, false, true},
		{"SEL-3 placed in level 2 with redirects: a level-2 course", 3, allocation.Accepted, 21, true, true},
		{"SEL-3 placed in the chosen level", 4, allocation.Accepted, 11, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decision(t, r, tc.cand, 1)
			if d.Outcome != tc.outcome || int64(d.Course) != tc.course || d.Redirected != tc.redirected || d.Placed != tc.placed {
				t.Fatalf("got %v course %d redirected %v placed %v; want %v %d %v %v", d.Outcome, d.Course, d.Redirected, d.Placed,
					tc.outcome, tc.course, tc.redirected, tc.placed)
			}
		})
	}
	if d := decision(t, r, 2, 1); d.Gate != allocation.GateNoCourseAtLevel {
		t.Fatalf("candidate 2 gate %v", d.Gate)
	}
	// Redirect order: same weekday first (Monday 21 before Thursday 22).
	if d := decision(t, r, 3, 1); !slices.Equal(d.List, []allocation.CourseID{21, 22}) {
		t.Fatalf("candidate 3 list %v, want [21 22]", d.List)
	}
}

// TestSEL5Redirect: when the chosen course is full, only candidates who accept
// redirects get an equivalent course (same formation, same level), in the
// documented order; the others wait with a position.
func TestSEL5Redirect(t *testing.T) {
	courses := []C{
		course(10, 1, 1, time.Monday, h18, h20, 1),
		course(11, 1, 1, time.Wednesday, h20, 22*60, 1), // further in time
		course(12, 1, 1, time.Wednesday, h18, h20, 1),   // same start, other day
		course(13, 1, 1, time.Monday, h20, 22*60, 1),    // same day
		course(20, 1, 2, time.Monday, h18, h20, 9),      // another level: never a redirect
	}
	in := allocation.Input{Courses: courses, Candidatures: []A{
		{Candidate: 1, Formation: 1, Course: 10, Evaluation: 5},
		{Candidate: 2, Formation: 1, Course: 10, Evaluation: 4, AcceptsRedirect: true},
		{Candidate: 3, Formation: 1, Course: 10, Evaluation: 3},
		{Candidate: 4, Formation: 1, Course: 10, Evaluation: 2, AcceptsRedirect: true},
	}}
	r := run(t, in)
	t.Run("SEL-5 documented redirect order", func(t *testing.T) {
		if d := decision(t, r, 2, 1); !slices.Equal(d.List, []allocation.CourseID{10, 13, 12, 11}) {
			t.Fatalf("list %v, want [10 13 12 11]: chosen, same day, then closest start", d.List)
		}
	})
	t.Run("SEL-5 redirected when accepting redirects", func(t *testing.T) {
		d := decision(t, r, 2, 1)
		if d.Outcome != allocation.Accepted || d.Course != 13 || !d.Redirected {
			t.Fatalf("got %v %d redirected=%v", d.Outcome, d.Course, d.Redirected)
		}
		if len(d.Waiting) != 1 || d.Waiting[0] != (allocation.Place{Course: 10, Position: 1}) {
			t.Fatalf("waiting places %v, want first for course 10", d.Waiting)
		}
		if d := decision(t, r, 4, 1); d.Course != 12 || !d.Redirected {
			t.Fatalf("candidate 4: %v %d", d.Outcome, d.Course)
		}
	})
	t.Run("SEL-5 waits when refusing redirects", func(t *testing.T) {
		d := decision(t, r, 3, 1)
		if d.Outcome != allocation.Waiting || len(d.Waiting) != 1 || d.Waiting[0] != (allocation.Place{Course: 10, Position: 2}) {
			t.Fatalf("got %v %v, want waiting second for course 10 (after candidate 2)", d.Outcome, d.Waiting)
		}
		x := r.Explain(slices.IndexFunc(r.Decisions, func(d allocation.Decision) bool { return d.Candidate == 3 })).Worded(keys)
		for _, want := range []string{"allocation.explain.waiting", "allocation.explain.evaluation(Evaluation=3)",
			"CutOff=allocation.priority.no_social(Criteria=,Evaluation=5,", ",Position=2,Role=allocation.role.choice)"} {
			if !strings.Contains(x, want) {
				t.Fatalf("explanation lacks %q:\n%s", want, x)
			}
		}
	})
	t.Run("SEL-5 cut-off is the last accepted priority", func(t *testing.T) {
		cr := r.Course(10)
		if !cr.HasCutOff || cr.CutOff.Evaluation != 5 || cr.Waiting != 3 {
			t.Fatalf("course 10: %+v", cr)
		}
		if cr := r.Course(20); cr.Accepted != 0 || cr.HasCutOff {
			t.Fatalf("course 20 of another level got candidates: %+v", cr)
		}
	})
}

// TestPER2SubmissionOrder: the order of the records never changes an outcome.
func TestPER2SubmissionOrder(t *testing.T) {
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidates: 600, Courses: 40, Seed: 3})
	a := run(t, in)
	rev := in
	rev.Candidatures = slices.Clone(in.Candidatures)
	slices.Reverse(rev.Candidatures)
	rev.Courses = slices.Clone(in.Courses)
	slices.Reverse(rev.Courses)
	b := run(t, rev)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("PER-2: reversing the submission order changed the result")
	}
	if a.Digest != b.Digest || !strings.HasPrefix(a.Digest, "sha256:") {
		t.Fatalf("digests %s / %s", a.Digest, b.Digest)
	}
	changed := in
	changed.Candidatures = slices.Clone(in.Candidatures)
	changed.Candidatures[0].Evaluation++
	c, err := allocation.Allocate(changed)
	if err != nil {
		t.Fatal(err)
	}
	if c.Digest == a.Digest {
		t.Fatal("the digest ignores a changed evaluation")
	}
	in.Seed++
	if d, _ := allocation.Allocate(in); d.Digest == a.Digest {
		t.Fatal("the digest ignores the seed")
	}
}

// TestCAN3Clash: two redirects of different formations landing on the same
// slot. The candidate keeps the course of the formation they prefer (Rank);
// the other course is removed from the other candidature's list, which goes on
// to its next course.
func TestCAN3Clash(t *testing.T) {
	courses := []C{
		course(10, 1, 0, time.Monday, h18, h20, 1), // formation 1, chosen (full)
		course(11, 1, 0, time.Tuesday, h18, h20, 1),
		course(20, 2, 0, time.Wednesday, h18, h20, 1), // formation 2, chosen (full)
		course(21, 2, 0, time.Tuesday, h19, h21, 1),   // overlaps course 11
		course(22, 2, 0, time.Friday, h20, 22*60, 1),  // further from the chosen start than 21
	}
	base := []A{
		{Candidate: 1, Formation: 1, Course: 10, Evaluation: 5},
		{Candidate: 2, Formation: 2, Course: 20, Evaluation: 5},
		{Candidate: 3, Formation: 1, Course: 10, Evaluation: 3, AcceptsRedirect: true},
		{Candidate: 3, Formation: 2, Course: 20, Evaluation: 3, AcceptsRedirect: true},
	}
	for _, tc := range []struct {
		name             string
		rank1, rank2     int16
		keep, lose       int64 // formations
		keptC, redirectC int64
	}{
		{"CAN-3 rank prefers formation 2", 2, 1, 2, 1, 21, 0},
		{"CAN-3 rank prefers formation 1", 1, 2, 1, 2, 11, 22},
		{"CAN-3 no rank: formation ID order", 0, 0, 1, 2, 11, 22},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cands := slices.Clone(base)
			cands[2].Rank, cands[3].Rank = tc.rank1, tc.rank2
			r := run(t, allocation.Input{Courses: courses, Candidatures: cands})
			kept, lost := decision(t, r, 3, tc.keep), decision(t, r, 3, tc.lose)
			if kept.Outcome != allocation.Accepted || int64(kept.Course) != tc.keptC {
				t.Fatalf("preferred formation %d: %v %d, want course %d", tc.keep, kept.Outcome, kept.Course, tc.keptC)
			}
			if len(r.Clashes) != 1 || int64(r.Clashes[0].Kept) != tc.keptC || len(lost.Removed) != 1 {
				t.Fatalf("clashes %+v, removed %v", r.Clashes, lost.Removed)
			}
			switch tc.redirectC {
			case 0:
				if lost.Outcome != allocation.Waiting {
					t.Fatalf("formation %d: %v %d, want waiting", tc.lose, lost.Outcome, lost.Course)
				}
			default:
				if lost.Outcome != allocation.Accepted || int64(lost.Course) != tc.redirectC {
					t.Fatalf("formation %d: %v %d, want course %d", tc.lose, lost.Outcome, lost.Course, tc.redirectC)
				}
			}
			x := r.Explain(slices.IndexFunc(r.Decisions, func(d allocation.Decision) bool {
				return d.Candidate == 3 && int64(d.Formation) == tc.lose
			})).Worded(keys)
			if !strings.Contains(x, "allocation.explain.removed(Course=allocation.course") {
				t.Fatalf("explanation does not mention the clash:\n%s", x)
			}
		})
	}
}

// TestCAN3SEL5RemovedCourseFreed: candidate 3 wins courses 10 (formation 1,
// preferred) and 20 (formation 2) on the same Monday slot, so 20 is removed
// from their formation-2 list. In the same round candidate 4 loses course 11
// to a clash with their preferred formation 3, goes on to their redirect 10,
// and takes it from candidate 3 (better evaluation). Candidate 3 no longer
// holds anything on Monday: before the fix they waited everywhere while 20
// stood empty; now 20 is put back and they are accepted there, and the removal
// is no longer listed. When a candidate 5 has taken 20's only seat meanwhile,
// it stays removed, and the explanation says the seat went.
func TestCAN3SEL5RemovedCourseFreed(t *testing.T) {
	courses := []C{
		course(10, 1, 0, time.Monday, h18, h20, 1),
		course(11, 1, 0, time.Tuesday, h18, h20, 1),
		course(20, 2, 0, time.Monday, h18, h20, 1),
		course(30, 3, 0, time.Tuesday, h18, h20, 1),
	}
	base := []A{
		{Candidate: 3, Formation: 1, Course: 10, Rank: 1, Evaluation: 3},
		{Candidate: 3, Formation: 2, Course: 20, Rank: 2, Evaluation: 3},
		{Candidate: 4, Formation: 1, Course: 11, Rank: 2, Evaluation: 5, AcceptsRedirect: true},
		{Candidate: 4, Formation: 3, Course: 30, Rank: 1, Evaluation: 5},
	}
	for _, tc := range []struct {
		name      string
		extra     []A
		outcome   allocation.Outcome
		course    int64
		removed   []allocation.CourseID
		clashes   int
		explained string
	}{
		{"the freed course is put back and won", nil, allocation.Accepted, 20, nil, 1, ""},
		{"the freed course went to another: it stays removed",
			[]A{{Candidate: 5, Formation: 2, Course: 20, Evaluation: 1}}, allocation.Waiting, 0,
			[]allocation.CourseID{20}, 2, "allocation.explain.removed_full(Course=allocation.course(ID=20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, allocation.Input{Courses: courses, Candidatures: append(slices.Clone(base), tc.extra...)})
			if got := accepted(r, 10); !slices.Equal(got, []ID{4}) {
				t.Fatalf("course 10: %v, want candidate 4", got)
			}
			if d := decision(t, r, 4, 1); !slices.Equal(d.Removed, []allocation.CourseID{11}) {
				t.Fatalf("candidate 4 formation 1: removed %v, want [11]", d.Removed)
			}
			d := decision(t, r, 3, 2)
			if d.Outcome != tc.outcome || int64(d.Course) != tc.course || !slices.Equal(d.Removed, tc.removed) {
				t.Fatalf("candidate 3 formation 2: %v %d removed %v, want %v %d removed %v",
					d.Outcome, d.Course, d.Removed, tc.outcome, tc.course, tc.removed)
			}
			if len(r.Clashes) != tc.clashes {
				t.Fatalf("clashes %+v, want %d", r.Clashes, tc.clashes)
			}
			x := r.Explain(slices.IndexFunc(r.Decisions, func(d allocation.Decision) bool {
				return d.Candidate == 3 && d.Formation == 2
			})).Worded(keys)
			if tc.explained == "" && strings.Contains(x, "allocation.explain.removed") || !strings.Contains(x, tc.explained) {
				t.Fatalf("explanation:\n%s", x)
			}
		})
	}
}

// TestBadInput: a typed error naming the offending record, and no result.
func TestBadInput(t *testing.T) {
	good := func() allocation.Input {
		return allocation.Input{
			Formations: []F{{ID: 1}, {ID: 2}},
			Courses:    []C{course(10, 1, 0, time.Monday, h18, h20, 2), course(20, 2, 0, time.Monday, h18, h20, 2)},
			Candidatures: []A{
				{Candidate: 1, Formation: 1, Course: 10},
				{Candidate: 2, Formation: 2, Course: 20},
			},
		}
	}
	for _, tc := range []struct {
		name   string
		break_ func(*allocation.Input)
		kind   allocation.ErrorKind
		record string
		index  int
	}{
		{"unknown course", func(in *allocation.Input) { in.Candidatures[1].Course = 99 }, allocation.UnknownCourse, "candidature (candidate 2, formation 2)", 1},
		{"negative capacity", func(in *allocation.Input) { in.Courses[1].Capacity = -1 }, allocation.NegativeCapacity, "course 20", 1},
		{"course of another formation", func(in *allocation.Input) { in.Candidatures[0].Course = 20 }, allocation.FormationMismatch, "candidature (candidate 1, formation 1)", 0},
		{"duplicate candidature", func(in *allocation.Input) {
			in.Candidatures = append(in.Candidatures, A{Candidate: 1, Formation: 1, Course: 10, Evaluation: 3})
		}, allocation.DuplicateCandidature, "candidature (candidate 1, formation 1)", -1},
		{"duplicate course", func(in *allocation.Input) { in.Courses = append(in.Courses, in.Courses[0]) }, allocation.DuplicateCourse, "course 10", -1},
		{"duplicate formation", func(in *allocation.Input) { in.Formations = append(in.Formations, F{ID: 2}) }, allocation.DuplicateFormation, "formation 2", -1},
		{"rate above 100", func(in *allocation.Input) { in.Formations[0].MinSocialPercent = 101 }, allocation.InvalidRate, "formation 1", 0},
		{"course ends before it starts", func(in *allocation.Input) { in.Courses[0].EndMinute = h18 }, allocation.InvalidSlot, "course 10", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.break_(&in)
			r, err := allocation.Allocate(in)
			var ie *allocation.InputError
			if r != nil || !errors.As(err, &ie) {
				t.Fatalf("got result %v, error %v; want an *InputError and no result", r != nil, err)
			}
			if ie.Kind != tc.kind || ie.Record != tc.record || (tc.index >= 0 && ie.Index != tc.index) {
				t.Fatalf("got %v %q index %d; want %v %q index %d", ie.Kind, ie.Record, ie.Index, tc.kind, tc.record, tc.index)
			}
			if !strings.Contains(err.Error(), tc.record) {
				t.Fatalf("message %q does not name the record", err)
			}
		})
	}
}

// TestSyntheticSession runs the engine on a realistic synthetic session and
// checks every invariant, the summary and every explanation.
func TestSyntheticSession(t *testing.T) {
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidates: 3000, Courses: 120, Seed: 11})
	if n := len(in.Candidatures); n < 4000 || n > 5000 {
		t.Fatalf("%d candidatures for 3000 candidates, want about 1.5 each", n)
	}
	r := run(t, in)
	var acc, redirects, clashes int
	for i, d := range r.Decisions {
		if d.Outcome == allocation.Accepted {
			acc++
			if d.Redirected {
				redirects++
			}
		}
		clashes += len(d.Removed)
		if x := r.Explain(i); len(x.Lines) < 2 {
			t.Fatalf("explanation %d: %v", i, x)
		}
	}
	if acc == 0 || redirects == 0 {
		t.Fatalf("accepted %d, redirects %d: the synthetic session exercises nothing", acc, redirects)
	}
	var sb strings.Builder
	if err := allocation.WriteFairness(&sb, r, keys); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"allocation.fairness.formation", "allocation.fairness.candidatures", "allocation.fairness.accepted",
		"allocation.fairness.accepted_social", "allocation.fairness.rate", "allocation.fairness.rate_met", "allocation.fairness.redirects",
		"allocation.fairness.digest(Digest=" + r.Digest + ")"} {
		if !strings.Contains(sb.String(), want) {
			t.Fatalf("summary lacks %q:\n%s", want, sb.String())
		}
	}
	t.Logf("accepted %d of %d, redirects %d, clash removals %d", acc, len(r.Decisions), redirects, clashes)
}
