package payment

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/store"
)

// RecordDesk records a fee paid at the director's desk (PAY-2): a cheque
// payable to the régie (number, bank, drawer) or cash of exactly the amount
// due, only when that amount is at most 300.00 EUR; by the director of the
// course's establishment only. A third party paying by cheque is named
// (PAY-4). The fee may be taken after its window when the director decides
// to keep the seat. One transaction: the payment, its journal entry, the
// card, the email, the audit line.
func (s *Service) RecordDesk(ctx context.Context, actor domain.Actor, courseID, enrolmentID int64, p domain.DeskPayment) (domain.Payment, error) {
	ix, e, err := s.staffCourse(ctx, actor, domain.ActRecordDeskPayment, courseID)
	if errors.Is(err, ErrForbidden) {
		return domain.Payment{}, s.refusedTo(ctx, actor, 0, courseID, "paiement au guichet pour un cours hors de son établissement", err)
	}
	if err != nil {
		return domain.Payment{}, err
	}
	p.ChequeNumber = strings.TrimSpace(p.ChequeNumber)
	p.ChequeBank = strings.TrimSpace(p.ChequeBank)
	p.ChequeDrawer = strings.TrimSpace(p.ChequeDrawer)
	p.PayerName = strings.TrimSpace(p.PayerName)
	for _, v := range []string{p.ChequeBank, p.ChequeDrawer, p.PayerName} {
		if len([]rune(v)) > 120 {
			return domain.Payment{}, refuse("payment.desk.too_long")
		}
	}
	var out domain.Payment
	var wrong *amountRefused
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		wrong = nil
		if err := s.store.LockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		en, err := s.store.Enrolment(ctx, tx, enrolmentID)
		if err != nil {
			return err
		}
		if en.CourseID != e.ID {
			return ErrNotFound
		}
		switch {
		case en.State == domain.EnrolmentPaid:
			return refuse("payment.already_paid")
		case en.State == domain.EnrolmentFreed:
			return refuse("payment.freed")
		case en.Fee.Pending:
			return refuse("payment.half_pending")
		}
		if errs := domain.CheckDeskPayment(p, en.Fee.DueCents); len(errs) > 0 {
			for _, fe := range errs {
				if fe.Field == "amount" && p.AmountCents != en.Fee.DueCents {
					wrong = &amountRefused{subject: en.AccountID, due: en.Fee.DueCents}
				}
			}
			return domain.FieldErrors(errs)
		}
		out = domain.Payment{EnrolmentID: en.ID, AccountID: en.AccountID, CourseID: en.CourseID, AmountCents: en.Fee.DueCents,
			Mode: p.Mode, HalfTariff: en.Fee.HalfTariff, PayerName: p.PayerName, RecordedBy: actor.AccountID, PaidAt: s.now()}
		if p.Mode == domain.PayByCheque {
			out.ChequeNumber, out.ChequeBank, out.ChequeDrawer = p.ChequeNumber, p.ChequeBank, p.ChequeDrawer
		}
		if err := s.book(ctx, tx, ix, en, &out); errors.Is(err, store.ErrAlreadyPaid) {
			return refuse("payment.already_paid")
		} else if err != nil {
			return err
		}
		details := "paiement au guichet " + modeWords(p.Mode) + " : " + documents.FrenchMoney(out.AmountCents) + ", reçu n° " +
			out.ReceiptNumber + " (" + e.Code + ")"
		if p.Mode == domain.PayByCheque {
			details += ", chèque n° " + p.ChequeNumber + " (" + p.ChequeBank + ", tiré par " + p.ChequeDrawer + ")"
		}
		if p.PayerName != "" {
			details += ", payé par " + p.PayerName
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID,
			Action: domain.AuditPaymentRecorded, SubjectID: en.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID,
			Details: details})
	})
	if wrong != nil {
		return out, s.refusedTo(ctx, actor, wrong.subject, courseID, "paiement au guichet de "+documents.FrenchMoney(p.AmountCents)+
			" refusé : "+documents.FrenchMoney(wrong.due)+" dus ("+e.Code+")", err)
	}
	return out, err
}

// amountRefused is a desk payment refused for its amount: not the one due.
type amountRefused struct {
	subject, due int64
}
