package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// Learner is one accepted learner of a course as the director's enrolment
// list shows them: the half-tariff claim and its check, the enrolment once
// confirmed, its payment once paid.
type Learner struct {
	store.CourseLearner
	Enrolment *domain.Enrolment // nil until confirmed
	Payment   *domain.Payment   // nil until paid
	Overdue   bool              // the window passed, the fee still due: the director decides (PAY-1)
}

// Roster is a course's enrolment list.
type Roster struct {
	Course   *catalogue.Entry
	Learners []Learner
	// MayRecordDesk: the actor may record desk payments (the director of the
	// course's establishment only, PAY-2).
	MayRecordDesk bool
	// MayManage: the actor may extend windows and free unpaid seats (PAY-1).
	MayManage bool
	// CourseExtendedUntil is the course's own last day to pay, zero when
	// none.
	CourseExtendedUntil time.Time
}

// Roster reads a course's enrolment list for staff who may confirm its
// enrolments (ROLE-3, ROLE-5).
func (s *Service) Roster(ctx context.Context, actor domain.Actor, courseID int64) (Roster, error) {
	_, e, err := s.staffCourse(ctx, actor, domain.ActConfirmEnrolment, courseID)
	if err != nil {
		return Roster{}, err
	}
	learners, err := s.store.CourseLearners(ctx, courseID)
	if err != nil {
		return Roster{}, err
	}
	enrolments, err := s.store.CourseEnrolments(ctx, nil, courseID)
	if err != nil {
		return Roster{}, err
	}
	payments, err := s.store.CoursePayments(ctx, courseID)
	if err != nil {
		return Roster{}, err
	}
	byCandidature := map[int64]domain.Enrolment{}
	for _, en := range enrolments {
		byCandidature[en.CandidatureID] = en
	}
	now := s.now()
	r := Roster{Course: e, MayRecordDesk: domain.Can(actor, domain.ActRecordDeskPayment, courseResource(e)),
		MayManage: domain.Can(actor, domain.ActManagePayments, courseResource(e))}
	for _, l := range learners {
		row := Learner{CourseLearner: l}
		if en, ok := byCandidature[l.CandidatureID]; ok {
			row.Enrolment = &en
			row.Overdue = en.Overdue(now)
			r.CourseExtendedUntil = en.CourseExtendedUntil
			if p, ok := payments[en.ID]; ok {
				row.Payment = &p
			}
		}
		r.Learners = append(r.Learners, row)
	}
	return r, nil
}

// Confirmed says what a confirmation did.
type Confirmed struct {
	Confirmed int // enrolments confirmed now
	Already   int // confirmed before: nothing changed
}

// Confirm confirms the enrolments of the given candidatures accepted in a
// course (the learner came to the first class or passed the test): the fee
// becomes due, fixed now (PAY-3, PAY-5, CAN-9), payable until the learner's
// own second class meeting (PAY-1). One transaction under the course's lock;
// a candidature confirmed before is left as it is, so that a form sent twice
// changes nothing. Each learner is told by email and in their space.
func (s *Service) Confirm(ctx context.Context, actor domain.Actor, courseID int64, candidatureIDs []int64) (Confirmed, error) {
	ix, e, err := s.staffCourse(ctx, actor, domain.ActConfirmEnrolment, courseID)
	if err != nil {
		return Confirmed{}, err
	}
	if len(candidatureIDs) == 0 {
		return Confirmed{}, refuse("payment.confirm.none")
	}
	var held []time.Time
	for _, m := range ix.Meetings(e, domain.Paris()) {
		if !m.Skipped {
			held = append(held, m.Date)
		}
	}
	var out Confirmed
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		out = Confirmed{}
		if err := s.store.LockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		tariff, err := s.store.CourseTariff(ctx, tx, courseID)
		if err != nil {
			return err
		}
		for _, id := range candidatureIDs {
			done, err := s.confirmTx(ctx, tx, actor, e, held, tariff, id)
			if err != nil {
				return err
			}
			if done {
				out.Confirmed++
			} else {
				out.Already++
			}
		}
		return nil
	})
	return out, err
}

// confirmTx confirms one candidature's enrolment; done is false when it was
// confirmed before.
func (s *Service) confirmTx(ctx context.Context, tx *sql.Tx, actor domain.Actor, e *catalogue.Entry, held []time.Time,
	tariff int64, candidatureID int64) (done bool, err error) {
	c, err := s.store.Candidature(ctx, tx, candidatureID)
	if errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("candidature %d: %w", candidatureID, ErrNotFound)
	}
	if err != nil {
		return false, err
	}
	if c.Status != domain.CandidatureAccepted || c.AcceptedCourseID != e.ID {
		return false, refuse("payment.confirm.not_accepted")
	}
	if _, ok, err := s.store.EnrolmentOf(ctx, tx, c.ID); err != nil || ok {
		return false, err
	}
	check, _, err := s.store.HalfTariffCheckOf(ctx, tx, c.ID)
	if err != nil {
		return false, err
	}
	now := s.now()
	joined, err := s.store.AcceptedOn(ctx, tx, c.ID)
	if err != nil {
		return false, err
	}
	if joined.IsZero() {
		joined = now
	}
	joinedDay := parisDay(joined)
	payUntil := domain.PayUntil(held, joinedDay)
	// A confirmation entered late must not leave the learner already
	// overdue: the window then runs from the day of the confirmation.
	if today := parisDay(now); payUntil.Before(today) {
		payUntil = domain.PayUntil(held, today)
	}
	en := domain.Enrolment{CandidatureID: c.ID, AccountID: c.AccountID, CourseID: e.ID,
		Fee: domain.FeeFor(tariff, c.HalfTariffClaim, check.Decision), JoinedOn: joinedDay, PayUntil: payUntil,
		ConfirmedAt: now, ConfirmedBy: actor.AccountID}
	ok, err := s.store.InsertEnrolment(ctx, tx, &en)
	if err != nil || !ok {
		return false, err
	}
	if err := s.audit(ctx, tx, actor, e.ID, domain.AuditEvent{Action: domain.AuditEnrolmentConfirmed, SubjectID: c.AccountID,
		Details: "inscription confirmée : " + e.Code + ", " + documents.FrenchMoney(en.Fee.DueCents) + halfNote(en.Fee) +
			", à payer jusqu'au " + en.PayUntil.Format("02/01/2006")}); err != nil {
		return false, err
	}
	st, err := s.seat(ctx, tx, c.AccountID, e)
	if err != nil {
		return false, err
	}
	subject, text, html, err := mail.RenderEnrolmentConfirmed(mail.EnrolmentMail{Seat: st, Amount: documents.FrenchMoney(en.Fee.DueCents),
		HalfTariff: en.Fee.HalfTariff, HalfPending: en.Fee.Pending, Until: s.longDate(en.PayUntil)})
	if err != nil {
		return false, err
	}
	return true, s.keep(ctx, tx, c.AccountID, "enrolment_confirmed", subject, text, html)
}

func halfNote(f domain.Fee) string {
	switch {
	case f.HalfTariff:
		return " (demi-tarif)"
	case f.Pending:
		return " (demi-tarif demandé, sous réserve de vérification)"
	}
	return ""
}

// parisDay is the Paris civil date of an instant, at 00:00 UTC.
func parisDay(t time.Time) time.Time {
	y, m, d := t.In(domain.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MaxReasonLength bounds a staff member's reason.
const MaxReasonLength = 500

// CheckHalfTariff records the check of a candidature's half-tariff proof
// (CAN-9, PAY-5) by the director of its course's establishment or the
// central service: accepted, the half tariff applies; refused (with the
// reason the learner reads), the full tariff. It may be decided again while
// nothing is paid; once paid, never: no retroactive half tariff. An enrolment
// already confirmed has its fee changed in the same transaction. The learner
// is told; the step is audited.
func (s *Service) CheckHalfTariff(ctx context.Context, actor domain.Actor, courseID, candidatureID int64, accept bool,
	reason string) error {
	_, e, err := s.staffCourse(ctx, actor, domain.ActConfirmEnrolment, courseID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return refuse("payment.halftariff.reason_required")
	}
	if len([]rune(reason)) > MaxReasonLength {
		return refuse("payment.reason_too_long", "Max", MaxReasonLength)
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.LockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		c, err := s.store.Candidature(ctx, tx, candidatureID)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("candidature %d: %w", candidatureID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if c.Status != domain.CandidatureAccepted || c.AcceptedCourseID != e.ID {
			return refuse("payment.confirm.not_accepted")
		}
		if !c.HalfTariffClaim {
			return refuse("payment.halftariff.no_claim")
		}
		en, enrolled, err := s.store.EnrolmentOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if enrolled && en.State != domain.EnrolmentDue {
			return refuse("payment.halftariff.already_paid")
		}
		if enrolled {
			// Not while the learner may be paying the amount known before
			// (settlePaid would then book nothing and flag the payment).
			if busy, err := s.store.PayFiPUnderWay(ctx, tx, en.ID, s.now().Add(-domain.PayFiPOperationLife)); err != nil {
				return err
			} else if busy {
				return refuse("payment.halftariff.attempt_pending")
			}
		}
		decision := domain.HalfTariffRefused
		if accept {
			decision = domain.HalfTariffAccepted
		}
		if prev, ok, err := s.store.HalfTariffCheckOf(ctx, tx, c.ID); err != nil {
			return err
		} else if ok && prev.Decision == decision && prev.Reason == reason {
			return nil // the same decision sent twice
		}
		now := s.now()
		if err := s.store.SaveHalfTariffCheck(ctx, tx, domain.HalfTariffCheck{CandidatureID: c.ID, Decision: decision,
			Reason: reason, CheckedBy: actor.AccountID, CheckedAt: now}); err != nil {
			return err
		}
		fee := domain.FeeFor(en.Fee.FullCents, true, decision)
		if enrolled {
			if ok, err := s.store.SetEnrolmentDue(ctx, tx, en.ID, fee.DueCents, fee.HalfTariff); err != nil {
				return err
			} else if !ok {
				return refuse("payment.halftariff.already_paid")
			}
		}
		details := "justificatif de demi-tarif refusé : plein tarif"
		if accept {
			details = "justificatif de demi-tarif accepté : demi-tarif"
		}
		if err := s.audit(ctx, tx, actor, e.ID, domain.AuditEvent{Action: domain.AuditHalfTariffChecked, SubjectID: c.AccountID,
			Details: details + " (" + e.Code + ")", Reason: reason}); err != nil {
			return err
		}
		st, err := s.seat(ctx, tx, c.AccountID, e)
		if err != nil {
			return err
		}
		m := mail.HalfTariffMail{Seat: st, Accepted: accept, Reason: reason}
		if enrolled {
			m.Amount = documents.FrenchMoney(fee.DueCents)
		}
		subject, text, html, err := mail.RenderHalfTariffChecked(m)
		if err != nil {
			return err
		}
		return s.keep(ctx, tx, c.AccountID, "half_tariff_checked", subject, text, html)
	})
}

// Proof returns the half-tariff proof of a candidature accepted in a course,
// for the staff who check it (CAN-9); the read is audited, as a file read.
func (s *Service) Proof(ctx context.Context, actor domain.Actor, courseID, candidatureID int64) (domain.Proof, error) {
	_, e, err := s.staffCourse(ctx, actor, domain.ActConfirmEnrolment, courseID)
	if err != nil {
		return domain.Proof{}, err
	}
	c, err := s.store.Candidature(ctx, nil, candidatureID)
	if err != nil {
		return domain.Proof{}, err
	}
	if c.AcceptedCourseID != e.ID || c.ProofID == 0 {
		return domain.Proof{}, fmt.Errorf("proof of candidature %d: %w", candidatureID, ErrNotFound)
	}
	p, err := s.store.ProofFile(ctx, c.ProofID)
	if err != nil {
		return p, err
	}
	if len(p.Data) == 0 {
		return p, refuse("payment.halftariff.proof_erased")
	}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditFileRead,
			SubjectID: c.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID,
			Details: "justificatif de demi-tarif consulté (" + e.Code + ")"})
	})
	return p, err
}
