package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Remote is the data of the email telling a person that courses she holds a
// candidature on are now given remotely, or in person again (CAT-6). It is sent
// in the switch's transaction and copied in her space (CON-2).
type Remote struct {
	FirstName string
	Remote    bool         // true: now remote (à distance); false: in person again
	Reason    string       // why, as the staff member wrote it (required)
	Courses   []RemoteLine // her courses concerned, at least one
	SpaceURL  string       // absolute URL of "Mes candidatures et paiements"
}

// RemoteLine is one course of the remote-delivery email.
type RemoteLine struct {
	Formation, Code, Schedule, Establishment, Session string
}

type remoteView struct {
	Subject, Heading, Greeting, Body, Reason, SpaceURL string
	Courses                                            []string
}

// RenderRemote returns the subject, plain text and HTML of the remote-delivery
// email, in French: one email per person listing every course of hers
// concerned, with the reason.
func RenderRemote(r Remote) (subject, text, html string, err error) {
	if len(r.Courses) == 0 {
		return "", "", "", errors.New("render remote email: no course")
	}
	if strings.TrimSpace(r.Reason) == "" {
		return "", "", "", errors.New("render remote email: reason is required")
	}
	if err := checkAbsoluteURL(r.SpaceURL); err != nil {
		return "", "", "", fmt.Errorf("render remote email: space URL: %w", err)
	}
	v := remoteView{Greeting: "Bonjour,", Reason: strings.TrimSpace(r.Reason), SpaceURL: r.SpaceURL}
	if name := strings.TrimSpace(r.FirstName); name != "" {
		v.Greeting = "Bonjour " + name + ","
	}
	plural := len(r.Courses) > 1
	switch {
	case r.Remote && plural:
		v.Subject, v.Heading = "Vos cours ont désormais lieu à distance", "Cours à distance"
		v.Body = "Les cours suivants, sur lesquels vous avez une candidature, ont désormais lieu à distance :"
	case r.Remote:
		v.Subject, v.Heading = "Votre cours a désormais lieu à distance", "Cours à distance"
		v.Body = "Le cours suivant, sur lequel vous avez une candidature, a désormais lieu à distance :"
	case plural:
		v.Subject, v.Heading = "Vos cours ont de nouveau lieu en présentiel", "Retour en présentiel"
		v.Body = "Les cours suivants, sur lesquels vous avez une candidature, ont de nouveau lieu dans leur établissement :"
	default:
		v.Subject, v.Heading = "Votre cours a de nouveau lieu en présentiel", "Retour en présentiel"
		v.Body = "Le cours suivant, sur lequel vous avez une candidature, a de nouveau lieu dans son établissement :"
	}
	for _, c := range r.Courses {
		parts := []string{"« " + strings.TrimSpace(c.Formation) + " »"}
		for _, p := range []string{c.Code, c.Schedule, c.Establishment, c.Session} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Courses = append(v.Courses, strings.Join(parts, ", "))
	}
	var body strings.Builder
	if err := remoteHTML(v).Render(context.Background(), &body); err != nil {
		return "", "", "", fmt.Errorf("render remote email: HTML body: %w", err)
	}
	return v.Subject, remoteText(v), body.String(), nil
}

func remoteText(v remoteView) string {
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
	for _, c := range v.Courses {
		line("   - ", c)
	}
	line()
	line("Motif : ", v.Reason)
	line()
	line("Vos candidatures et la copie de chaque courriel sont dans « Mes candidatures et paiements » :")
	line(v.SpaceURL)
	line()
	line("Ne répondez pas à ce courriel : cette adresse ne reçoit pas les réponses. ", contactSentence)
	line()
	line("L'équipe des Cours d'adultes")
	return b.String()
}
