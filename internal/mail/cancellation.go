package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Cancellation is the data of the email that confirms a candidature's
// cancellation (CAN-5), sent in the cancellation's transaction and copied in
// the person's space (CON-2).
type Cancellation struct {
	FirstName                               string
	Formation                               string // the formation's name (required)
	Level, Schedule, Establishment, Session string
	Reference                               string // the reference of the validation it belonged to, "" when none
	SpaceURL                                string // absolute URL of "Mes candidatures et paiements"
}

type cancellationView struct {
	Subject, Greeting, Body, Reference, SpaceURL string
	Details                                      []confirmationDetail
}

// RenderCancellation returns the subject, plain text and HTML of the email
// confirming a cancellation, in French: it names the course, says it cannot be
// undone, and how to apply again while the period is open.
func RenderCancellation(c Cancellation) (subject, text, html string, err error) {
	if strings.TrimSpace(c.Formation) == "" {
		return "", "", "", errors.New("render cancellation email: formation is required")
	}
	if err := checkAbsoluteURL(c.SpaceURL); err != nil {
		return "", "", "", fmt.Errorf("render cancellation email: space URL: %w", err)
	}
	v := cancellationView{Greeting: "Bonjour,", SpaceURL: c.SpaceURL, Reference: strings.TrimSpace(c.Reference),
		Subject: "Votre candidature en « " + strings.TrimSpace(c.Formation) + " » est annulée",
		Body: "Nous avons bien enregistré l'annulation de votre candidature en « " + strings.TrimSpace(c.Formation) + " ». " +
			"Cette annulation est définitive. Tant que la période de candidature est ouverte, vous pouvez choisir un autre cours dans le catalogue."}
	if name := strings.TrimSpace(c.FirstName); name != "" {
		v.Greeting = "Bonjour " + name + ","
	}
	for _, d := range []confirmationDetail{
		{"Niveau", c.Level}, {"Jours et horaires", c.Schedule}, {"Établissement", c.Establishment}, {"Session", c.Session},
	} {
		if value := strings.TrimSpace(d.Value); value != "" {
			v.Details = append(v.Details, confirmationDetail{Label: d.Label, Value: value})
		}
	}
	var body strings.Builder
	if err := cancellationHTML(v).Render(context.Background(), &body); err != nil {
		return "", "", "", fmt.Errorf("render cancellation email: HTML body: %w", err)
	}
	return v.Subject, cancellationText(v), body.String(), nil
}

func cancellationText(v cancellationView) string {
	var b strings.Builder
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	line(v.Greeting)
	line()
	line(v.Body)
	line()
	for _, d := range v.Details {
		line("   ", d.Label, " : ", d.Value)
	}
	if v.Reference != "" {
		line("   Référence de la validation : ", v.Reference)
	}
	line()
	line("Vos candidatures et la copie de chaque courriel sont dans « Mes candidatures et paiements » :")
	line(v.SpaceURL)
	line()
	line("Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. ", contactSentence)
	line()
	line("L'équipe des Cours d'adultes")
	return b.String()
}
