package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// book writes a payment with everything it brings, in tx: the payment and
// its journal entry, the learner card (PAY-6) and the email that tells the
// learner (CON-2). store.ErrAlreadyPaid when the fee was paid meanwhile.
func (s *Service) book(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, en domain.Enrolment, p *domain.Payment) error {
	e, err := courseOf(ix, en)
	if err != nil {
		return err
	}
	t, err := s.store.PaymentTargetOf(ctx, tx, en.CourseID)
	if err != nil {
		return err
	}
	person, err := s.store.AccountTx(ctx, tx, en.AccountID)
	if err != nil {
		return err
	}
	label := "droits d'inscription " + e.Code + " — " + person.LastName + " " + person.FirstName
	if p.PayerName != "" { // the third party who paid (PAY-4), whom a refund would go to
		label += ", payé par " + p.PayerName
	}
	if err := s.store.BookPayment(ctx, tx, p, t, label); err != nil {
		return err
	}
	card, err := s.issueCard(ctx, tx, en, t.SessionYear, 0, "")
	if err != nil {
		return err
	}
	st, err := s.seat(ctx, tx, en.AccountID, e)
	if err != nil {
		return err
	}
	subject, text, html, err := mail.RenderPaymentReceived(mail.PaymentMail{Seat: st, Amount: documents.FrenchMoney(p.AmountCents),
		Mode: modeWords(p.Mode), PayerName: p.PayerName, Receipt: p.ReceiptNumber, Card: card.Number})
	if err != nil {
		return err
	}
	return s.keep(ctx, tx, en.AccountID, "payment_received", subject, text, html)
}

// modeWords says how a fee was paid, for a sentence.
func modeWords(m domain.PaymentMode) string {
	switch m {
	case domain.PayByCheque:
		return "par chèque"
	case domain.PayInCash:
		return "en espèces"
	}
	return "par carte bancaire"
}

// issueCard revokes the enrolment's valid card, if any, and issues the next.
func (s *Service) issueCard(ctx context.Context, tx *sql.Tx, en domain.Enrolment, year int, by int64, why string) (domain.LearnerCard, error) {
	printed, err := s.store.RevokeCards(ctx, tx, en.ID, s.now(), by, why)
	if err != nil {
		return domain.LearnerCard{}, err
	}
	c := domain.LearnerCard{EnrolmentID: en.ID, CourseID: en.CourseID, Number: domain.CardNumber(year, en.ID, printed),
		Reprint: printed, IssuedAt: s.now(), IssuedBy: by}
	return c, s.store.InsertCard(ctx, tx, &c)
}

// CardToken is what a card's QR code carries: the card's ID and a MAC of
// it under the platform's key (tokens.go), so that a token cannot be made
// up; a revoked card's token still parses, and the scan says revoked.
func (s *Service) CardToken(ctx context.Context, cardID int64) (string, error) {
	return s.sign(ctx, cardTokens, cardID)
}

// CardCheck is what the entrance's scan says of a card (PAY-6).
type CardCheck struct {
	Verdict   string // "valid", "revoked" or "unknown"
	Card      domain.LearnerCard
	Learner   string // first and last name
	Course    *catalogue.Entry
	Elsewhere bool // valid, but for a course of another establishment than the scanner's
}

// Card verdicts.
const (
	CardValid   = "valid"
	CardRevoked = "revoked"
	CardUnknown = "unknown"
)

// ScanCard checks a card's token at an establishment's entrance: valid,
// revoked (a reprint replaced it, or the enrolment ended), or unknown (a
// token not signed by the platform, or no such card).
func (s *Service) ScanCard(ctx context.Context, actor domain.Actor, token string) (CardCheck, error) {
	if !domain.Can(actor, domain.ActScanCard, domain.Resource{}) {
		return CardCheck{}, ErrForbidden
	}
	id, ok, err := s.parse(ctx, cardTokens, token)
	if err != nil {
		return CardCheck{}, err
	}
	if !ok {
		return CardCheck{Verdict: CardUnknown}, nil
	}
	card, err := s.store.Card(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return CardCheck{Verdict: CardUnknown}, nil
	}
	if err != nil {
		return CardCheck{}, err
	}
	out := CardCheck{Verdict: CardValid, Card: card}
	en, err := s.store.Enrolment(ctx, nil, card.EnrolmentID)
	if err != nil {
		return CardCheck{}, err
	}
	if !card.RevokedAt.IsZero() || en.State != domain.EnrolmentPaid || en.CourseID != card.CourseID {
		out.Verdict = CardRevoked
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return CardCheck{}, err
	}
	out.Learner = person.FirstName + " " + person.LastName
	if ix, _ := s.catalogue.Index(ctx); ix != nil {
		if e, ok := ix.Course(card.CourseID); ok {
			out.Course = e
			out.Elsewhere = !domain.Can(actor, domain.ActViewEstablishment, domain.Resource{EstablishmentID: e.EstablishmentID})
		}
	}
	return out, nil
}

// Reprint replaces a lost card (PAY-6): the director revokes the old one
// and issues a duplicate, audited with the reason.
func (s *Service) Reprint(ctx context.Context, actor domain.Actor, courseID, enrolmentID int64, reason string) (domain.LearnerCard, error) {
	_, e, err := s.staffCourse(ctx, actor, domain.ActManagePayments, courseID)
	if err != nil {
		return domain.LearnerCard{}, err
	}
	if len([]rune(reason)) > MaxReasonLength {
		return domain.LearnerCard{}, refuse("payment.reason_too_long", "Max", MaxReasonLength)
	}
	var card domain.LearnerCard
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		en, err := s.store.Enrolment(ctx, tx, enrolmentID)
		if err != nil {
			return err
		}
		if en.CourseID != e.ID {
			return fmt.Errorf("enrolment %d in course %d: %w", enrolmentID, courseID, ErrNotFound)
		}
		if en.State != domain.EnrolmentPaid {
			return refuse("payment.card.not_paid")
		}
		t, err := s.store.PaymentTargetOf(ctx, tx, en.CourseID)
		if err != nil {
			return err
		}
		card, err = s.issueCard(ctx, tx, en, t.SessionYear, actor.AccountID, reason)
		if err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID,
			Action: domain.AuditCardReprinted, SubjectID: en.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID,
			Details: "carte d'auditeur réimprimée : n° " + card.Number + " (l'ancienne est révoquée)", Reason: reason})
	})
	return card, err
}

// IssuedCard is a learner's valid card with what prints on it.
type IssuedCard struct {
	Card                domain.LearnerCard
	Token               string // what the QR code carries (CardToken)
	Course              *catalogue.Entry
	FirstName, LastName string
}

// ScanPath is where a card's QR code leads: the entrance's scan page.
const ScanPath = "/carte/"

// ScanURL is the address a card's QR code carries.
func (s *Service) ScanURL(token string) string { return s.publicURL + ScanPath + token }

// OwnCard returns the valid card of one of the learner's enrolments (ROLE-1).
func (s *Service) OwnCard(ctx context.Context, actor domain.Actor, enrolmentID int64) (IssuedCard, error) {
	en, err := s.store.Enrolment(ctx, nil, enrolmentID)
	if errors.Is(err, store.ErrNotFound) {
		return IssuedCard{}, ErrNotFound
	}
	if err != nil {
		return IssuedCard{}, err
	}
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: en.AccountID}) {
		return IssuedCard{}, s.refusedTo(ctx, actor, en.AccountID, en.CourseID, "carte de l'inscription "+strconv.FormatInt(en.ID, 10)+
			" d'une autre personne", ErrForbidden)
	}
	card, ok, err := s.store.ValidCardOf(ctx, nil, en.ID)
	if err != nil {
		return IssuedCard{}, err
	}
	if !ok {
		return IssuedCard{}, ErrNotFound
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return IssuedCard{}, err
	}
	e, err := courseOf(ix, en)
	if err != nil {
		return IssuedCard{}, err
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return IssuedCard{}, err
	}
	token, err := s.CardToken(ctx, card.ID)
	if err != nil {
		return IssuedCard{}, err
	}
	return IssuedCard{Card: card, Token: token, Course: e, FirstName: person.FirstName, LastName: person.LastName}, nil
}

// Moved follows a learner moved to another course of the same formation
// (a day change, a course they preferred, an equivalent course when theirs
// did not open), in the caller's transaction: what they owe or paid follows
// them — the same enrolment, the same fee (PAY-3) — and, once paid, they get
// a new learner card for the new course, the old one revoked (PAY-6); a
// refund due because their course did not open is cancelled, the payment
// now serving in the new course. A fee freed when the course did not open
// is due again in the new course, its window counted from the day they
// joined it (PAY-1). Nothing when the enrolment is not confirmed.
func (s *Service) Moved(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error {
	en, ok, err := s.store.EnrolmentOf(ctx, tx, candidatureID)
	if err != nil || !ok || en.CourseID == courseID {
		return err
	}
	if en.State == domain.EnrolmentFreed {
		return s.reopen(ctx, tx, en, courseID)
	}
	if err := s.store.MoveEnrolment(ctx, tx, candidatureID, courseID); err != nil {
		return err
	}
	if en.State != domain.EnrolmentPaid {
		return nil
	}
	en.CourseID = courseID
	t, err := s.store.PaymentTargetOf(ctx, tx, courseID)
	if err != nil {
		return err
	}
	if _, err := s.store.CancelRefundDue(ctx, tx, en.ID, s.now(), "paiement conservé dans le cours "+t.CourseCode); err != nil {
		return err
	}
	_, err = s.issueCard(ctx, tx, en, t.SessionYear, 0, "changement de cours")
	return err
}

// reopen makes an enrolment freed when its course did not open due again
// in the course the learner moved to, audited.
func (s *Service) reopen(ctx context.Context, tx *sql.Tx, en domain.Enrolment, courseID int64) error {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	var held []time.Time
	for _, m := range ix.Meetings(e, domain.Paris()) {
		if !m.Skipped {
			held = append(held, m.Date)
		}
	}
	today := parisDay(s.now())
	payUntil := domain.PayUntil(held, today)
	if ok, err := s.store.ReopenEnrolment(ctx, tx, en.ID, courseID, today, payUntil); err != nil || !ok {
		return err
	}
	return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditEnrolmentConfirmed, SubjectID: en.AccountID,
		ObjectKind: domain.AuditObjectCourse, ObjectID: courseID,
		Details: "inscription reprise dans le cours " + e.Code + " (le cours précédent n'a pas ouvert) : " +
			documents.FrenchMoney(en.Fee.DueCents) + ", à payer jusqu'au " + payUntil.Format("02/01/2006")})
}

// CourseNotOpened follows, in the closing's transaction, a learner whose
// course did not open (SEL-6): what they paid becomes a refund due, in
// full, to whoever paid it (REF-2: the third party of PAY-4, else the
// learner), and their card no longer opens the doors; a fee still due is no
// longer asked. A course closed again changes nothing.
func (s *Service) CourseNotOpened(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error {
	en, ok, err := s.store.EnrolmentOf(ctx, tx, candidatureID)
	if err != nil || !ok {
		return err
	}
	switch en.State {
	case domain.EnrolmentDue:
		_, err = s.store.FreeEnrolment(ctx, tx, en.ID, s.now(), by, reason)
		return err
	case domain.EnrolmentPaid:
	default:
		return nil
	}
	p, ok, err := s.store.PaymentOf(ctx, tx, en.ID)
	if err != nil || !ok {
		return err
	}
	payer := p.PayerName
	if payer == "" {
		person, err := s.store.AccountTx(ctx, tx, en.AccountID)
		if err != nil {
			return err
		}
		payer = person.FirstName + " " + person.LastName
	}
	if _, err := s.store.InsertRefundDue(ctx, tx, p, payer, domain.RefundCourseNotOpened, s.now(), by); err != nil {
		return err
	}
	_, err = s.store.RevokeCards(ctx, tx, en.ID, s.now(), by, reason)
	return err
}

// Left follows, in the caller's transaction, a learner who left the course:
// by a decision (struck off, ATT-3; excluded, ATT-4) or by a désistement
// (given up, or recorded by staff). Nothing is refunded here (REF-1's
// refunds are asked for, with a proof, through the contact form): a fee
// paid stays paid but the learner card no longer opens the establishment's
// doors (PAY-6: revoked); a fee still due is no longer asked (the enrolment
// ends as freed, no reminder follows).
func (s *Service) Left(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error {
	en, ok, err := s.store.EnrolmentOf(ctx, tx, candidatureID)
	if err != nil || !ok {
		return err
	}
	switch en.State {
	case domain.EnrolmentPaid:
		_, err = s.store.RevokeCards(ctx, tx, en.ID, s.now(), by, reason)
	case domain.EnrolmentDue:
		_, err = s.store.FreeEnrolment(ctx, tx, en.ID, s.now(), by, reason)
	}
	return err
}
