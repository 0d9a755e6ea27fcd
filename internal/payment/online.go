package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/payfip"
	"cma/internal/store"
)

// Online payment by card through PayFiP (PAY-1, PAY-4). An attempt is one
// PayFiP operation (idOp): created here, paid on PayFiP's page, then settled
// by whichever comes first of PayFiP's notification, the browser's return
// and the reconciliation job — all three only give an idOp, and settling
// always asks PayFiP for the result. Settling twice does nothing twice.

// Paths PayFiP and the browser come back to; web serves them.
const (
	NotificationPath = "/paiement/payfip/notification"
	ReturnPath       = "/paiement/payfip/retour"
)

// Started is an online attempt created: the browser goes to URL.
type Started struct {
	IDOp string
	URL  string
}

// PayOnline starts paying an enrolment's fee online, for its learner
// (ROLE-1): it asks PayFiP for an operation and returns the payment page to
// send the browser to. An attempt still under way is settled first; one
// PayFiP still has no result for, younger than an idOp's life, refuses a
// second at once (two tabs must not charge twice).
func (s *Service) PayOnline(ctx context.Context, actor domain.Actor, enrolmentID int64) (Started, error) {
	en, err := s.store.Enrolment(ctx, nil, enrolmentID)
	if errors.Is(err, store.ErrNotFound) {
		return Started{}, fmt.Errorf("enrolment %d: %w", enrolmentID, ErrNotFound)
	}
	if err != nil {
		return Started{}, err
	}
	if !domain.Can(actor, domain.ActApply, domain.Resource{AccountID: en.AccountID}) {
		return Started{}, s.refusedTo(ctx, actor, en.AccountID, en.CourseID, "paiement en ligne de l'inscription "+
			strconv.FormatInt(en.ID, 10)+" d'une autre personne", ErrForbidden)
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return Started{}, err
	}
	return s.startOnline(ctx, en, person.Email, "", 0)
}

func (s *Service) startOnline(ctx context.Context, en domain.Enrolment, mel, payerName string, linkID int64) (Started, error) {
	if s.payfip == nil {
		return Started{}, refuse("payment.online.unavailable")
	}
	if err := s.payableNow(ctx, en); err != nil {
		return Started{}, err
	}
	if busy, err := s.attemptUnderWay(ctx, en.ID); err != nil {
		return Started{}, err
	} else if busy {
		return Started{}, refuse("payment.online.in_progress")
	}
	// Settling may have booked a payment: read the enrolment again.
	en, err := s.store.Enrolment(ctx, nil, en.ID)
	if err != nil {
		return Started{}, err
	}
	if err := s.payableNow(ctx, en); err != nil {
		return Started{}, err
	}
	t, err := s.store.PaymentTargetOf(ctx, nil, en.CourseID)
	if err != nil {
		return Started{}, err
	}
	refdet := domain.DebtReference(t.SessionYear, en.ID)
	idop, err := s.payfip.CreatePayment(ctx, payfip.CreateRequest{
		Exer: s.now().In(domain.Paris()).Year(), Mel: mel, Montant: en.Fee.DueCents,
		Objet:  payfip.SanitizeObjet("Cours municipaux " + t.CourseCode),
		Refdet: refdet, URLNotif: s.publicURL + NotificationPath, URLRedirect: s.publicURL + ReturnPath,
	})
	if err != nil {
		s.log.Error("payment: PayFiP refused to create an operation", "enrolment", en.ID, "err", err)
		return Started{}, refuse("payment.online.provider_error")
	}
	op := domain.PayFiPOperation{IDOp: idop, EnrolmentID: en.ID, Refdet: refdet, AmountCents: en.Fee.DueCents, Mel: mel,
		PayerName: payerName, LinkID: linkID, CreatedAt: s.now()}
	if err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.store.InsertPayFiPOperation(ctx, tx, op) }); err != nil {
		return Started{}, err
	}
	return Started{IDOp: idop, URL: s.payfip.PaymentURL(idop)}, nil
}

// payableNow refuses a fee that cannot be paid now, with the reason.
func (s *Service) payableNow(ctx context.Context, en domain.Enrolment) error {
	switch {
	case en.State == domain.EnrolmentPaid:
		return refuse("payment.already_paid")
	case en.State == domain.EnrolmentFreed:
		return refuse("payment.freed")
	case en.Fee.Pending:
		return refuse("payment.half_pending")
	case !en.Deadline().Open(s.now()):
		return refuse("payment.window_passed", "Until", en.LastDay().Format("02/01/2006"))
	}
	return nil
}

// attemptUnderWay settles the enrolment's pending attempts and reports
// whether one is still waiting for its result within an idOp's life.
func (s *Service) attemptUnderWay(ctx context.Context, enrolmentID int64) (bool, error) {
	ops, err := s.store.EnrolmentOperations(ctx, enrolmentID)
	if err != nil {
		return false, err
	}
	for _, op := range ops {
		if op.State != domain.PayFiPPending {
			continue
		}
		st, err := s.Settle(ctx, op.IDOp)
		if err != nil {
			return false, err
		}
		if st.State == domain.PayFiPPending && s.now().Sub(op.CreatedAt) < domain.PayFiPIDOpLife {
			return true, nil
		}
	}
	return false, nil
}

// Settled is what settling an operation found.
type Settled struct {
	Operation domain.PayFiPOperation
	State     domain.PayFiPState
	// Booked: this call booked the payment (false when another had, or
	// nothing was paid).
	Booked bool
}

// Settle asks PayFiP about an operation and records its result: paid (P or
// V, with the amount and reference PayFiP returns equal to the debt's) books
// the payment once; a different amount or reference books nothing and is
// flagged (mismatch, audited); refused (R, Z) and abandoned (A) end the
// attempt; a result not known yet (P5) or an idOp PayFiP does not know yet
// (P1) leave it pending until PayFiPOperationLife, then it expires. An
// operation already settled is returned as it is: a notification replayed a
// hundred times, out of order, or raced by the browser's return books once.
func (s *Service) Settle(ctx context.Context, idop string) (Settled, error) {
	op, err := s.store.PayFiPOperation(ctx, nil, idop)
	if errors.Is(err, store.ErrNotFound) {
		return Settled{}, fmt.Errorf("PayFiP operation %q: %w", idop, ErrNotFound)
	}
	if err != nil {
		return Settled{}, err
	}
	if op.State != domain.PayFiPPending || s.payfip == nil {
		return Settled{Operation: op, State: op.State}, nil
	}
	d, err := s.payfip.Detail(ctx, idop)
	now := s.now()
	switch {
	case err == nil:
	case payfip.IsNotYetKnown(err) || payfip.IsUnknownOperation(err):
		if now.Sub(op.CreatedAt) < domain.PayFiPOperationLife {
			_ = s.store.MarkPayFiPAsked(ctx, idop, now)
			return Settled{Operation: op, State: domain.PayFiPPending}, nil
		}
		return s.settleEnd(ctx, op, domain.PayFiPExpired, "", "sans résultat de PayFiP après "+
			strconv.Itoa(int(domain.PayFiPOperationLife.Minutes()))+" minutes")
	default:
		// PayFiP unreachable or failing: the operation stays pending and
		// reconciliation asks again.
		s.log.Warn("payment: PayFiP detail failed", "idop", idop, "err", err)
		return Settled{Operation: op, State: domain.PayFiPPending}, nil
	}
	switch {
	case d.Paid():
		return s.settlePaid(ctx, op, d)
	case d.Refused():
		return s.settleEnd(ctx, op, domain.PayFiPRefused, d.Resultrans, "")
	case d.Abandoned():
		if now.Sub(op.CreatedAt) < domain.PayFiPOperationLife {
			// PayFiP may still turn an abandon into a payment for a while.
			_ = s.store.MarkPayFiPAsked(ctx, idop, now)
			return Settled{Operation: op, State: domain.PayFiPPending}, nil
		}
		return s.settleEnd(ctx, op, domain.PayFiPAbandoned, d.Resultrans, "")
	}
	return s.settleEnd(ctx, op, domain.PayFiPMismatch, d.Resultrans, "résultat inconnu de PayFiP : "+d.Resultrans)
}

// settleEnd ends an attempt that books nothing.
func (s *Service) settleEnd(ctx context.Context, op domain.PayFiPOperation, state domain.PayFiPState, resultrans, note string) (Settled, error) {
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		ok, err := s.store.SettlePayFiPOperation(ctx, tx, op.IDOp, state, resultrans, note, s.now())
		if err != nil || !ok {
			return err
		}
		if state == domain.PayFiPMismatch {
			return s.flagMismatch(ctx, tx, op, note)
		}
		return nil
	})
	if err != nil {
		return Settled{}, err
	}
	op, err = s.store.PayFiPOperation(ctx, nil, op.IDOp)
	return Settled{Operation: op, State: op.State}, err
}

// flagMismatch writes a money anomaly in the audit trail, for the central
// service: money PayFiP took that is not booked as it says.
func (s *Service) flagMismatch(ctx context.Context, tx *sql.Tx, op domain.PayFiPOperation, note string) error {
	s.log.Error("payment: PayFiP result does not match its debt", "idop", op.IDOp, "enrolment", op.EnrolmentID, "note", note)
	en, err := s.store.Enrolment(ctx, tx, op.EnrolmentID)
	if err != nil {
		return err
	}
	return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditPaymentMismatch,
		SubjectID: en.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: en.CourseID,
		Details: "opération PayFiP " + op.IDOp + " (" + op.Refdet + ") : " + note})
}

// settlePaid books a paid operation, after checking that PayFiP's result is
// about this debt and its amount.
func (s *Service) settlePaid(ctx context.Context, op domain.PayFiPOperation, d payfip.Detail) (Settled, error) {
	var mismatch string
	switch {
	case d.IDOp != "" && d.IDOp != op.IDOp:
		mismatch = "idOp " + d.IDOp + " au lieu de " + op.IDOp
	case d.Refdet != op.Refdet:
		mismatch = "référence " + d.Refdet + " au lieu de " + op.Refdet
	case d.Montant != op.AmountCents:
		mismatch = "montant " + strconv.FormatInt(d.Montant, 10) + " centimes au lieu de " + strconv.FormatInt(op.AmountCents, 10)
	}
	if mismatch != "" {
		return s.settleEnd(ctx, op, domain.PayFiPMismatch, d.Resultrans, mismatch)
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Settled{}, err
	}
	booked := false
	var feeNow int64
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		booked = false
		en, err := s.store.Enrolment(ctx, tx, op.EnrolmentID)
		if err != nil {
			return err
		}
		if err := s.store.LockCourse(ctx, tx, en.CourseID); err != nil {
			return err
		}
		if en, err = s.store.Enrolment(ctx, tx, op.EnrolmentID); err != nil { // as it is under the lock
			return err
		}
		if en.State == domain.EnrolmentDue && en.Fee.DueCents != op.AmountCents {
			// The fee changed while the learner was on PayFiP's page (a
			// half-tariff proof checked meanwhile): the same person must be
			// charged the same, so what PayFiP took is booked for no fee.
			feeNow = en.Fee.DueCents
			return errFeeChanged
		}
		ok, err := s.store.SettlePayFiPOperation(ctx, tx, op.IDOp, domain.PayFiPPaid, d.Resultrans, "", s.now())
		if err != nil || !ok {
			return err // settled meanwhile by another notification
		}
		paidAt := d.PaidAt
		if paidAt.IsZero() {
			paidAt = s.now()
		}
		p := domain.Payment{EnrolmentID: en.ID, AccountID: en.AccountID, CourseID: en.CourseID, AmountCents: op.AmountCents,
			Mode: domain.PayByCard, HalfTariff: en.Fee.HalfTariff, PayerName: op.PayerName, IDOp: op.IDOp, Numauto: d.Numauto,
			PaidAt: paidAt}
		err = s.book(ctx, tx, ix, en, &p)
		if errors.Is(err, store.ErrAlreadyPaid) {
			// Paid twice (at the desk meanwhile, or two attempts): PayFiP
			// took money that no fee is owed for. Flag it for a refund.
			return errPaidTwice
		}
		if err != nil {
			return err
		}
		booked = true
		return s.markLinkUsed(ctx, tx, op)
	})
	if errors.Is(err, errPaidTwice) {
		return s.settleEnd(ctx, op, domain.PayFiPMismatch, d.Resultrans, "déjà payé : à rembourser")
	}
	if errors.Is(err, errFeeChanged) {
		return s.settleEnd(ctx, op, domain.PayFiPMismatch, d.Resultrans, "payé "+strconv.FormatInt(op.AmountCents, 10)+
			" centimes alors que le droit dû est devenu "+strconv.FormatInt(feeNow, 10)+" centimes : à rembourser, le droit reste dû")
	}
	if err != nil {
		return Settled{}, err
	}
	op, err = s.store.PayFiPOperation(ctx, nil, op.IDOp)
	return Settled{Operation: op, State: op.State, Booked: booked}, err
}

var (
	errPaidTwice  = errors.New("payment: paid twice")
	errFeeChanged = errors.New("payment: the fee changed during the attempt")
)

// markLinkUsed ends a third party's payment link once its payment is booked.
func (s *Service) markLinkUsed(ctx context.Context, tx *sql.Tx, op domain.PayFiPOperation) error {
	if op.LinkID == 0 {
		return nil
	}
	return s.store.UseLink(ctx, tx, op.LinkID, op.PayerName, s.now())
}

// ReconcileEvery is how often reconciliation runs.
const ReconcileEvery = time.Minute

// ReconcileAge is how old a pending operation must be before reconciliation
// asks about it: the notification and the browser's return usually come
// first.
const ReconcileAge = 2 * time.Minute

// Reconcile asks PayFiP about every operation still pending older than
// ReconcileAge, so that a lost notification still books the payment. It
// returns how many it asked about and how many payments it booked.
func (s *Service) Reconcile(ctx context.Context) (asked, booked int, err error) {
	ids, err := s.store.PendingPayFiPOperations(ctx, s.now().Add(-ReconcileAge), 500)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		st, err := s.Settle(ctx, id)
		if err != nil {
			return asked, booked, err
		}
		asked++
		if st.Booked {
			booked++
		}
	}
	return asked, booked, nil
}

// courseOf finds an enrolment's course in the index.
func courseOf(ix *catalogue.Index, en domain.Enrolment) (*catalogue.Entry, error) {
	e, ok := ix.Course(en.CourseID)
	if !ok {
		return nil, fmt.Errorf("enrolment %d: course %d: %w", en.ID, en.CourseID, ErrNotFound)
	}
	return e, nil
}
