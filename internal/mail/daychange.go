package mail

import "strings"

// The emails of a day change (SEL-8), one per step, each kept in the
// learner's space: the request recorded, forwarded or not by the director,
// accepted (the learner moved) or refused by the coordinator.

// DayChangeMail is one step of a learner's request to change day.
type DayChangeMail struct {
	Seat        // the course the learner is in when the step is taken
	To   string // the course asked for: code, weekday and time, establishment
	Note string // the staff member's note or reason, "" when none
	// Desk: the request was made at the establishment's desk, recorded by
	// the director.
	Desk bool
}

func (d DayChangeMail) noted(p []string, label string) []string {
	if n := strings.TrimSpace(d.Note); n != "" {
		p = append(p, label+" : « "+n+" »")
	}
	return p
}

// RenderDayChangeRequested acknowledges a request.
func RenderDayChangeRequested(d DayChangeMail) (subject, text, html string, err error) {
	p := []string{"Votre demande de changement de jour est enregistrée : vous souhaitez passer du cours " + d.Course +
		" au cours " + d.To + "."}
	if d.Desk {
		p[0] = "La direction de l'établissement a enregistré votre demande de changement de jour : vous souhaitez passer du cours " +
			d.Course + " au cours " + d.To + "."
	}
	after := []string{"La direction de l'établissement la transmet au coordinateur pédagogique de la formation, qui décide. " +
		"Vous serez prévenu(e) de chaque étape. En attendant, continuez à suivre votre cours actuel."}
	return render("Demande de changement de jour : « "+d.Formation+" »", "Demande de changement de jour enregistrée", d.Seat, p,
		nil, after, "", "")
}

// RenderDayChangeForwarded tells the director's step: forwarded to the
// coordinator, or not (with the reason).
func RenderDayChangeForwarded(d DayChangeMail, forwarded bool) (subject, text, html string, err error) {
	if forwarded {
		p := d.noted([]string{"La direction de l'établissement a transmis votre demande de passer au cours " + d.To +
			" au coordinateur pédagogique de la formation, qui va décider."}, "Note de la direction")
		return render("Changement de jour : demande transmise, « "+d.Formation+" »", "Demande transmise au coordinateur", d.Seat, p,
			nil, []string{"Vous restez inscrit(e) dans le cours " + d.Course + " jusqu'à sa décision."}, "", "")
	}
	p := d.noted([]string{"La direction de l'établissement n'a pas transmis votre demande de passer au cours " + d.To + "."}, "Motif")
	return render("Changement de jour : demande non transmise, « "+d.Formation+" »", "Demande non transmise", d.Seat, p, nil,
		[]string{"Vous restez inscrit(e) dans le cours " + d.Course + "."}, "", "")
}

// RenderDayChangeDecided tells the coordinator's decision: s is the course
// the learner is in now (the new one when accepted).
func RenderDayChangeDecided(d DayChangeMail, accepted bool) (subject, text, html string, err error) {
	if accepted {
		p := d.noted([]string{"Le coordinateur pédagogique a accepté votre changement de jour : vous êtes désormais inscrit(e) dans " +
			"le cours " + d.Course + "."}, "Note du coordinateur")
		return render("Changement de jour accepté : « "+d.Formation+" »", "Changement de jour accepté", d.Seat, p,
			OfferMail{Seat: d.Seat}.lines(), []string{"Ce que vous avez déjà payé reste acquis pour ce nouveau cours."}, "", "")
	}
	p := d.noted([]string{"Le coordinateur pédagogique n'a pas accepté votre demande de passer au cours " + d.To + "."}, "Motif")
	return render("Changement de jour refusé : « "+d.Formation+" »", "Changement de jour refusé", d.Seat, p, nil,
		[]string{"Vous restez inscrit(e) dans le cours " + d.Course + "."}, "", "")
}
