package selection

import (
	"context"
	"errors"
	"slices"

	"cma/internal/allocation"
	"cma/internal/domain"
	"cma/internal/store"
)

// The fairness report of a run (ROLE-5; SEL-1, SEL-5, CAN-3), computed from
// the stored outcomes alone (not from the run's summary), so that it says
// what was decided: per formation, applicants and accepted by social
// criterion, each course's minimum social rate met or not, the redirects,
// placements and clash removals, and how far the order of calls moved from
// the merit order.
//
// The divergence (after Parcoursup's published "divergence" between the
// order of calls and the pedagogical ranking) is a normalised Kendall tau
// distance. For a course, take the candidatures ranked on it in the run
// (accepted in it, waiting for it, or having chosen it and taken part
// without being placed in another level):
//
//   - the merit order ranks them by evaluation, record and motivation
//     (higher first), then the lottery number (lower first), the candidature
//     ID last — the pedagogical order, with no social criterion;
//   - the order of calls is the engine's: where the formation has a minimum
//     rate, allocation.CallOrder applied to the merit order; without one,
//     social criteria as a plain priority right after the evaluation
//     (allocation/priority.go);
//   - inversions = the number of pairs the two orders put the other way
//     round; pairs = n(n−1)/2; divergence = inversions / pairs, in [0, 1]
//     (0: the calls follow the merit order exactly; 1: exactly reversed).
//
// A formation's divergence sums its courses' inversions and pairs; the run's
// sums every course's. A course with fewer than two ranked has no pairs.

// SocialCounts counts candidatures by social criterion; one candidature may
// have several criteria, None has none of them.
type SocialCounts struct {
	Total, RSA, JobSeeker, Subsidised, None int
}

// Social counts those with at least one criterion.
func (c SocialCounts) Social() int { return c.Total - c.None }

func (c *SocialCounts) add(social int) {
	s := allocation.Social(social)
	c.Total++
	if s&allocation.RSA != 0 {
		c.RSA++
	}
	if s&allocation.JobSeeker != 0 {
		c.JobSeeker++
	}
	if s&allocation.Subsidised != 0 {
		c.Subsidised++
	}
	if s == 0 {
		c.None++
	}
}

// CourseReport is one course of a formation in a run.
type CourseReport struct {
	CourseID       int64
	Name           Line
	Capacity       int
	Accepted       int
	AcceptedSocial int
	Waiting        int
	// RateMet: the accepted hold at least ceil(rate × accepted / 100)
	// social-criteria candidates (always true without a rate).
	RateMet bool
	// NoSocialLeft: the rate is not met but no social-criteria candidate
	// waits for the course (the evaluation prevails; none was left).
	NoSocialLeft bool
	Cutoff       *Line // the last accepted priority; nil when nobody is accepted
	Inversions   int64
	Pairs        int64
}

// Divergence is Inversions / Pairs, 0 without pairs.
func (c CourseReport) Divergence() float64 { return ratio(c.Inversions, c.Pairs) }

// FormationReport is one formation in a run.
type FormationReport struct {
	FormationID      int64
	Title            string
	MinSocialPercent int
	Candidatures     int          // every outcome of the formation
	Applicants       SocialCounts // those who took part (not stopped by a gate)
	Accepted         SocialCounts
	Waiting          int
	Stopped          int // ineligible, withdrawn or not retained
	FirstDayTest     int
	Redirects        int // SEL-5
	Placements       int // SEL-3
	ClashRemovals    int // CAN-3
	CoursesBelowRate int
	Courses          []CourseReport
	Inversions       int64
	Pairs            int64
}

// Divergence is the formation's Inversions / Pairs.
func (f FormationReport) Divergence() float64 { return ratio(f.Inversions, f.Pairs) }

// Report is the fairness report of a run.
type Report struct {
	Run        domain.Run
	Formations []FormationReport
	Total      FormationReport // the run's totals (no courses)
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report computes a finished run's fairness report (ROLE-5 only).
func (s *Service) Report(ctx context.Context, actor domain.Actor, runID int64) (Report, error) {
	if !domain.Can(actor, domain.ActRunSelection, domain.Resource{}) {
		return Report{}, ErrForbidden
	}
	run, err := s.store.Run(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return Report{}, ErrNotFound
	} else if err != nil {
		return Report{}, err
	}
	if run.Status != domain.RunDry && run.Status != domain.RunPublished {
		return Report{}, ErrNotDecided
	}
	rows, err := s.store.RunOutcomeRows(ctx, runID)
	if err != nil {
		return Report{}, err
	}
	waiting, err := s.store.RunWaitingRows(ctx, runID)
	if err != nil {
		return Report{}, err
	}
	rates, err := s.store.FormationMinSocial(ctx)
	if err != nil {
		return Report{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return Report{}, err
	}
	rep := buildReport(rows, waiting, rates, func(id int64) (string, int, Line) {
		e, ok := ix.Course(id)
		if !ok {
			return "", 0, courseName(ix, id)
		}
		return e.Formation.Title, e.Capacity, courseName(ix, id)
	})
	rep.Run = run
	return rep, nil
}

// buildReport computes the report from the outcomes; course names a course:
// its formation's title, its capacity and its name.
func buildReport(rows []store.OutcomeRow, waiting map[int64][]domain.WaitingPlace, rates map[int64]int,
	course func(int64) (string, int, Line)) Report {
	var rep Report
	forms := map[int64]*FormationReport{}
	var formOrder []int64
	type ranked struct{ members map[int64]bool }
	ranks := map[int64]*ranked{}    // course → the candidatures ranked on it
	courseForm := map[int64]int64{} // course → formation
	byCand := map[int64]*domain.RunOutcome{}
	rank := func(courseID, cand, form int64) {
		r := ranks[courseID]
		if r == nil {
			r = &ranked{members: map[int64]bool{}}
			ranks[courseID] = r
			courseForm[courseID] = form
		}
		r.members[cand] = true
	}
	for i := range rows {
		o := &rows[i]
		byCand[o.CandidatureID] = &o.RunOutcome
		f := forms[o.FormationID]
		if f == nil {
			title, _, _ := course(o.ChosenCourseID)
			f = &FormationReport{FormationID: o.FormationID, Title: title, MinSocialPercent: rates[o.FormationID]}
			forms[o.FormationID] = f
			formOrder = append(formOrder, o.FormationID)
		}
		f.Candidatures++
		f.ClashRemovals += len(o.Removed)
		if o.Placed {
			f.Placements++
		}
		switch o.Outcome {
		case domain.OutcomeIneligible, domain.OutcomeWithdrawn, domain.OutcomeNotRetained:
			f.Stopped++
			continue
		case domain.OutcomeFirstDayTest:
			f.FirstDayTest++
			continue
		}
		f.Applicants.add(o.Social)
		if !o.Placed { // a placed candidate asks for the courses of their level instead (SEL-3)
			rank(o.ChosenCourseID, o.CandidatureID, o.FormationID)
		}
		switch o.Outcome {
		case domain.OutcomeAccepted:
			f.Accepted.add(o.Social)
			if o.Redirected {
				f.Redirects++
			}
			rank(o.CourseID, o.CandidatureID, o.FormationID)
		case domain.OutcomeWaiting:
			f.Waiting++
		}
		for _, w := range waiting[o.CandidatureID] {
			rank(w.CourseID, o.CandidatureID, o.FormationID)
		}
	}
	courseIDs := make([]int64, 0, len(ranks))
	for id := range ranks {
		courseIDs = append(courseIDs, id)
	}
	slices.Sort(courseIDs)
	for _, id := range courseIDs {
		f := forms[courseForm[id]]
		rate := f.MinSocialPercent
		_, capacity, name := course(id)
		cr := CourseReport{CourseID: id, Name: name, Capacity: capacity}
		var members []*domain.RunOutcome
		var last *domain.RunOutcome
		socialWaiting := false
		for cand := range ranks[id].members {
			o := byCand[cand]
			members = append(members, o)
			switch {
			case o.Outcome == domain.OutcomeAccepted && o.CourseID == id:
				cr.Accepted++
				if o.Social != 0 {
					cr.AcceptedSocial++
				}
				if last == nil || meritCmp(o, last, rate == 0) > 0 {
					last = o
				}
			case o.Outcome == domain.OutcomeWaiting:
				cr.Waiting++
				socialWaiting = socialWaiting || o.Social != 0
			}
		}
		if last != nil {
			t := priorityText(*last, rate)
			cr.Cutoff = &t
		}
		cr.RateMet = rate == 0 || cr.AcceptedSocial >= (rate*cr.Accepted+99)/100
		if !cr.RateMet {
			f.CoursesBelowRate++
			cr.NoSocialLeft = !socialWaiting
		}
		cr.Inversions, cr.Pairs = divergence(members, rate)
		f.Inversions += cr.Inversions
		f.Pairs += cr.Pairs
		f.Courses = append(f.Courses, cr)
	}
	slices.SortFunc(formOrder, func(a, b int64) int {
		if forms[a].Title != forms[b].Title {
			if forms[a].Title < forms[b].Title {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	t := &rep.Total
	for _, id := range formOrder {
		f := forms[id]
		rep.Formations = append(rep.Formations, *f)
		t.Candidatures += f.Candidatures
		t.Applicants = sumCounts(t.Applicants, f.Applicants)
		t.Accepted = sumCounts(t.Accepted, f.Accepted)
		t.Waiting += f.Waiting
		t.Stopped += f.Stopped
		t.FirstDayTest += f.FirstDayTest
		t.Redirects += f.Redirects
		t.Placements += f.Placements
		t.ClashRemovals += f.ClashRemovals
		t.CoursesBelowRate += f.CoursesBelowRate
		t.Inversions += f.Inversions
		t.Pairs += f.Pairs
	}
	return rep
}

func sumCounts(a, b SocialCounts) SocialCounts {
	return SocialCounts{Total: a.Total + b.Total, RSA: a.RSA + b.RSA, JobSeeker: a.JobSeeker + b.JobSeeker,
		Subsidised: a.Subsidised + b.Subsidised, None: a.None + b.None}
}

// divergence counts the inversions between the merit order and the order of
// calls of the candidatures ranked on one course, and the pairs.
func divergence(members []*domain.RunOutcome, rate int) (inversions, pairs int64) {
	n := len(members)
	if n < 2 {
		return 0, 0
	}
	merit := slices.Clone(members)
	slices.SortFunc(merit, func(a, b *domain.RunOutcome) int { return meritCmp(a, b, false) })
	calls := make([]*domain.RunOutcome, 0, n)
	if rate > 0 {
		social, eval := make([]bool, n), make([]int16, n)
		for i, o := range merit {
			social[i], eval[i] = o.Social != 0, int16(o.Evaluation)
		}
		for _, i := range allocation.CallOrder(social, eval, rate) {
			calls = append(calls, merit[i])
		}
	} else {
		calls = slices.Clone(members)
		slices.SortFunc(calls, func(a, b *domain.RunOutcome) int { return meritCmp(a, b, true) })
	}
	pos := make(map[*domain.RunOutcome]int, n)
	for i, o := range merit {
		pos[o] = i
	}
	seq := make([]int, n) // merit positions in call order
	for i, o := range calls {
		seq[i] = pos[o]
	}
	return countInversions(seq), int64(n) * int64(n-1) / 2
}

// countInversions counts pairs i < j with seq[i] > seq[j] (merge sort).
func countInversions(seq []int) int64 {
	if len(seq) < 2 {
		return 0
	}
	mid := len(seq) / 2
	left, right := slices.Clone(seq[:mid]), slices.Clone(seq[mid:])
	n := countInversions(left) + countInversions(right)
	i, j, k := 0, 0, 0
	for i < len(left) && j < len(right) {
		if left[i] <= right[j] {
			seq[k] = left[i]
			i++
		} else {
			seq[k] = right[j]
			n += int64(len(left) - i)
			j++
		}
		k++
	}
	for ; i < len(left); i, k = i+1, k+1 {
		seq[k] = left[i]
	}
	for ; j < len(right); j, k = j+1, k+1 {
		seq[k] = right[j]
	}
	return n
}

// FormationSocialRate is a formation's minimum social rate (percent; 0: none),
// for staff who see the formation (ROLE-4, ROLE-5).
func (s *Service) FormationSocialRate(ctx context.Context, actor domain.Actor, formationID int64) (int, error) {
	if !domain.Can(actor, domain.ActViewFormation, domain.Resource{FormationID: formationID}) {
		return 0, ErrForbidden
	}
	rates, err := s.store.FormationMinSocial(ctx)
	if err != nil {
		return 0, err
	}
	return rates[formationID], nil
}
