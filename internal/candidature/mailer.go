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

// ConfirmationMailer words the confirmation and cancellation emails in French
// (CAN-4, CAN-5) with the catalogue's words.
type ConfirmationMailer struct {
	Words    *i18n.Catalog
	Paris    *time.Location
	SpaceURL string // absolute URL of "Mes candidatures et paiements"
}

// Confirmation renders subject, text and HTML for the person's new
// candidatures: each course by its formation's name, with its price, and its
// half tariff when one was claimed with a proof (CAN-9), and the validation's
// reference.
func (m ConfirmationMailer) Confirmation(_ context.Context, person domain.Account, entries []*catalogue.Entry, c Confirmation) (string, string, string, error) {
	p := m.Words.Printer(i18n.French)
	mc := mail.Confirmation{FirstName: person.FirstName, Assisted: c.AssistedBy != "", AssistedBy: c.AssistedBy, SpaceURL: m.SpaceURL,
		HalfTariff: c.HalfTariff, Reference: c.Reference}
	for i, e := range entries {
		line := mail.ConfirmationLine{Formation: e.Formation.Title, Level: p.T("level." + string(e.Level)),
			Schedule:      m.schedule(p, e),
			Establishment: e.Establishment.Name, Address: e.Establishment.Address + ", " + e.Establishment.PostalCode + " " + e.Establishment.City,
			Session: e.Session.Name, Evaluation: p.T("evaluation." + string(e.Formation.Evaluation)),
			Price: documents.FrenchMoney(e.PriceCents), HalfPrice: documents.FrenchMoney(e.ReducedCents)}
		if e.Formation.Diploma {
			line.Diploma = e.Formation.DiplomaName
		}
		mc.Candidatures = append(mc.Candidatures, line)
		if i == 0 {
			// CAN-5: a deadline is a date, open until the end of that day.
			mc.CancelUntil = documents.FrenchDate(e.Session.CandidatureCloses.Day()) + " inclus"

			mc.AnswerPeriod = "du " + documents.FrenchDate(e.Session.AnswerOpens.In(m.Paris)) + " au " + documents.FrenchDate(e.Session.AnswerCloses.Day())
		}
	}
	return mail.RenderConfirmation(mc)
}

func (m ConfirmationMailer) schedule(p *i18n.Printer, e *catalogue.Entry) string {
	return p.T("weekday."+strconv.Itoa(int(e.Weekday))) + " " + domain.FormatClock(e.StartMinute) + "–" + domain.FormatClock(e.EndMinute)
}

// Cancellation renders the email confirming that a candidature is cancelled
// (CAN-5), naming its course.
func (m ConfirmationMailer) Cancellation(_ context.Context, person domain.Account, e *catalogue.Entry, c domain.Candidature) (string, string, string, error) {
	p := m.Words.Printer(i18n.French)
	return mail.RenderCancellation(mail.Cancellation{FirstName: person.FirstName, Formation: e.Formation.Title,
		Level: p.T("level." + string(e.Level)), Schedule: m.schedule(p, e), Establishment: e.Establishment.Name,
		Session: e.Session.Name, Reference: Reference(c.ValidationKey), SpaceURL: m.SpaceURL})
}
