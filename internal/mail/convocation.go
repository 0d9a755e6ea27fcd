package mail

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
)

// Convocation is the data of a candidate's nominative convocation email
// (SEL-2): to a test or interview sitting, or to the first class for a
// first-day test. It is sent in the convocations' transaction and copied in
// her space (CON-2).
type Convocation struct {
	FirstName, LastName string
	Formation           string
	What                string // "au test de niveau", "à l'entretien", "au test du premier jour"
	When                string // "mardi 5 janvier 2027 à 18 h 30", Paris
	Minutes             int    // 0 when unknown (the first class)
	Place               string // establishment, address, room
	PDFURL              string // absolute URL of the printable convocation
	SpaceURL            string // absolute URL of "Mes candidatures et paiements"
}

// Withdrawal is the email telling a candidate who was absent from her test
// that her candidature is withdrawn (désistement, SEL-2).
type Withdrawal struct {
	FirstName, Formation, What, When string
	SpaceURL                         string
}

type convocationView struct {
	Subject, Heading, Greeting string
	Paragraphs                 []string
	Lines                      []string
	After                      []string // paragraphs after the lines
	LinkText, Link             string
	SpaceURL                   string
	Contact                    string
}

var convocationHTML = template.Must(template.New("convocation").Parse(`<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background-color:#f2f2f2;">
<div role="article" aria-roledescription="courriel" aria-label="{{.Subject}}" lang="fr" style="max-width:600px;margin:0 auto;padding:24px 16px;background-color:#ffffff;color:#1e1e1e;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#000091;">{{.Heading}}</h1>
<p style="margin:0 0 16px;">{{.Greeting}}</p>
{{range .Paragraphs}}<p style="margin:0 0 16px;">{{.}}</p>
{{end}}{{if .Lines}}<ul style="margin:0 0 16px;padding-left:20px;">{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{range .After}}<p style="margin:0 0 16px;">{{.}}</p>
{{end}}{{if .Link}}<p style="margin:0 0 16px;"><a href="{{.Link}}" style="color:#000091;">{{.LinkText}}</a></p>
{{end}}<p style="margin:0 0 16px;">Vos candidatures et la copie de chaque courriel sont dans <a href="{{.SpaceURL}}" style="color:#000091;">Mes candidatures et paiements</a>.</p>
<p style="margin:0 0 16px;font-size:14px;color:#555555;">Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. {{.Contact}}</p>
<p style="margin:0;">L'équipe des Cours d'adultes</p>
</div>
</body>
</html>
`))

func renderView(v convocationView) (text, html string, err error) {
	var b strings.Builder
	if err := convocationHTML.Execute(&b, v); err != nil {
		return "", "", err
	}
	var t strings.Builder
	t.WriteString(v.Greeting + "\n\n")
	for _, p := range v.Paragraphs {
		t.WriteString(p + "\n\n")
	}
	for _, l := range v.Lines {
		t.WriteString("   - " + l + "\n")
	}
	if len(v.Lines) > 0 {
		t.WriteString("\n")
	}
	for _, p := range v.After {
		t.WriteString(p + "\n\n")
	}
	if v.Link != "" {
		t.WriteString(v.LinkText + " :\n" + v.Link + "\n\n")
	}
	t.WriteString("Vos candidatures et la copie de chaque courriel sont dans « Mes candidatures et paiements » :\n")
	t.WriteString(v.SpaceURL + "\n\n")
	t.WriteString("Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. " + contactSentence + "\n\n")
	t.WriteString("L'équipe des Cours d'adultes\n")
	return t.String(), b.String(), nil
}

func greeting(first string) string {
	if name := strings.TrimSpace(first); name != "" {
		return "Bonjour " + name + ","
	}
	return "Bonjour,"
}

// RenderConvocation returns the subject, plain text and HTML of the
// convocation email, in French.
func RenderConvocation(c Convocation) (subject, text, html string, err error) {
	if strings.TrimSpace(c.When) == "" || strings.TrimSpace(c.Place) == "" {
		return "", "", "", errors.New("render convocation email: date and place are required")
	}
	for _, u := range []string{c.PDFURL, c.SpaceURL} {
		if err := checkAbsoluteURL(u); err != nil {
			return "", "", "", fmt.Errorf("render convocation email: URL: %w", err)
		}
	}
	v := convocationView{Subject: "Convocation " + c.What + " « " + c.Formation + " »", Heading: "Votre convocation",
		Greeting: greeting(c.FirstName), LinkText: "Votre convocation à imprimer", Link: c.PDFURL, SpaceURL: c.SpaceURL,
		Contact: contactSentence}
	name := strings.TrimSpace(c.FirstName + " " + c.LastName)
	v.Paragraphs = []string{name + ", vous êtes convoqué(e) " + c.What + " de la formation « " + c.Formation + " » :"}
	v.Lines = []string{"le " + c.When, "lieu : " + c.Place}
	if c.Minutes > 0 {
		v.Lines = append(v.Lines, fmt.Sprintf("durée : %d minutes", c.Minutes))
	}
	v.After = append(v.After,
		"Cette convocation est nominative et sa date ne peut pas être changée. Venez avec une pièce d'identité.",
		"Une absence vaut désistement : votre candidature serait alors retirée, sans exception.")
	text, html, err = renderView(v)
	if err != nil {
		return "", "", "", fmt.Errorf("render convocation email: %w", err)
	}
	return v.Subject, text, html, nil
}

// RenderWithdrawal returns the subject, plain text and HTML of the email
// telling an absent candidate that her candidature is withdrawn (SEL-2).
func RenderWithdrawal(w Withdrawal) (subject, text, html string, err error) {
	if err := checkAbsoluteURL(w.SpaceURL); err != nil {
		return "", "", "", fmt.Errorf("render withdrawal email: space URL: %w", err)
	}
	v := convocationView{Subject: "Candidature retirée : « " + w.Formation + " »", Heading: "Absence " + w.What,
		Greeting: greeting(w.FirstName), SpaceURL: w.SpaceURL, Contact: contactSentence}
	when := ""
	if w.When != "" {
		when = " du " + w.When
	}
	v.Paragraphs = []string{"Vous étiez absent(e) " + w.What + when + " de la formation « " + w.Formation + " ».",
		"Une absence vaut désistement (règlement des cours) : votre candidature à cette formation est retirée."}
	text, html, err = renderView(v)
	if err != nil {
		return "", "", "", fmt.Errorf("render withdrawal email: %w", err)
	}
	return v.Subject, text, html, nil
}
