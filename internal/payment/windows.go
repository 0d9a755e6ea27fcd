package payment

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cma/internal/domain"
)

// The payment window after the fact (PAY-1): the FAQ lets the procedure be
// adapted per formation and establishment, so the director may give more
// time to a learner or to a whole course; once the window has passed, the
// director sees who has not paid and decides: more time, or the seat freed
// for the waiting list.

// MaxExtensionDays bounds an extension: a fee is paid at the start of the
// course, not at its end.
const MaxExtensionDays = 90

// ExtendWindow sets the last day to pay for one learner (enrolmentID) or,
// with enrolmentID 0, for every learner of the course, with the reason in
// the audit trail. The day must be today or later, and at most
// MaxExtensionDays away.
func (s *Service) ExtendWindow(ctx context.Context, actor domain.Actor, courseID, enrolmentID int64, until time.Time,
	reason string) error {
	_, e, err := s.staffCourse(ctx, actor, domain.ActManagePayments, courseID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReasonLength {
		return refuse("payment.reason_too_long", "Max", MaxReasonLength)
	}
	today := parisDay(s.now())
	y, m, d := until.Date()
	until = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if until.Before(today) || until.After(today.AddDate(0, 0, MaxExtensionDays)) {
		return refuse("payment.extend.day", "Max", MaxExtensionDays)
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		details := "délai de paiement prolongé jusqu'au " + until.Format("02/01/2006") + " pour tout le cours " + e.Code
		subject := int64(0)
		if enrolmentID == 0 {
			if err := s.store.ExtendCourseWindow(ctx, tx, e.ID, until); err != nil {
				return err
			}
		} else {
			en, err := s.store.Enrolment(ctx, tx, enrolmentID)
			if err != nil {
				return err
			}
			if en.CourseID != e.ID {
				return ErrNotFound
			}
			if ok, err := s.store.ExtendEnrolment(ctx, tx, en.ID, until, actor.AccountID); err != nil {
				return err
			} else if !ok {
				return refuse("payment.already_paid")
			}
			details, subject = "délai de paiement prolongé jusqu'au "+until.Format("02/01/2006")+" ("+e.Code+")", en.AccountID
		}
		return s.audit(ctx, tx, actor, e.ID, domain.AuditEvent{Action: domain.AuditPaymentWindowExtended, SubjectID: subject,
			Details: details, Reason: reason})
	})
}

// FreeUnpaid frees the seat of a learner whose window has passed without
// payment, when the director decides so (PAY-1): the candidature is
// withdrawn and its seat offered down the waiting list, the enrolment ends
// as freed, in one transaction; the learner is told, the step audited.
func (s *Service) FreeUnpaid(ctx context.Context, actor domain.Actor, courseID, enrolmentID int64, reason string) error {
	_, e, err := s.staffCourse(ctx, actor, domain.ActManagePayments, courseID)
	if err != nil {
		return err
	}
	if s.waitlist == nil {
		return errors.New("payment: no waiting lists to free a seat to")
	}
	en, err := s.store.Enrolment(ctx, nil, enrolmentID)
	if err != nil {
		return err
	}
	if en.CourseID != e.ID {
		return ErrNotFound
	}
	if !en.Overdue(s.now()) {
		if en.State != domain.EnrolmentDue {
			return refuse("payment.already_paid")
		}
		return refuse("payment.free.not_overdue", "Until", en.LastDay().Format("02/01/2006"))
	}
	reason = strings.TrimSpace(reason)
	_, err = s.waitlist.WithdrawUnpaid(ctx, actor, en.CandidatureID, reason, func(ctx context.Context, tx *sql.Tx, _ domain.Candidature) error {
		ok, err := s.store.FreeEnrolment(ctx, tx, en.ID, s.now(), actor.AccountID, reason)
		if err != nil {
			return err
		}
		if !ok {
			return refuse("payment.already_paid") // paid meanwhile: the seat stays
		}
		return s.audit(ctx, tx, actor, e.ID, domain.AuditEvent{Action: domain.AuditEnrolmentFreed, SubjectID: en.AccountID,
			Details: "place libérée faute de paiement dans le délai (" + e.Code + ", dû " +
				en.LastDay().Format("02/01/2006") + ")", Reason: reason})
	})
	return err
}
