package allocation

import (
	"fmt"
	"io"
	"strings"
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

// WriteFairness prints the fairness summary as a table with French labels,
// then the totals, the seed and the digest needed to re-run the selection.
func WriteFairness(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Formation\tCandidatures\tNon recevables\tAdmis\tdont critères sociaux\tEn attente\tTaux minimum\tRespecté\tRéorientations\tPlacements (test)\tConflits d'horaires\t")
	var t FormationFairness
	for _, f := range r.Fairness {
		if f.Candidatures == 0 {
			continue
		}
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("n° %d", f.Formation)
		}
		rate, met := "—", "—"
		if f.MinSocialPercent > 0 {
			rate = fmt.Sprintf("%d %%", f.MinSocialPercent)
			switch {
			case !f.RateMet():
				met = "NON"
			case f.CoursesBelowRate > 0:
				met = fmt.Sprintf("oui (%d)", f.CoursesBelowRate)
				t.CoursesBelowRate += f.CoursesBelowRate
			default:
				met = "oui"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t\n", name, f.Candidatures, f.Ineligible, f.Accepted,
			share(f.AcceptedSocial, f.Accepted), f.Waiting, rate, met, f.Redirects, f.Placements, f.ClashRemovals)
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
	fmt.Fprintf(tw, "Total\t%d\t%d\t%d\t%s\t%d\t\t\t%d\t%d\t%d\t\n", t.Candidatures, t.Ineligible, t.Accepted,
		share(t.AcceptedSocial, t.Accepted), t.Waiting, t.Redirects, t.Placements, t.ClashRemovals)
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "respectés"
	if t.CoursesBelowRate > 0 {
		verdict += fmt.Sprintf(" ; « oui (n) » : dans n cours, le taux n'est pas atteint faute de candidats éligibles à critères sociaux d'évaluation suffisante (l'évaluation prime, SEL-1) — %d cours en tout", t.CoursesBelowRate)
	}
	if t.CoursesRateBroken > 0 {
		verdict = fmt.Sprintf("NON RESPECTÉS dans %d cours", t.CoursesRateBroken)
	}
	_, err := fmt.Fprintf(w, "\nTaux minimums de candidats à critères sociaux : %s.\nConflits d'horaires résolus (CAN-3) : %d.\nGraine du tirage au sort (seed) : %d\nEmpreinte des données (input digest) : %s\n",
		verdict, len(r.Clashes), r.Seed, r.Digest)
	return err
}

func share(part, whole int) string {
	if whole == 0 {
		return fmt.Sprintf("%d", part)
	}
	return strings.Replace(fmt.Sprintf("%d (%.1f %%)", part, 100*float64(part)/float64(whole)), ".", ",", 1)
}
