package mail

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
)

// Outcomes is the data of the one email a published selection run sends to a
// candidate (PER-1): every outcome of theirs in the run, with the next steps.
// It is kept and queued in the publication's transaction and copied in their
// space (CON-2).
type Outcomes struct {
	FirstName string
	Session   string
	Lines     []OutcomeLine // at least one
	SpaceURL  string        // absolute URL of "Mes candidatures et paiements"
}

// OutcomeKind is what the run decided for one candidature (the words of
// domain.Outcome, repeated so that mail imports nothing).
type OutcomeKind string

// The outcome kinds.
const (
	OutcomeAccepted     OutcomeKind = "accepted"
	OutcomeWaiting      OutcomeKind = "waiting"
	OutcomeIneligible   OutcomeKind = "ineligible"
	OutcomeWithdrawn    OutcomeKind = "withdrawn"
	OutcomeNotRetained  OutcomeKind = "not_retained"
	OutcomeFirstDayTest OutcomeKind = "first_day_test"
)

// OutcomeLine is one candidature's outcome.
type OutcomeLine struct {
	Kind      OutcomeKind
	Formation string
	// Course is the course chosen ("code, schedule, establishment"); Accepted
	// the course accepted in, when it is another (a redirect, SEL-5, or the
	// course of the level placed, SEL-3).
	Course, Accepted string
	// Where and when the first class is (accepted; first-day test).
	Address, FirstClass string
	Waiting             []string // "course: position n" per course waited for
	Reason              string   // why, for ineligible
}

type outcomesView struct {
	Subject, Greeting, Intro, SpaceURL, Contact string
	Blocks                                      []outcomeBlock
}

type outcomeBlock struct {
	Title string
	Lines []string
}

// RenderOutcomes returns the subject, plain text and HTML of the outcomes
// email, in French.
func RenderOutcomes(o Outcomes) (subject, text, html string, err error) {
	if len(o.Lines) == 0 {
		return "", "", "", errors.New("render outcomes email: no outcome")
	}
	if err := checkAbsoluteURL(o.SpaceURL); err != nil {
		return "", "", "", fmt.Errorf("render outcomes email: space URL: %w", err)
	}
	v := outcomesView{Subject: "Résultat de vos candidatures", Greeting: "Bonjour,", SpaceURL: o.SpaceURL, Contact: contactSentence}
	if s := strings.TrimSpace(o.Session); s != "" {
		v.Subject += " — " + s
	}
	if n := strings.TrimSpace(o.FirstName); n != "" {
		v.Greeting = "Bonjour " + n + ","
	}
	v.Intro = "La sélection des candidatures est terminée. Voici le résultat de chacune de vos candidatures :"
	for _, l := range o.Lines {
		v.Blocks = append(v.Blocks, outcomeBlockOf(l))
	}
	var b strings.Builder
	if err := outcomesHTML.Execute(&b, v); err != nil {
		return "", "", "", fmt.Errorf("render outcomes email: HTML body: %w", err)
	}
	return v.Subject, outcomesText(v), b.String(), nil
}

func outcomeBlockOf(l OutcomeLine) outcomeBlock {
	b := outcomeBlock{Title: "« " + strings.TrimSpace(l.Formation) + " »"}
	add := func(s ...string) { b.Lines = append(b.Lines, strings.Join(s, "")) }
	switch l.Kind {
	case OutcomeAccepted:
		b.Title += " : admis(e)"
		if l.Accepted != "" && l.Accepted != l.Course {
			add("Cours : ", l.Accepted, " (vous aviez choisi : ", l.Course, ").")
		} else {
			add("Cours : ", l.Course, ".")
		}
		if l.FirstClass != "" {
			add("Premier cours : ", l.FirstClass, ".")
		}
		if l.Address != "" {
			add("Lieu : ", l.Address, ".")
		}
		add("Apportez une pièce d'identité au premier cours ; l'établissement confirme votre inscription.")
		add("Le paiement vous sera demandé après la validation de votre inscription, entre le premier et le deuxième cours.")
	case OutcomeWaiting:
		b.Title += " : en liste d'attente"
		add("Cours choisi : ", l.Course, ".")
		for _, w := range l.Waiting {
			add("Liste d'attente : ", w, ".")
		}
		add("Si une place se libère, une proposition vous sera envoyée par courriel.")
	case OutcomeWithdrawn:
		b.Title += " : désistement"
		add("Cours choisi : ", l.Course, ".")
		add("Vous étiez absent(e) au test ou à l'entretien : la candidature est considérée comme un désistement.")
	case OutcomeNotRetained:
		b.Title += " : non retenue"
		add("Cours choisi : ", l.Course, ".")
		add("Le test ou l'entretien n'a pas été réussi.")
	case OutcomeFirstDayTest:
		b.Title += " : convoqué(e) au test du premier jour"
		add("Cours choisi : ", l.Course, ".")
		if l.FirstClass != "" {
			add("Test : au premier cours, ", l.FirstClass, ".")
		}
		if l.Address != "" {
			add("Lieu : ", l.Address, ".")
		}
		add("Le test décide du niveau du cours où vous serez inscrit(e) ; les résultats sont affichés dans l'établissement.")
	default:
		b.Title += " : non recevable"
		add("Cours choisi : ", l.Course, ".")
		if r := strings.TrimSpace(l.Reason); r != "" {
			add("Motif : ", r, ".")
		}
	}
	return b
}

func outcomesText(v outcomesView) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	line(v.Greeting)
	line()
	line(v.Intro)
	for _, bl := range v.Blocks {
		line()
		line(bl.Title)
		for _, l := range bl.Lines {
			line("   - ", l)
		}
	}
	line()
	line("Vos candidatures et la copie de chaque courriel sont dans « Mes candidatures et paiements » :")
	line(v.SpaceURL)
	line()
	line("Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. ", v.Contact)
	line()
	line("L'équipe des Cours d'adultes")
	return b.String()
}

var outcomesHTML = template.Must(template.New("outcomes").Parse(`<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background-color:#f2f2f2;">
<div role="article" aria-roledescription="courriel" aria-label="{{.Subject}}" lang="fr" style="max-width:600px;margin:0 auto;padding:24px 16px;background-color:#ffffff;color:#1e1e1e;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#000091;">{{.Subject}}</h1>
<p style="margin:0 0 16px;">{{.Greeting}}</p>
<p style="margin:0 0 16px;">{{.Intro}}</p>
{{range .Blocks}}<h2 style="margin:0 0 8px;font-size:18px;">{{.Title}}</h2>
<ul style="margin:0 0 16px;padding-left:20px;">{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
{{end}}<p style="margin:0 0 16px;">Vos candidatures et la copie de chaque courriel sont dans <a href="{{.SpaceURL}}" style="color:#000091;">Mes candidatures et paiements</a>.</p>
<p style="margin:0 0 16px;font-size:14px;color:#555555;">Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. {{.Contact}}</p>
<p style="margin:0;">L'équipe des Cours d'adultes</p>
</div>
</body>
</html>
`))
