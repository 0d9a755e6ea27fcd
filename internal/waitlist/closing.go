package waitlist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// Courses that do not open (SEL-6): the central service sets, per session, a
// minimum of learners and the day from which it decides; a course below the
// minimum from that day may be closed. Its candidates and learners are told
// (email and space) and each is offered, where there is room, a seat in an
// equivalent course (same formation and level, same session), with the
// session's deadline. What a learner paid becomes a refund due (REF-2),
// cancelled if they take the equivalent seat, where the payment follows them
// (the payment capability, told through Deps.NotOpened and Deps.Moved).

// Opening is a session's rule for courses that may not open.
type Opening struct {
	MinLearners int       // 0: no minimum, no course is closed
	DecisionOn  time.Time // the civil date from which the central service decides; zero: not set
}

// SessionOpening reads the session's rule.
func (s *Service) SessionOpening(ctx context.Context, actor domain.Actor, sessionID int64) (Opening, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return Opening{}, ErrForbidden
	}
	var o Opening
	var err error
	o.MinLearners, o.DecisionOn, err = s.store.SessionOpening(ctx, nil, sessionID)
	return o, err
}

// SetSessionOpening changes the session's rule, audited.
func (s *Service) SetSessionOpening(ctx context.Context, actor domain.Actor, sessionID int64, o Opening) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	if o.MinLearners < 0 || o.MinLearners > 100 {
		return refuse("waitlist.opening.min")
	}
	if o.MinLearners > 0 && o.DecisionOn.IsZero() {
		return refuse("waitlist.opening.date")
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := s.store.SessionOpening(ctx, tx, sessionID); err != nil {
			return err
		}
		if err := s.store.SetSessionOpening(ctx, tx, sessionID, o.MinLearners, o.DecisionOn); err != nil {
			return err
		}
		day := "—"
		if !o.DecisionOn.IsZero() {
			day = o.DecisionOn.Format("02/01/2006")
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditSessionChanged,
			ObjectKind: domain.AuditObjectSession, ObjectID: sessionID,
			Details: fmt.Sprintf("ouverture des cours : %d auditeurs au moins, décision à partir du %s", o.MinLearners, day)})
	})
}

// Closing says what closing a course did.
type Closing struct {
	Already bool
	Told    int // candidatures told
	Offered int // of which offered a seat in an equivalent course
}

// MayClose reports whether actor may close the course now, and if not, the
// reason (a refusal), for the page that shows the button.
func (s *Service) MayClose(ctx context.Context, actor domain.Actor, courseID int64) error {
	_, _, err := s.closable(ctx, actor, courseID, nil)
	return err
}

// closable checks the rule: the central service, a session with a minimum
// and a decision day reached, a course not closed and below the minimum.
func (s *Service) closable(ctx context.Context, actor domain.Actor, courseID int64, tx *sql.Tx) (*catalogue.Index, *catalogue.Entry, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return nil, nil, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, nil, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	check := func(tx *sql.Tx) error {
		minimum, decision, err := s.store.SessionOpening(ctx, tx, e.SessionID)
		if err != nil {
			return err
		}
		if minimum == 0 || decision.IsZero() {
			return refuse("waitlist.close.no_rule")
		}
		if s.now().Before(time.Date(decision.Year(), decision.Month(), decision.Day(), 0, 0, 0, 0, domain.Paris())) {
			return refuse("waitlist.close.before", "Day", decision.Format("02/01/2006"))
		}
		if closed, err := s.store.CourseClosedTx(ctx, tx, courseID); err != nil || closed {
			if closed {
				return refuse("waitlist.close.closed")
			}
			return err
		}
		_, accepted, _, err := s.store.CourseSeats(ctx, tx, courseID)
		if err != nil {
			return err
		}
		if accepted >= minimum {
			return refuse("waitlist.close.enough", "Count", accepted, "Min", minimum)
		}
		return nil
	}
	return ix, e, check(tx) // tx nil: a read outside any transaction
}

// CloseCourse closes a course that will not open, in one transaction under
// the locks of the course and of its equivalents: every candidature accepted
// in it, or waiting for it as the course chosen, becomes "cours non ouvert",
// is told, and is offered the first free seat, in the order of the courses'
// codes, of an equivalent course it can take (CAN-1..3). Pending offers of
// its seats end.
func (s *Service) CloseCourse(ctx context.Context, actor domain.Actor, courseID int64, reason string) (Closing, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Closing{}, refuse("waitlist.close.reason")
	}
	if len([]rune(reason)) > MaxReasonLength {
		return Closing{}, refuse("waitlist.move.reason_long", "Max", MaxReasonLength)
	}
	ix, e, err := s.closable(ctx, actor, courseID, nil)
	if err != nil {
		var r *Refusal
		if errors.As(err, &r) && r.Key == "waitlist.close.closed" {
			return Closing{Already: true}, nil
		}
		return Closing{}, err
	}
	equivalents := Equivalents(ix, e)
	var res Closing
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		res = Closing{}
		ids := []int64{e.ID}
		for _, k := range equivalents {
			ids = append(ids, k.ID)
		}
		if err := s.lockCourses(ctx, tx, ids...); err != nil {
			return err
		}
		if _, _, err := s.closable(ctx, actor, courseID, tx); err != nil { // as it is under the locks
			return err
		}
		now := s.now()
		if _, err := s.store.CloseCourse(ctx, tx, e.ID, now, actor.AccountID, reason); err != nil {
			return err
		}
		if err := s.store.EndCourseOffers(ctx, tx, e.ID, now); err != nil {
			return err
		}
		members, err := s.store.CourseMembers(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		days, err := s.store.SessionOfferDays(ctx, tx, e.SessionID)
		if err != nil {
			return err
		}
		for _, m := range members {
			if err := s.store.LockPerson(ctx, tx, m.AccountID); err != nil {
				return err
			}
			if _, err := s.store.SetCandidatureStatus(ctx, tx, m.CandidatureID, []domain.CandidatureStatus{m.Status},
				domain.CandidatureCourseClosed, 0, now, actor.AccountID, "cours non ouvert ("+e.Code+") : "+reason); err != nil {
				return err
			}
			if m.Status == domain.CandidatureAccepted && s.notOpened != nil { // what they paid becomes a refund due (REF-2)
				if err := s.notOpened(ctx, tx, m.CandidatureID, actor.AccountID, "cours non ouvert ("+e.Code+")"); err != nil {
					return err
				}
			}
			if err := s.store.LeaveWaitingLists(ctx, tx, m.CandidatureID); err != nil {
				return err
			}
			if err := s.store.EndOpenDayChanges(ctx, tx, m.CandidatureID, now); err != nil { // SEL-8
				return err
			}
			if pending, ok, err := s.store.PendingOfferOf(ctx, tx, m.CandidatureID); err != nil {
				return err
			} else if ok {
				// A seat offered elsewhere goes back to its list's next.
				if _, err := s.store.AnswerOffer(ctx, tx, pending.ID, domain.OfferLapsed, now); err != nil {
					return err
				}
			}
			offer, err := s.equivalentSeat(ctx, tx, ix, m, equivalents, days)
			if err != nil {
				return err
			}
			st, err := s.seat(ctx, tx, m.AccountID, e)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderCourseClosed(st, reason, offer != nil)
			if err != nil {
				return err
			}
			if err := s.keep(ctx, tx, m.AccountID, "waitlist_course_closed", subject, text, html); err != nil {
				return err
			}
			if offer != nil {
				if err := s.tellOffer(ctx, tx, ix, *offer, false); err != nil {
					return err
				}
				res.Offered++
			}
			res.Told++
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditCourseClosed,
			ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: reason,
			Details: fmt.Sprintf("cours : %s ; candidatures prévenues : %d ; places proposées ailleurs : %d", e.Code, res.Told, res.Offered)})
	})
	return res, err
}

// equivalentSeat offers the member the first free seat of an equivalent
// course they can take; nil when there is none.
func (s *Service) equivalentSeat(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, m store.CourseMember, equivalents []*catalogue.Entry, days int) (*domain.Offer, error) {
	now := s.now()
	for _, k := range equivalents {
		if domain.ListsClosed(k.FirstClass, now) {
			continue
		}
		if closed, err := s.store.CourseClosedTx(ctx, tx, k.ID); err != nil {
			return nil, err
		} else if closed {
			continue
		}
		capacity, accepted, pending, err := s.store.CourseSeats(ctx, tx, k.ID)
		if err != nil {
			return nil, err
		}
		if capacity-accepted-pending <= 0 {
			continue
		}
		if refusals, err := s.mayTake(ctx, tx, ix, m.AccountID, m.CandidatureID, k); err != nil {
			return nil, err
		} else if len(refusals) > 0 {
			continue
		}
		o := domain.Offer{CourseID: k.ID, CandidatureID: m.CandidatureID, AccountID: m.AccountID, Redirect: true,
			FreedBy: domain.FreedClosed, SentAt: now, Deadline: domain.OfferDeadline(now, days)}
		if err := s.store.InsertOffer(ctx, tx, &o); err != nil {
			return nil, err
		}
		return &o, nil
	}
	return nil, nil
}

// CourseClosed reports whether a course the actor may see did not open.
func (s *Service) CourseClosed(ctx context.Context, actor domain.Actor, courseID int64) (bool, error) {
	if _, err := s.staffCourse(ctx, actor, domain.ActViewCourse, courseID); err != nil {
		return false, err
	}
	return s.store.CourseClosedTx(ctx, nil, courseID)
}
