package mail

import (
	"fmt"
	"strings"
)

// The waiting lists' emails (SEL-4, SEL-5, CON-2): a freed seat offered with
// its deadline, the reminder on the deadline's day, the answers, the offer
// expired, a place given up. Each is kept in the person's space and sent
// through the outbox in the transaction of what it tells.

// Seat is a course as the waiting lists' emails name it.
type Seat struct {
	FirstName string
	Formation string
	Course    string // code, weekday and time, establishment
	Address   string // the establishment's address, "" when unknown
	First     string // the first class meeting ("lundi 14/09/2026 à 18:30"), "" when unknown
	SpaceURL  string // absolute URL of "Mes candidatures et paiements"
}

// OfferMail is an offer of a freed seat.
type OfferMail struct {
	Seat
	Deadline string // the last day to answer, "mercredi 16 septembre 2026"
	Redirect bool   // a course equivalent to the one chosen (SEL-5)
	// CourseClosed: offered because the course chosen did not open (SEL-6).
	CourseClosed bool
	OfferURL     string // the page with the two buttons (absolute)
}

func (o OfferMail) check(what string) error {
	for _, u := range []string{o.SpaceURL, o.OfferURL} {
		if err := checkAbsoluteURL(u); err != nil {
			return fmt.Errorf("render %s email: URL: %w", what, err)
		}
	}
	if strings.TrimSpace(o.Deadline) == "" {
		return fmt.Errorf("render %s email: the deadline is required", what)
	}
	return nil
}

func (o OfferMail) lines() []string {
	l := []string{"formation : " + o.Formation, "cours : " + o.Course}
	if o.Address != "" {
		l = append(l, "lieu : "+o.Address)
	}
	if o.First != "" {
		l = append(l, "premier cours : "+o.First)
	}
	return l
}

func render(subject, heading string, s Seat, paragraphs, lines, after []string, linkText, link string) (string, string, string, error) {
	if err := checkAbsoluteURL(s.SpaceURL); err != nil {
		return "", "", "", fmt.Errorf("render %q: space URL: %w", subject, err)
	}
	v := convocationView{Subject: subject, Heading: heading, Greeting: greeting(s.FirstName), Paragraphs: paragraphs,
		Lines: lines, After: after, LinkText: linkText, Link: link, SpaceURL: s.SpaceURL, Contact: contactSentence}
	text, html, err := renderView(v)
	if err != nil {
		return "", "", "", fmt.Errorf("render %q: %w", subject, err)
	}
	return subject, text, html, nil
}

// redirectSentence says what a redirect is (SEL-5).
const redirectSentence = "Ce cours n'est pas celui que vous aviez choisi : c'est un cours équivalent (même formation, " +
	"même niveau), un autre jour ou dans un autre lieu, comme vous l'avez accepté en validant votre candidature."

// closedSentence says why a course not chosen is offered (SEL-6).
const closedSentence = "Le cours que vous aviez choisi n'ouvrira pas, faute d'un nombre suffisant d'auditeurs : " +
	"cette place vous est proposée dans un cours équivalent (même formation, même niveau), un autre jour ou dans un autre lieu."

// RenderOffer returns the subject, plain text and HTML of an offer.
func RenderOffer(o OfferMail) (subject, text, html string, err error) {
	if err := o.check("offer"); err != nil {
		return "", "", "", err
	}
	p := []string{"Une place s'est libérée et elle vous est proposée, dans l'ordre de la liste d'attente :"}
	after := []string{}
	switch {
	case o.CourseClosed:
		after = append(after, closedSentence)
	case o.Redirect:
		after = append(after, redirectSentence)
	}
	after = append(after,
		"La place vous est réservée jusqu'au "+o.Deadline+" à 23 h 59 (heure de Paris). Acceptez-la ou refusez-la sur la page "+
			"ci-dessous : un refus la libère aussitôt pour la personne suivante.",
		"Sans réponse à cette date, la place sera proposée à la personne suivante et votre candidature sortira des listes d'attente.")
	return render("Une place vous est proposée : « "+o.Formation+" »", "Une place vous est proposée", o.Seat, p, o.lines(), after,
		"Accepter ou refuser la place", o.OfferURL)
}

// RenderOfferReminder returns the reminder of an offer, on its deadline's day.
func RenderOfferReminder(o OfferMail) (subject, text, html string, err error) {
	if err := o.check("offer reminder"); err != nil {
		return "", "", "", err
	}
	p := []string{"La place qui vous est proposée vous attend encore aujourd'hui, " + o.Deadline + ", jusqu'à 23 h 59 (heure de Paris) :"}
	after := []string{"Sans réponse ce soir, elle sera proposée à la personne suivante et votre candidature sortira des listes d'attente."}
	return render("Rappel : une place vous attend jusqu'à ce soir, « "+o.Formation+" »", "Dernier jour pour répondre", o.Seat, p,
		o.lines(), after, "Accepter ou refuser la place", o.OfferURL)
}

// RenderOfferAccepted confirms a seat taken from the waiting list.
func RenderOfferAccepted(s Seat) (subject, text, html string, err error) {
	lines := OfferMail{Seat: s}.lines()
	p := []string{"Vous avez accepté la place proposée : vous êtes admis(e) dans ce cours."}
	after := []string{"L'établissement confirmera votre inscription au premier cours ; le paiement se fait ensuite, " +
		"entre le premier et le deuxième cours."}
	return render("Place acceptée : « "+s.Formation+" »", "Vous êtes admis(e)", s, p, lines, after, "", "")
}

// RenderOfferDeclined confirms an offer declined; left says whether the
// candidature still waits on other lists.
func RenderOfferDeclined(s Seat, stillWaiting bool) (subject, text, html string, err error) {
	p := []string{"Vous avez refusé la place proposée dans le cours " + s.Course + " : elle est proposée à la personne suivante."}
	if stillWaiting {
		p = append(p, "Vous restez sur les autres listes d'attente de la formation « "+s.Formation+" ».")
	} else {
		p = append(p, "Votre candidature à la formation « "+s.Formation+" » sort des listes d'attente.")
	}
	return render("Place refusée : « "+s.Formation+" »", "Place refusée", s, p, nil, nil, "", "")
}

// RenderOfferExpired tells that an offer was not answered in time; kept is
// the course the candidate stays accepted in ("" when none: their wait is
// over).
func RenderOfferExpired(s Seat, deadline, kept string) (subject, text, html string, err error) {
	p := []string{"La place qui vous était proposée dans le cours " + s.Course + " n'a pas reçu de réponse avant le " +
		deadline + " à 23 h 59 : elle est proposée à la personne suivante."}
	if kept != "" {
		p = append(p, "Vous gardez votre place dans le cours "+kept+" ; vous ne serez plus appelé(e) pour un autre cours.")
	} else {
		p = append(p, "Votre candidature à la formation « "+s.Formation+" » sort des listes d'attente.")
	}
	return render("Offre expirée : « "+s.Formation+" »", "Offre expirée", s, p, nil, nil, "", "")
}

// RenderGivenUp confirms a place given up, or a wait ended (désistement),
// by the candidate or, with the reason, recorded by the establishment.
func RenderGivenUp(s Seat, wasAccepted bool, reason string) (subject, text, html string, err error) {
	p := []string{"Votre désistement de la formation « " + s.Formation + " » est enregistré."}
	if reason != "" {
		p[0] = "L'établissement a enregistré votre désistement de la formation « " + s.Formation + " » : « " + reason + " »."
	}
	if wasAccepted {
		p = append(p, "Votre place dans le cours "+s.Course+" est libérée : elle est proposée à la personne suivante de la liste d'attente.")
	} else {
		p = append(p, "Votre candidature sort des listes d'attente.")
	}
	p = append(p, "Un désistement est définitif. Pour suivre cette formation plus tard, candidatez à une prochaine session.")
	return render("Désistement enregistré : « "+s.Formation+" »", "Désistement enregistré", s, p, nil, nil, "", "")
}

// RenderCourseClosed tells that a course will not open (SEL-6); offered
// says whether a seat in an equivalent course is offered (its own email).
func RenderCourseClosed(s Seat, reason string, offered bool) (subject, text, html string, err error) {
	p := []string{"Le cours " + s.Course + " de la formation « " + s.Formation + " » n'ouvrira pas : " + reason + "."}
	if offered {
		p = append(p, "Une place vous est proposée dans un cours équivalent : un autre courriel vous en donne le détail et le délai pour répondre.")
	} else {
		p = append(p, "Aucun cours équivalent n'a de place libre pour vous à ce jour.")
	}
	p = append(p, "Si vous avez déjà payé ce cours, la somme vous sera remboursée en totalité : le service des cours d'adultes vous demandera vos coordonnées bancaires.")
	return render("Cours non ouvert : « "+s.Formation+" »", "Ce cours n'ouvrira pas", s, p, nil, nil, "", "")
}
