package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Confirmation is the data of the candidature confirmation email (CAN-4),
// sent when the person definitively validates their basket.
type Confirmation struct {
	FirstName    string
	Candidatures []ConfirmationLine // one per course
	Assisted     bool               // filed by staff on the person's behalf (CAN-8): say so
	AssistedBy   string             // staff member's name
	SpaceURL     string             // absolute URL of "Mes candidatures et paiements"
	CancelUntil  string             // "15 décembre 2026 inclus" already worded
	AnswerPeriod string             // "du 8 au 22 janvier 2027" already worded
	// HalfTariff is a half-tariff claim with its proof (CAN-9): each line then
	// shows its half tariff, requested subject to the proof's check.
	HalfTariff bool
	Reference  string // the validation's reference number, "" when none
}

// ConfirmationLine is one candidature of the confirmation email. Empty fields
// are left out, except Formation which is required.
type ConfirmationLine struct {
	Formation, Level, Schedule, Establishment, Address, Session, Evaluation, Price string
	Diploma                                                                        string // diploma prepared (CAT-7), if any
	HalfPrice                                                                      string // the half tariff, shown when Confirmation.HalfTariff
}

// confirmationView is what the confirmation templates display.
type confirmationView struct {
	Subject      string
	Greeting     string
	Received     string // "Nous avons bien reçu votre candidature :"
	AssistedNote string // empty unless assisted (CAN-8)
	Lines        []confirmationLineView
	Plural       bool
	SpaceURL     string
	CancelUntil  string
	AnswerPeriod string
	Reference    string
}

type confirmationLineView struct {
	Number  int
	Title   string
	Details []confirmationDetail
	Note    string // the diploma note (CAT-7), if any
}

type confirmationDetail struct{ Label, Value string }

// RenderConfirmation returns the subject, plain text and HTML of the
// candidature confirmation email (CAN-4), in French. It lists every
// candidature, explains what happens next (PER-2, SEL-2, PAY-1), how to
// cancel (CAN-5), that every email is copied in the person's space and that
// the sender address takes no replies (CON-2).
func RenderConfirmation(c Confirmation) (subject, text, html string, err error) {
	view, err := newConfirmationView(c)
	if err != nil {
		return "", "", "", fmt.Errorf("render confirmation email: %w", err)
	}

	var body strings.Builder
	body.Grow(4096)
	if err := confirmationHTML(view).Render(context.Background(), &body); err != nil {
		return "", "", "", fmt.Errorf("render confirmation email: HTML body: %w", err)
	}
	return view.Subject, confirmationText(view), body.String(), nil
}

// newConfirmationView checks c and words the parts that depend on it.
func newConfirmationView(c Confirmation) (confirmationView, error) {
	if len(c.Candidatures) == 0 {
		return confirmationView{}, errors.New("at least one candidature is required")
	}
	if err := checkAbsoluteURL(c.SpaceURL); err != nil {
		return confirmationView{}, fmt.Errorf("space URL: %w", err)
	}
	if strings.TrimSpace(c.CancelUntil) == "" {
		return confirmationView{}, errors.New("cancellation deadline is required")
	}
	if strings.TrimSpace(c.AnswerPeriod) == "" {
		return confirmationView{}, errors.New("answer period is required")
	}

	n := len(c.Candidatures)
	v := confirmationView{
		Greeting:     "Bonjour,",
		Plural:       n > 1,
		SpaceURL:     c.SpaceURL,
		CancelUntil:  strings.TrimSpace(c.CancelUntil),
		AnswerPeriod: strings.TrimSpace(c.AnswerPeriod),
		Reference:    strings.TrimSpace(c.Reference),
	}
	if name := strings.TrimSpace(c.FirstName); name != "" {
		v.Greeting = "Bonjour " + name + ","
	}
	if v.Plural {
		v.Subject = fmt.Sprintf("Vos %d candidatures aux Cours d'adultes sont enregistrées", n)
		v.Received = fmt.Sprintf("Nous avons bien reçu vos %d candidatures :", n)
	} else {
		v.Subject = "Votre candidature aux Cours d'adultes est enregistrée"
		v.Received = "Nous avons bien reçu votre candidature :"
	}
	if c.Assisted {
		by := "un membre de l'équipe des Cours d'adultes"
		if name := strings.TrimSpace(c.AssistedBy); name != "" {
			by = name + ", de l'équipe des Cours d'adultes,"
		}
		what := "Cette candidature a été saisie"
		if v.Plural {
			what = "Ces candidatures ont été saisies"
		}
		v.AssistedNote = what + " pour vous par " + by + " dans le cadre d'une inscription accompagnée. " +
			"Si vous n'avez rien demandé, appelez le " + ContactPhone + "."
	}

	for i, line := range c.Candidatures {
		if strings.TrimSpace(line.Formation) == "" {
			return confirmationView{}, fmt.Errorf("candidature %d: formation is required", i+1)
		}
		lv := confirmationLineView{Number: i + 1, Title: strings.TrimSpace(line.Formation)}
		price := line.Price
		if c.HalfTariff && strings.TrimSpace(line.HalfPrice) != "" {
			// CAN-9: the half tariff is requested; the proof is checked later.
			price = strings.TrimSpace(line.HalfPrice) + ", demi-tarif demandé sous réserve de vérification du justificatif (plein tarif : " +
				strings.TrimSpace(line.Price) + ")"
		}
		for _, d := range []confirmationDetail{
			{"Niveau", line.Level},
			{"Jours et horaires", line.Schedule},
			{"Établissement", line.Establishment},
			{"Adresse", line.Address},
			{"Session", line.Session},
			{"Test ou entretien", line.Evaluation},
			{"Tarif", price},
			{"Diplôme préparé", line.Diploma},
		} {
			if value := strings.TrimSpace(d.Value); value != "" {
				lv.Details = append(lv.Details, confirmationDetail{Label: d.Label, Value: value})
			}
		}
		if strings.TrimSpace(line.Diploma) != "" {
			lv.Note = "Pour le diplôme, vous vous inscrivez vous-même à l'examen et vous payez vous-même les frais d'examen éventuels."
		}
		v.Lines = append(v.Lines, lv)
	}
	return v, nil
}

// ContactPhone is the real channel the city gives for questions, until the
// platform has a contact form: its phone line and hours.
const ContactPhone = "3975 (du lundi au vendredi, de 8 h 30 à 18 h)"

// contactSentence closes every email: how to reach the city.
const contactSentence = "Pour toute question, appelez le " + ContactPhone + "."

// checkAbsoluteURL accepts only absolute http(s) URLs: the link must work
// from a mailbox.
func checkAbsoluteURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// studied opens the "next steps": the candidatures are weighed together at
// the end of the period (PER-2).
func (v confirmationView) studied() string {
	if v.Plural {
		return "Vos candidatures sont étudiées"
	}
	return "Votre candidature est étudiée"
}

// confirmationText is the plain-text body: the HTML body's content, with
// capitals for headings. Written with a builder rather than text/template,
// since it is worded inside the validation transaction, once per validation.
func confirmationText(v confirmationView) string {
	var b strings.Builder
	b.Grow(2048)
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	line(v.Greeting)
	line()
	if v.AssistedNote != "" {
		line(v.AssistedNote)
		line()
	}
	line(v.Received)
	if v.Reference != "" {
		line()
		line("Référence de votre validation : ", v.Reference)
	}
	for _, l := range v.Lines {
		line()
		line(strconv.Itoa(l.Number), ". ", l.Title)
		for _, d := range l.Details {
			line("   ", d.Label, " : ", d.Value)
		}
		if l.Note != "" {
			line("   ", l.Note)
		}
	}
	line()
	line("LA SUITE")
	line()
	line("- ", v.studied(), " avec toutes les autres, à la fin de la période de candidature : l'ordre d'arrivée ne compte pas.")
	line("- Si une formation demande un test ou un entretien, vous recevrez une convocation par courriel. Le test ou l'entretien est obligatoire et sa date ne peut pas être changée : en cas d'absence, la candidature est retirée.")
	line("- Vous recevrez une réponse ", v.AnswerPeriod, ".")
	line("- Vous n'avez rien à payer maintenant. Vous payez seulement si votre inscription est acceptée, en une seule fois, entre le premier et le deuxième cours.")
	line()
	line("ANNULER UNE CANDIDATURE")
	line()
	line("Une candidature validée ne peut plus être modifiée. Vous pouvez l'annuler jusqu'au ", v.CancelUntil, ", dans « Mes candidatures et paiements » :")
	line(v.SpaceURL)
	line()
	line("VOS COURRIELS")
	line()
	line("Une copie de chaque courriel que nous vous envoyons se trouve dans « Mes candidatures et paiements », au cas où un message n'arriverait pas ou finirait dans vos indésirables.")
	line()
	line("Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. ", contactSentence)
	line()
	line("L'équipe des Cours d'adultes")
	return b.String()
}
