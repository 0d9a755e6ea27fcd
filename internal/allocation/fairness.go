package allocation

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// FormationFairness summarises one formation: who applied, who got in, with
// or without social criteria, whether the minimum rate was met, and the
// redirects made.
type FormationFairness struct {
	Formation        FormationID
	Name             string
	Candidatures     int // all candidatures
	Ineligible       int // stopped by a gate
	Applicants       int // eligible candidatures
	ApplicantsSocial int // of which with social criteria
	Accepted         int
	AcceptedSocial   int // of which with social criteria
	Waiting          int
	MinSocialPercent int // 0 = no minimum rate (social criteria as a plain priority)
	// CoursesBelowRate counts the formation's courses whose accepted hold
	// fewer social-criteria candidates than the rate asks; each of them is
	// short only because no eligible social-criteria candidate was left who
	// could be accepted without inverting the evaluation order
	// (CourseResult.NotEnoughSocial) — CoursesRateBroken counts the others and
	// is always 0 (the property tests check it).
	CoursesBelowRate  int
	CoursesRateBroken int
	Redirects         int // accepted in another course than chosen (SEL-5)
	Placements        int // placed in another level by a test (SEL-3)
	ClashRemovals     int // courses removed from lists for a slot clash (CAN-3)
}

// RateMet reports whether the formation's minimum rate holds in every course
// wherever enough eligible social-criteria candidates asked for it.
func (f FormationFairness) RateMet() bool { return f.CoursesRateBroken == 0 }

func (e *engine) fairness(r *Result) []FormationFairness {
	out := make([]FormationFairness, len(e.formations))
	for k, f := range e.formations {
		out[k] = FormationFairness{Formation: f.ID, Name: f.Name, MinSocialPercent: f.MinSocialPercent}
	}
	for i := range r.Decisions {
		d := &r.Decisions[i]
		s := &out[e.candForm[i]]
		s.Candidatures++
		s.ClashRemovals += len(d.Removed)
		if d.Placed {
			s.Placements++
		}
		if d.Outcome == Ineligible {
			s.Ineligible++
			continue
		}
		s.Applicants++
		social := d.Social != 0
		if social {
			s.ApplicantsSocial++
		}
		switch d.Outcome {
		case Accepted:
			s.Accepted++
			if social {
				s.AcceptedSocial++
			}
			if d.Redirected {
				s.Redirects++
			}
		case Waiting:
			s.Waiting++
		}
	}
	for c := range r.Courses {
		cr := &r.Courses[c]
		if !cr.RateMet {
			s := &out[e.courseForm[c]]
			s.CoursesBelowRate++
			if !cr.NotEnoughSocial {
				s.CoursesRateBroken++
			}
		}
	}
	return out
}

// WriteFairness prints the fairness summary as a table, then the totals, the
// seed and the digest needed to re-run the selection, worded by word.
func WriteFairness(w io.Writer, r *Result, word Words) error {
	say := func(key string, args ...any) string { return word(text(key, args...)) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, col := range []string{"allocation.fairness.formation", "allocation.fairness.candidatures", "allocation.fairness.ineligible",
		"allocation.fairness.accepted", "allocation.fairness.accepted_social", "allocation.fairness.waiting", "allocation.fairness.rate",
		"allocation.fairness.rate_met", "allocation.fairness.redirects", "allocation.fairness.placements", "allocation.fairness.clashes"} {
		fmt.Fprint(tw, say(col), "\t")
	}
	fmt.Fprintln(tw)
	var t FormationFairness
	for _, f := range r.Fairness {
		if f.Candidatures == 0 {
			continue
		}
		name := f.Name
		if name == "" {
			name = say("allocation.fairness.formation_number", "ID", f.Formation)
		}
		rate, met := "—", "—"
		if f.MinSocialPercent > 0 {
			rate = say("allocation.fairness.percent", "Rate", f.MinSocialPercent)
			switch {
			case !f.RateMet():
				met = say("allocation.fairness.no")
			case f.CoursesBelowRate > 0:
				met = say("allocation.fairness.yes_below", "N", f.CoursesBelowRate)
				t.CoursesBelowRate += f.CoursesBelowRate
			default:
				met = say("allocation.fairness.yes")
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t\n", name, f.Candidatures, f.Ineligible, f.Accepted,
			word(share(f.AcceptedSocial, f.Accepted)), f.Waiting, rate, met, f.Redirects, f.Placements, f.ClashRemovals)
		t.Candidatures += f.Candidatures
		t.Ineligible += f.Ineligible
		t.Accepted += f.Accepted
		t.AcceptedSocial += f.AcceptedSocial
		t.Waiting += f.Waiting
		t.Redirects += f.Redirects
		t.Placements += f.Placements
		t.ClashRemovals += f.ClashRemovals
		t.CoursesRateBroken += f.CoursesRateBroken
	}
	fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t\t\t%d\t%d\t%d\t\n", say("allocation.fairness.total"), t.Candidatures, t.Ineligible, t.Accepted,
		word(share(t.AcceptedSocial, t.Accepted)), t.Waiting, t.Redirects, t.Placements, t.ClashRemovals)
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := say("allocation.fairness.rates_met")
	if t.CoursesBelowRate > 0 {
		verdict = say("allocation.fairness.rates_met_below", "N", t.CoursesBelowRate)
	}
	if t.CoursesRateBroken > 0 {
		verdict = say("allocation.fairness.rates_broken", "N", t.CoursesRateBroken)
	}
	_, err := fmt.Fprintf(w, "\n%s\n%s\n%s\n%s\n", say("allocation.fairness.verdict", "Verdict", verdict),
		say("allocation.fairness.clashes_resolved", "N", len(r.Clashes)), say("allocation.fairness.seed", "Seed", r.Seed),
		say("allocation.fairness.digest", "Digest", r.Digest))
	return err
}

// share is part of whole with its percentage: "12 (34,5 %)".
func share(part, whole int) Text {
	if whole == 0 {
		return text("allocation.fairness.count", "N", part)
	}
	return text("allocation.fairness.share", "N", part, "Percent", decimal(100*float64(part)/float64(whole), 1))
}
