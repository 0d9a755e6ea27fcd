package allocation

import (
	"fmt"
	"strings"
)

// Explanation is the record that tells a person why their candidature got its
// outcome: their evaluation band, their priority criteria, for each course
// they asked for the last accepted priority and their position, and any
// course removed for a slot clash.
type Explanation struct {
	Candidate CandidateID
	Formation FormationID
	Outcome   Outcome
	Lines     []string // French sentences, in reading order
}

// String is the explanation as one text.
func (x Explanation) String() string { return strings.Join(x.Lines, "\n") }

var weekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

func slot(c *Course) string {
	return fmt.Sprintf("%s %02dh%02d–%02dh%02d", weekdays[c.Weekday], c.StartMinute/60, c.StartMinute%60, c.EndMinute/60, c.EndMinute%60)
}

func courseName(r *Result, id CourseID) string {
	if c := r.Course(id); c != nil {
		lvl := ""
		if c.Level > 0 {
			lvl = fmt.Sprintf(", niveau %d", c.Level)
		}
		return fmt.Sprintf("cours %d (%s%s)", id, slot(&c.Course), lvl)
	}
	return fmt.Sprintf("cours %d", id)
}

// Explain returns the explanation of r.Decisions[i].
func (r *Result) Explain(i int) Explanation {
	d := &r.Decisions[i]
	x := Explanation{Candidate: d.Candidate, Formation: d.Formation, Outcome: d.Outcome}
	add := func(format string, a ...any) { x.Lines = append(x.Lines, fmt.Sprintf(format, a...)) }

	add("Candidature du candidat %d à la formation %d, cours choisi : %s.", d.Candidate, d.Formation, courseName(r, d.Candidature.Course))
	switch d.Outcome {
	case Ineligible:
		add("Résultat : non recevable — %s. La candidature n'entre pas dans la sélection.", d.Gate)
		return x
	case Accepted:
		how := "le cours choisi"
		if d.Redirected {
			how = "une réorientation vers un cours équivalent (SEL-5)"
		}
		add("Résultat : admis(e) au %s, par %s.", courseName(r, d.Course), how)
	case Waiting:
		add("Résultat : en attente — aucune place dans les cours demandés pour l'instant.")
	}
	if d.Placed {
		add("Le test de positionnement vous a placé(e) au niveau %d : vous êtes candidat(e) aux cours de ce niveau (SEL-3).", d.PlacedLevel)
	}
	add("Votre évaluation : %d. Elle prime sur tous les autres critères (SEL-1).", d.Evaluation)
	rate := 0
	for _, f := range r.Fairness {
		if f.Formation == d.Formation {
			rate = f.MinSocialPercent
		}
	}
	switch {
	case d.Social != 0 && rate > 0:
		add("Critères sociaux : %s. Cette formation réserve au moins %d %% des places de chaque cours aux candidats à critères sociaux, à évaluation égale.", strings.Join(d.Social.Names(), ", "), rate)
	case d.Social != 0:
		add("Critères sociaux : %s. Ils vous donnent priorité sur les candidats de même évaluation qui n'en ont pas.", strings.Join(d.Social.Names(), ", "))
	case rate > 0:
		add("Sans critère social. Cette formation réserve au moins %d %% des places de chaque cours aux candidats à critères sociaux, à évaluation égale.", rate)
	default:
		add("Sans critère social.")
	}
	add("Puis : parcours antérieur %d, motivation %d, et votre numéro de tirage au sort %s (le même pour toute la sélection ; la date de dépôt ne compte pas, PER-2).",
		d.Record, d.Motivation, lotteryFraction(d.Priority.Lottery))

	wait := map[CourseID]int32{}
	for _, p := range d.Waiting {
		wait[p.Course] = p.Position
	}
	for k, id := range d.List {
		c := r.Course(id)
		role := "réorientation (SEL-5)"
		if k == 0 && isOriginal(r, d, id) {
			role = "votre choix"
		}
		switch {
		case d.Outcome == Accepted && id == d.Course:
			add("• %s (%s) : admis(e).", courseName(r, id), role)
			return x.withRemoved(r, d)
		case c == nil:
			continue
		case c.HasCutOff:
			add("• %s (%s) : complet, %d place(s). Dernier admis : %s. Vous êtes %de sur la liste d'attente.",
				courseName(r, id), role, c.Capacity, c.CutOff, wait[id])
		default:
			add("• %s (%s) : %d place(s) ; vous êtes %de sur la liste d'attente.", courseName(r, id), role, c.Capacity, wait[id])
		}
	}
	return x.withRemoved(r, d)
}

func (x Explanation) withRemoved(r *Result, d *Decision) Explanation {
	for _, id := range d.Removed {
		for _, cl := range r.Clashes {
			if cl.Candidate == d.Candidate && cl.Formation == d.Formation && cl.Removed == id {
				x.Lines = append(x.Lines, fmt.Sprintf("• %s : retiré de vos vœux, car il a lieu en même temps que le %s que vous avez obtenu dans la formation %d, que vous préférez (CAN-3).",
					courseName(r, id), courseName(r, cl.Kept), cl.KeptFormation))
				break
			}
		}
	}
	return x
}

// isOriginal: course id is the one chosen, or its same-slot equivalent at the
// placed level (lists.go).
func isOriginal(r *Result, d *Decision, id CourseID) bool {
	if id == d.Candidature.Course {
		return true
	}
	c, chosen := r.Course(id), r.Course(d.Candidature.Course)
	return d.Placed && c != nil && chosen != nil && c.Weekday == chosen.Weekday && c.StartMinute == chosen.StartMinute
}
