package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/store"
)

// Attestations on written request (PAY-7): of training cost once the
// enrolment is confirmed and before payment, of payment after it; never a
// quote nor an invoice, and no professional-training funding (PAY-8). The
// request is the learner's button under "historique et paiement": recorded
// once per candidature and kind (a second click shows the same
// attestation), told by an email kept in the learner's space (CON-2). Each
// attestation carries a QR code to a public page that says whether the
// platform issued it, signed like the learner cards but under a key of its
// own.
//
// The receipts of payments (PAY-2) are served here too: to the learner, and
// to the director of the course's establishment and the central service.

// Attestation kinds, as stored.
const (
	AttestCost    = "cost"
	AttestPayment = "payment"
)

// VerifyPath is where an attestation's QR code leads.
const VerifyPath = "/attestation/"

// AttestationNumber is an attestation's number: the session's year, the
// candidature and the kind, "A2026-0000123-C" (cost) or "-P" (payment).
func AttestationNumber(sessionYear int, candidatureID int64, kind string) string {
	suffix := "C"
	if kind == AttestPayment {
		suffix = "P"
	}
	return fmt.Sprintf("A%04d-%07d-%s", sessionYear, candidatureID, suffix)
}

// RequestAttestation records the learner's request for an attestation of
// one of their own enrolments (ROLE-1, PAY-7): cost while the fee is due and
// its amount known, payment once paid. Asked again, it returns the one
// recorded and writes nothing.
func (s *Service) RequestAttestation(ctx context.Context, actor domain.Actor, enrolmentID int64, kind string) (store.Attestation, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return store.Attestation{}, err
	}
	if a, ok, err := s.store.AttestationOf(ctx, nil, en.CandidatureID, kind); err != nil || ok {
		return a, err
	}
	switch kind {
	case AttestCost:
		switch {
		case en.State == domain.EnrolmentPaid:
			return store.Attestation{}, refuse("attestation.cost.paid")
		case en.State == domain.EnrolmentFreed:
			return store.Attestation{}, refuse("payment.freed")
		case en.Fee.Pending:
			return store.Attestation{}, refuse("payment.half_pending")
		}
	case AttestPayment:
		if en.State != domain.EnrolmentPaid {
			return store.Attestation{}, refuse("attestation.payment.not_paid")
		}
	default:
		return store.Attestation{}, fmt.Errorf("attestation kind %q: %w", kind, ErrNotFound)
	}
	return s.recordAttestation(ctx, en, kind)
}

// attestationMail tells the learner their attestation is ready (CON-2).
func (s *Service) attestationMail(ctx context.Context, tx *sql.Tx, en domain.Enrolment, e *catalogue.Entry,
	a store.Attestation) (subject, text, htm string, err error) {
	st, err := s.seat(ctx, tx, en.AccountID, e)
	if err != nil {
		return "", "", "", err
	}
	title := attestationKind(a.Kind).Title()
	link := s.publicURL + FeesPath
	subject = "Votre attestation est disponible"
	paras := []string{
		"Bonjour " + st.FirstName + ",",
		"Vous avez demandé une " + strings.ToLower(title[:1]) + title[1:] + " pour le cours " + e.Code + " (« " +
			e.Formation.Title + " »). Elle porte le n° " + a.Number + ".",
		"Vous pouvez la télécharger dès maintenant dans votre espace, rubrique « Historique et paiement » : " + link,
		"Cette attestation ne constitue ni un devis ni une facture. Les cours municipaux d'adultes s'adressent aux " +
			"particuliers : ils n'ouvrent pas droit au financement de la formation professionnelle.",
		"Les cours municipaux d'adultes",
	}
	text = strings.Join(paras, "\n\n") + "\n"
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>` + html.EscapeString(subject) +
		`</title></head><body>`)
	for i, p := range paras {
		if i == 2 {
			b.WriteString(`<p>Vous pouvez la télécharger dès maintenant dans votre espace, rubrique <a href="` +
				html.EscapeString(link) + `">« Historique et paiement »</a>.</p>`)
			continue
		}
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	b.WriteString("</body></html>")
	return subject, text, b.String(), nil
}

func attestationKind(kind string) documents.AttestationKind {
	if kind == AttestPayment {
		return documents.AttestationPayment
	}
	return documents.AttestationCost
}

// Attestations reads the attestations asked for on one of the learner's own
// enrolments, by kind.
func (s *Service) Attestations(ctx context.Context, actor domain.Actor, enrolmentID int64) (map[string]store.Attestation, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return nil, err
	}
	out := map[string]store.Attestation{}
	for _, kind := range []string{AttestCost, AttestPayment} {
		a, ok, err := s.store.AttestationOf(ctx, nil, en.CandidatureID, kind)
		if err != nil {
			return nil, err
		}
		if ok {
			out[kind] = a
		}
	}
	return out, nil
}

// OwnAttestation returns the document of an attestation the learner asked
// for on one of their own enrolments; ErrNotFound when it was not asked for.
func (s *Service) OwnAttestation(ctx context.Context, actor domain.Actor, enrolmentID int64, kind string) (documents.Attestation, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return documents.Attestation{}, err
	}
	return s.attestationWithQR(ctx, en, kind)
}

// attestationWithQR is the document of en's attestation of kind, with its
// QR code's payload; ErrNotFound when it was not asked for.
func (s *Service) attestationWithQR(ctx context.Context, en domain.Enrolment, kind string) (documents.Attestation, error) {
	a, ok, err := s.store.AttestationOf(ctx, nil, en.CandidatureID, kind)
	if err != nil {
		return documents.Attestation{}, err
	}
	if !ok {
		return documents.Attestation{}, fmt.Errorf("%s attestation of candidature %d: %w", kind, en.CandidatureID, ErrNotFound)
	}
	d, err := s.attestationDoc(ctx, en, a)
	if err != nil {
		return d, err
	}
	token, err := s.AttestationToken(ctx, a.ID)
	if err != nil {
		return d, err
	}
	d.QRPayload = s.publicURL + VerifyPath + token
	return d, nil
}

// attestationDoc fills an attestation's document from what the platform
// knows now (no QR payload).
func (s *Service) attestationDoc(ctx context.Context, en domain.Enrolment, a store.Attestation) (documents.Attestation, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return documents.Attestation{}, err
	}
	e, err := courseOf(ix, en)
	if err != nil {
		return documents.Attestation{}, err
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return documents.Attestation{}, err
	}
	d := documents.Attestation{Kind: attestationKind(a.Kind), Number: a.Number, FirstName: person.FirstName,
		LastName: person.LastName, Formation: e.Formation.Title, CourseCode: e.Code, AmountCents: en.Fee.DueCents,
		HalfTariff: en.Fee.HalfTariff, IssuedOn: documents.FrenchDate(a.RequestedAt.In(domain.Paris()))}
	if e.Establishment != nil {
		d.Establishment = e.Establishment.Name
	}
	if e.Session != nil {
		d.Session = e.Session.Name
	}
	if a.Kind == AttestPayment {
		p, ok, err := s.store.PaymentOf(ctx, nil, en.ID)
		if err != nil {
			return d, err
		}
		if !ok {
			return d, fmt.Errorf("payment of enrolment %d: %w", en.ID, ErrNotFound)
		}
		d.AmountCents, d.HalfTariff, d.PaidBy = p.AmountCents, p.HalfTariff, p.PayerName
		d.PaidOn = documents.FrenchDate(p.PaidAt.In(domain.Paris()))
		d.Mode = modeName(p.Mode)
	}
	return d, nil
}

// modeName names a payment mode on a document: "carte bancaire", "chèque",
// "espèces".
func modeName(m domain.PaymentMode) string {
	switch m {
	case domain.PayByCheque:
		return "chèque"
	case domain.PayInCash:
		return "espèces"
	}
	return "carte bancaire"
}

// AttestationToken is what an attestation's QR code carries: its ID and a
// MAC of it under the platform's attestation key (tokens.go).
func (s *Service) AttestationToken(ctx context.Context, attestationID int64) (string, error) {
	return s.sign(ctx, attestationTokens, attestationID)
}

// AttestationCheck is what the public verification page says of an
// attestation's QR code: Valid with what it attests, or unknown.
type AttestationCheck struct {
	Valid    bool
	Document documents.Attestation // QRPayload empty
	IssuedAt time.Time
}

// VerifyAttestation checks an attestation's token, for anyone holding the
// paper (a social worker, an employer): valid with the name, course, kind,
// amount and date, or unknown (a token the platform did not sign, or an
// attestation that does not hold any more).
func (s *Service) VerifyAttestation(ctx context.Context, token string) (AttestationCheck, error) {
	id, ok, err := s.parse(ctx, attestationTokens, token)
	if err != nil || !ok {
		return AttestationCheck{}, err
	}
	a, err := s.store.AttestationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return AttestationCheck{}, nil
	}
	if err != nil {
		return AttestationCheck{}, err
	}
	en, ok, err := s.store.EnrolmentOf(ctx, nil, a.CandidatureID)
	if err != nil {
		return AttestationCheck{}, err
	}
	if !ok { // a cost attestation before the enrolment is confirmed: valid while the candidature is accepted
		c, err := s.store.Candidature(ctx, nil, a.CandidatureID)
		if err != nil || c.Status != domain.CandidatureAccepted {
			return AttestationCheck{}, err
		}
		ix, err := s.catalogue.Index(ctx)
		if ix == nil {
			return AttestationCheck{}, err
		}
		if en, _, err = s.expected(ctx, ix, c); err != nil {
			return AttestationCheck{}, err
		}
	}
	d, err := s.attestationDoc(ctx, en, a)
	if errors.Is(err, ErrNotFound) {
		return AttestationCheck{}, nil
	}
	if err != nil {
		return AttestationCheck{}, err
	}
	return AttestationCheck{Valid: true, Document: d, IssuedAt: a.RequestedAt}, nil
}

// OwnReceipt returns the receipt of one of the learner's own paid fees
// (ROLE-1, PAY-2): any mode, with the third party who paid. Payee is left
// for the caller (the régie the platform is set up with).
func (s *Service) OwnReceipt(ctx context.Context, actor domain.Actor, enrolmentID int64) (documents.Receipt, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return documents.Receipt{}, err
	}
	return s.receipt(ctx, en)
}

// StaffReceipt returns the receipt of a paid fee of a course, for the
// director of its establishment or the central service (ROLE-3, ROLE-5).
func (s *Service) StaffReceipt(ctx context.Context, actor domain.Actor, courseID, enrolmentID int64) (documents.Receipt, error) {
	if _, _, err := s.staffCourse(ctx, actor, domain.ActManagePayments, courseID); err != nil {
		return documents.Receipt{}, err
	}
	en, err := s.store.Enrolment(ctx, nil, enrolmentID)
	if errors.Is(err, store.ErrNotFound) || err == nil && en.CourseID != courseID {
		return documents.Receipt{}, fmt.Errorf("enrolment %d in course %d: %w", enrolmentID, courseID, ErrNotFound)
	}
	if err != nil {
		return documents.Receipt{}, err
	}
	return s.receipt(ctx, en)
}

func (s *Service) receipt(ctx context.Context, en domain.Enrolment) (documents.Receipt, error) {
	p, ok, err := s.store.PaymentOf(ctx, nil, en.ID)
	if err != nil {
		return documents.Receipt{}, err
	}
	if !ok {
		return documents.Receipt{}, fmt.Errorf("payment of enrolment %d: %w", en.ID, ErrNotFound)
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return documents.Receipt{}, err
	}
	e, err := courseOf(ix, en)
	if err != nil {
		return documents.Receipt{}, err
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return documents.Receipt{}, err
	}
	at := p.PaidAt.In(domain.Paris())
	r := documents.Receipt{Number: p.ReceiptNumber, FirstName: person.FirstName, LastName: person.LastName, CourseCode: e.Code,
		Formation: e.Formation.Title, AmountCents: p.AmountCents, Mode: modeName(p.Mode), PaidBy: p.PayerName,
		RecordedAt: documents.FrenchDate(at) + " à " + at.Format("15 h 04")}
	if e.Establishment != nil {
		r.Establishment = e.Establishment.Name
	}
	if p.Mode == domain.PayByCheque {
		r.ChequeNumber, r.Bank, r.Drawer = p.ChequeNumber, p.ChequeBank, p.ChequeDrawer
	}
	switch {
	case p.RecordedBy != 0:
		if who, err := s.store.Account(ctx, p.RecordedBy); err == nil {
			r.RecordedBy = who.FirstName + " " + who.LastName
		}
	case p.Numauto != "":
		r.RecordedBy = "PayFiP, autorisation n° " + p.Numauto
	default:
		r.RecordedBy = "PayFiP"
	}
	return r, nil
}

// IsCheque reports whether a receipt is of a cheque (its payee is printed).
func IsCheque(r documents.Receipt) bool { return r.Mode == modeName(domain.PayByCheque) }
