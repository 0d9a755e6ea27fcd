package payment

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/mail"
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
		// changed are the enrolments still due whose last day moves: each
		// learner is told (CON-2); one whose own later extension keeps
		// their last day is not.
		var changed [][2]domain.Enrolment
		if enrolmentID == 0 {
			enrolments, err := s.store.CourseEnrolments(ctx, tx, e.ID)
			if err != nil {
				return err
			}
			if err := s.store.ExtendCourseWindow(ctx, tx, e.ID, until); err != nil {
				return err
			}
			for _, en := range enrolments {
				after := en
				after.CourseExtendedUntil = until
				if en.State == domain.EnrolmentDue && !after.LastDay().Equal(en.LastDay()) {
					changed = append(changed, [2]domain.Enrolment{en, after})
				}
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
			after := en
			after.ExtendedUntil = until
			if !after.LastDay().Equal(en.LastDay()) {
				changed = append(changed, [2]domain.Enrolment{en, after})
			}
		}
		if err := s.audit(ctx, tx, actor, e.ID, domain.AuditEvent{Action: domain.AuditPaymentWindowExtended, SubjectID: subject,
			Details: details, Reason: reason}); err != nil {
			return err
		}
		for _, c := range changed {
			// The eve of the new last day reminds the fee again (Remind).
			if err := s.store.ClearEnrolmentReminder(ctx, tx, c[1].ID); err != nil {
				return err
			}
			if err := s.tellWindow(ctx, tx, e, c[0], c[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// tellWindow tells a learner, in tx, the new last day to pay their fee, by
// email and in their space (PAY-1, CON-2), with the link to "historique et
// paiement" where they pay.
func (s *Service) tellWindow(ctx context.Context, tx *sql.Tx, e *catalogue.Entry, before, after domain.Enrolment) error {
	st, err := s.seat(ctx, tx, after.AccountID, e)
	if err != nil {
		return err
	}
	subject, text, html, err := mail.RenderPaymentWindowChanged(mail.WindowMail{Seat: st,
		Amount: documents.FrenchMoney(after.Fee.DueCents), HalfTariff: after.Fee.HalfTariff, Until: s.longDate(after.LastDay()),
		Later: after.LastDay().After(before.LastDay()), FeesURL: s.publicURL + FeesPath})
	if err != nil {
		return err
	}
	return s.keep(ctx, tx, after.AccountID, "payment_window_changed", subject, text, html)
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

// UnpaidFee is one fee still due in the director's queue (PAY-1).
type UnpaidFee struct {
	Enrolment           domain.Enrolment
	Course              *catalogue.Entry
	FirstName, LastName string
	// Overdue: the window has passed: the director decides, more time or
	// the seat freed.
	Overdue bool
}

// Unpaid lists the fees still due (neither paid nor freed) of the courses
// whose payments actor may manage (PAY-1): a director's own
// establishment(s), every one for the central service; the overdue first,
// then by last day. Staff who may manage no payments are refused.
func (s *Service) Unpaid(ctx context.Context, actor domain.Actor) ([]UnpaidFee, error) {
	establishments, err := establishmentsFor(actor, domain.ActManagePayments)
	if err != nil {
		return nil, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	due, err := s.store.DueEnrolments(ctx, establishments)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []UnpaidFee
	for _, d := range due {
		e, ok := ix.Course(d.CourseID)
		if !ok || !domain.Can(actor, domain.ActManagePayments, courseResource(e)) {
			continue
		}
		out = append(out, UnpaidFee{Enrolment: d.Enrolment, Course: e, FirstName: d.FirstName, LastName: d.LastName,
			Overdue: d.Overdue(now)})
	}
	slices.SortStableFunc(out, func(a, b UnpaidFee) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		if c := a.Enrolment.LastDay().Compare(b.Enrolment.LastDay()); c != 0 {
			return c
		}
		if c := strings.Compare(a.Course.Code, b.Course.Code); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName))
	})
	return out, nil
}
