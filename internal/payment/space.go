package payment

import (
	"context"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// FeesPath is the learner's "historique et paiement", where they pay: the
// emails about a fee link to it.
const FeesPath = "/historique-et-paiement"

// Fee is one enrolment as its learner sees it under "historique et
// paiement" (PAY-1): what is due, until when, how to pay, what was paid and
// by whom, the card.
type Fee struct {
	Enrolment domain.Enrolment
	Course    *catalogue.Entry
	Payment   *domain.Payment     // nil until paid
	Card      *domain.LearnerCard // the valid card, nil until paid
	// Payable: the learner can pay online now.
	Payable bool
	// Online: online payment is set up on this platform.
	Online bool
	// Attempts are the PayFiP attempts, newest first.
	Attempts []domain.PayFiPOperation
	// NotOpened: the course did not open (SEL-6); Refund is then the
	// payment's refund due (REF-2), nil when nothing was paid or the
	// payment followed the learner into another course.
	NotOpened bool
	Refund    *domain.RefundDue
	// HalfRefused is the reason the half-tariff proof was refused (CAN-9),
	// "" when it was not.
	HalfRefused string
}

// Fees lists a learner's enrolments with their fees, for the learner
// themself (ROLE-1).
func (s *Service) Fees(ctx context.Context, actor domain.Actor, accountID int64) ([]Fee, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: accountID}) {
		return nil, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	enrolments, err := s.store.AccountEnrolments(ctx, accountID)
	if err != nil {
		return nil, err
	}
	refunds, err := s.store.RefundsDue(ctx, store.RefundsQuery{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Fee
	for _, en := range enrolments {
		e, ok := ix.Course(en.CourseID)
		if !ok {
			continue
		}
		f := Fee{Enrolment: en, Course: e, Payable: en.Payable(now) && s.payfip != nil, Online: s.payfip != nil}
		if p, ok, err := s.store.PaymentOf(ctx, nil, en.ID); err != nil {
			return nil, err
		} else if ok {
			f.Payment = &p
		}
		if c, ok, err := s.store.ValidCardOf(ctx, nil, en.ID); err != nil {
			return nil, err
		} else if ok {
			f.Card = &c
		}
		if f.Attempts, err = s.store.EnrolmentOperations(ctx, en.ID); err != nil {
			return nil, err
		}
		if check, ok, err := s.store.HalfTariffCheckOf(ctx, nil, en.CandidatureID); err != nil {
			return nil, err
		} else if ok && check.Decision == domain.HalfTariffRefused {
			f.HalfRefused = check.Reason
		}
		if f.NotOpened, err = s.store.CourseClosedTx(ctx, nil, en.CourseID); err != nil {
			return nil, err
		}
		for i := range refunds {
			if refunds[i].EnrolmentID == en.ID && refunds[i].State == domain.RefundDueState {
				f.Refund = &refunds[i]
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// OwnOperation reads a PayFiP operation for the learner it belongs to, after
// settling it (the browser's return from PayFiP's page): the page then says
// paid, refused or still waiting.
func (s *Service) OwnOperation(ctx context.Context, actor domain.Actor, idop string) (Settled, error) {
	op, err := s.store.PayFiPOperation(ctx, nil, idop)
	if err != nil {
		return Settled{}, ErrNotFound
	}
	en, err := s.store.Enrolment(ctx, nil, op.EnrolmentID)
	if err != nil {
		return Settled{}, err
	}
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: en.AccountID}) {
		return Settled{}, s.refusedTo(ctx, actor, en.AccountID, en.CourseID, "opération PayFiP "+idop+" d'une autre personne", ErrForbidden)
	}
	return s.Settle(ctx, idop)
}
