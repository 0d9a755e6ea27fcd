package candidature

import (
	"context"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
)

// ConfirmationMailer words the confirmation email in French (CAN-4) with the
// catalogue's words.
type ConfirmationMailer struct {
	Words    *i18n.Catalog
	Paris    *time.Location
	SpaceURL string // absolute URL of "Mes candidatures et paiements"
}

// Confirmation renders subject, text and HTML for the person's new candidatures.
func (m ConfirmationMailer) Confirmation(_ context.Context, person domain.Account, entries []*catalogue.Entry, assistedBy string) (string, string, string, error) {
	p := m.Words.Printer(i18n.French)
	c := mail.Confirmation{FirstName: person.FirstName, Assisted: assistedBy != "", AssistedBy: assistedBy, SpaceURL: m.SpaceURL}
	for i, e := range entries {
		line := mail.ConfirmationLine{Formation: e.Formation.Title, Level: p.T("level." + string(e.Level)),
			Schedule:      p.T("weekday."+strconv.Itoa(int(e.Weekday))) + " " + domain.FormatClock(e.StartMinute) + "–" + domain.FormatClock(e.EndMinute),
			Establishment: e.Establishment.Name, Address: e.Establishment.Address + ", " + e.Establishment.PostalCode + " " + e.Establishment.City,
			Session: e.Session.Name, Evaluation: p.T("evaluation." + string(e.Formation.Evaluation)),
			Price: documents.FrenchMoney(e.PriceCents)}
		if e.Formation.Diploma {
			line.Diploma = e.Formation.DiplomaName
		}
		c.Candidatures = append(c.Candidatures, line)
		if i == 0 {
			// CAN-5: a deadline is a date, open until the end of that day.
			c.CancelUntil = documents.FrenchDate(e.Session.CandidatureCloses.Day()) + " inclus"

			c.AnswerPeriod = "du " + documents.FrenchDate(e.Session.AnswerOpens.In(m.Paris)) + " au " + documents.FrenchDate(e.Session.AnswerCloses.Day())
		}
	}
	return mail.RenderConfirmation(c)
}
