package selection

import (
	"context"
	"errors"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// TestReport_ROLE5_SEL1_SEL5: the fairness report counts applicants and
// accepted by social criterion, the redirects and clash removals, checks the
// minimum rate per course, and is for the central service only.
func TestReport_ROLE5_SEL1_SEL5(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newReportFixture(t, d, 50)
		if _, err := f.svc.Report(ctx, f.other, f.runID); !errors.Is(err, ErrForbidden) {
			t.Fatalf("a director: err = %v, want ErrForbidden", err)
		}
		rep, err := f.svc.Report(ctx, f.central, f.runID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Run.Seed != 42 || rep.Run.Digest != "sha256:abc" || len(rep.Formations) != 1 {
			t.Fatalf("report: %+v", rep)
		}
		fr := rep.Formations[0]
		want := SocialCounts{Total: 3, RSA: 1, JobSeeker: 1, None: 1}
		if fr.Applicants != want || fr.Accepted != (SocialCounts{Total: 2, RSA: 1, None: 1}) {
			t.Errorf("applicants %+v accepted %+v", fr.Applicants, fr.Accepted)
		}
		if fr.Stopped != 1 || fr.Waiting != 1 || fr.Redirects != 1 || fr.ClashRemovals != 1 || fr.MinSocialPercent != 50 {
			t.Errorf("formation: %+v", fr)
		}
		// c1: the one accepted has RSA (rate met); c2: the one accepted has
		// none while a job seeker waits for it (below the rate).
		if len(fr.Courses) != 2 || !fr.Courses[0].RateMet || fr.Courses[1].RateMet || fr.Courses[1].NoSocialLeft || fr.CoursesBelowRate != 1 {
			t.Errorf("courses: %+v", fr.Courses)
		}
		if fr.Courses[0].Cutoff == nil || fr.Courses[0].Cutoff.Args["Evaluation"] != int16(15) {
			t.Errorf("c1 cut-off: %+v", fr.Courses[0].Cutoff)
		}
		if rep.Total.Applicants != fr.Applicants {
			t.Errorf("total: %+v", rep.Total)
		}
	})
}

// TestDivergence_SEL1: the divergence counts the pairs the order of calls
// puts against the merit order, normalised by the number of pairs.
func TestDivergence_SEL1(t *testing.T) {
	if n := countInversions([]int{0, 1, 2, 3}); n != 0 {
		t.Errorf("sorted: %d inversions", n)
	}
	if n := countInversions([]int{3, 2, 1, 0}); n != 6 {
		t.Errorf("reversed: %d inversions, want 6", n)
	}
	if n := countInversions([]int{1, 0, 3, 2, 4}); n != 2 {
		t.Errorf("two swaps: %d inversions, want 2", n)
	}
	// Equal evaluations; a, b without social criteria before c with one in
	// merit (lottery). Social criteria as a plain priority (no rate) call c
	// first: 2 inversions of 3 pairs.
	a := &domain.RunOutcome{CandidatureID: 1, Evaluation: 10, Lottery: 1}
	b := &domain.RunOutcome{CandidatureID: 2, Evaluation: 10, Lottery: 2}
	c := &domain.RunOutcome{CandidatureID: 3, Evaluation: 10, Lottery: 3, Social: 1}
	if inv, pairs := divergence([]*domain.RunOutcome{a, b, c}, 0); inv != 2 || pairs != 3 {
		t.Errorf("plain priority: %d/%d, want 2/3", inv, pairs)
	}
	// A 34 % rate: the first call must be social (ceil(0.34) = 1): c, a, b.
	if inv, _ := divergence([]*domain.RunOutcome{a, b, c}, 34); inv != 2 {
		t.Errorf("rate 34 %%: %d inversions, want 2", inv)
	}
	// The evaluation prevails: c with a lower evaluation is never moved up.
	c.Evaluation = 9
	if inv, _ := divergence([]*domain.RunOutcome{a, b, c}, 34); inv != 0 {
		t.Errorf("lower evaluation: %d inversions, want 0", inv)
	}
}
