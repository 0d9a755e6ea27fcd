package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/store"
)

// Before the enrolment is confirmed: a candidate accepted by the selection
// knows what they will pay and may ask, in writing, for an attestation of
// training cost (PAY-7: "before payment, once accepted"), which a works
// council or a social service needs before it pays (PAY-4). The fee is the
// one the confirmation will fix (PAY-3, PAY-5): the course's tariff, or half
// of it once the proof is checked and accepted.

// Expected is an accepted candidature whose enrolment the establishment
// has not confirmed yet, with the fee it will be.
type Expected struct {
	Candidature domain.Candidature
	Course      *catalogue.Entry
	Fee         domain.Fee
	// Cost is the attestation of training cost asked for, nil when none.
	Cost *store.Attestation
}

// ExpectedFees lists the learner's accepted candidatures not confirmed yet,
// for the learner themself (ROLE-1).
func (s *Service) ExpectedFees(ctx context.Context, actor domain.Actor, accountID int64) ([]Expected, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: accountID}) {
		return nil, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	cands, err := s.store.Candidatures(ctx, nil, accountID)
	if err != nil {
		return nil, err
	}
	var out []Expected
	for _, c := range cands {
		if c.Status != domain.CandidatureAccepted {
			continue
		}
		if _, ok, err := s.store.EnrolmentOf(ctx, nil, c.ID); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		en, e, err := s.expected(ctx, ix, c)
		if err != nil {
			return nil, err
		}
		x := Expected{Candidature: c, Course: e, Fee: en.Fee}
		if a, ok, err := s.store.AttestationOf(ctx, nil, c.ID, AttestCost); err != nil {
			return nil, err
		} else if ok {
			x.Cost = &a
		}
		out = append(out, x)
	}
	return out, nil
}

// expected is the enrolment an accepted candidature will have once
// confirmed: its course, the fee the confirmation will fix.
func (s *Service) expected(ctx context.Context, ix *catalogue.Index, c domain.Candidature) (domain.Enrolment, *catalogue.Entry, error) {
	e, ok := ix.Course(c.AcceptedCourseID)
	if !ok {
		return domain.Enrolment{}, nil, fmt.Errorf("candidature %d: course %d: %w", c.ID, c.AcceptedCourseID, ErrNotFound)
	}
	check, _, err := s.store.HalfTariffCheckOf(ctx, nil, c.ID)
	if err != nil {
		return domain.Enrolment{}, nil, err
	}
	return domain.Enrolment{CandidatureID: c.ID, AccountID: c.AccountID, CourseID: e.ID, State: domain.EnrolmentDue,
		Fee: domain.FeeFor(e.PriceCents, c.HalfTariffClaim, check.Decision)}, e, nil
}

// ownAccepted reads one of the actor's own candidatures, accepted: its
// enrolment if confirmed (ok), else the one it will have.
func (s *Service) ownAccepted(ctx context.Context, actor domain.Actor, candidatureID int64) (en domain.Enrolment, confirmed bool, err error) {
	c, err := s.store.Candidature(ctx, nil, candidatureID)
	if errors.Is(err, store.ErrNotFound) {
		return en, false, fmt.Errorf("candidature %d: %w", candidatureID, ErrNotFound)
	}
	if err != nil {
		return en, false, err
	}
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: c.AccountID}) {
		return en, false, s.refusedTo(ctx, actor, c.AccountID, c.AcceptedCourseID, "candidature "+fmt.Sprint(c.ID)+" d'une autre personne",
			ErrForbidden)
	}
	if en, ok, err := s.store.EnrolmentOf(ctx, nil, c.ID); err != nil || ok {
		return en, ok, err
	}
	if c.Status != domain.CandidatureAccepted {
		return en, false, refuse("attestation.cost.not_accepted")
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return en, false, err
	}
	en, _, err = s.expected(ctx, ix, c)
	return en, false, err
}

// RequestCostAttestation records the written request of an accepted
// candidate for an attestation of training cost before their enrolment is
// confirmed; once it is, the same as RequestAttestation. Asked again, the
// one recorded.
func (s *Service) RequestCostAttestation(ctx context.Context, actor domain.Actor, candidatureID int64) (store.Attestation, error) {
	en, confirmed, err := s.ownAccepted(ctx, actor, candidatureID)
	if err != nil {
		return store.Attestation{}, err
	}
	if confirmed {
		return s.RequestAttestation(ctx, actor, en.ID, AttestCost)
	}
	return s.recordAttestation(ctx, en, AttestCost)
}

// OwnCostAttestation is the document of the attestation of training cost
// an accepted candidate asked for, confirmed or not.
func (s *Service) OwnCostAttestation(ctx context.Context, actor domain.Actor, candidatureID int64) (documents.Attestation, error) {
	en, confirmed, err := s.ownAccepted(ctx, actor, candidatureID)
	if err != nil {
		return documents.Attestation{}, err
	}
	if confirmed {
		return s.OwnAttestation(ctx, actor, en.ID, AttestCost)
	}
	return s.attestationWithQR(ctx, en, AttestCost)
}

// recordAttestation writes an attestation of kind for en, with the email
// that tells it (CON-2), in one transaction; a request raced by another
// returns the one recorded.
func (s *Service) recordAttestation(ctx context.Context, en domain.Enrolment, kind string) (store.Attestation, error) {
	if a, ok, err := s.store.AttestationOf(ctx, nil, en.CandidatureID, kind); err != nil || ok {
		return a, err
	}
	if kind == AttestCost && en.Fee.Pending {
		return store.Attestation{}, refuse("payment.half_pending")
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return store.Attestation{}, err
	}
	e, err := courseOf(ix, en)
	if err != nil {
		return store.Attestation{}, err
	}
	var a store.Attestation
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.store.PaymentTargetOf(ctx, tx, en.CourseID)
		if err != nil {
			return err
		}
		a = store.Attestation{CandidatureID: en.CandidatureID, AccountID: en.AccountID, Kind: kind,
			Number: AttestationNumber(t.SessionYear, en.CandidatureID, kind), RequestedAt: s.now()}
		created, err := s.store.InsertAttestation(ctx, tx, &a)
		if err != nil {
			return err
		}
		if !created { // a click raced this one: show what it recorded
			a, _, err = s.store.AttestationOf(ctx, tx, en.CandidatureID, kind)
			return err
		}
		subject, text, htm, err := s.attestationMail(ctx, tx, en, e, a)
		if err != nil {
			return err
		}
		return s.keep(ctx, tx, en.AccountID, "attestation_ready", subject, text, htm)
	})
	return a, err
}
