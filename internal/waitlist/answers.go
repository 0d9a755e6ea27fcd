package waitlist

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
)

// The candidate's answers: accept or decline an offer, give up a place or a
// wait (désistement). Each is one transaction under the course's lock, with
// its history line, its email, and the seat it frees offered at once.

// Answer is what an answer did.
type Answer struct {
	Offer domain.Offer
	// Already: the same answer was given before (a resubmitted form):
	// nothing was done again.
	Already bool
	// Next are the offers the freed seat went to.
	Next []Offered
}

// mayAnswer checks that actor acts for person (ROLE-1).
func mayAnswer(actor domain.Actor, personID int64) bool {
	return domain.Can(actor, domain.ActApply, domain.Resource{AccountID: personID})
}

// openOffer reads an offer of person's in tx and locks its course and the
// course its candidature is accepted in, if any (in the order of their IDs,
// so that two answers never wait for each other), and says why it cannot be
// answered with to: someone else's is not found; an offer already given the
// same answer is Already; any other answer, or a deadline passed, or lists
// closed, is refused with the reason. It returns the candidature as it is
// under the locks.
func (s *Service) openOffer(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, personID, offerID int64,
	to domain.OfferState) (domain.Offer, domain.Candidature, bool, error) {
	o, err := s.store.Offer(ctx, tx, offerID)
	if err != nil {
		return o, domain.Candidature{}, false, err
	}
	if o.AccountID != personID {
		// A forged ID learns nothing: someone else's offer answers as a missing one.
		return o, domain.Candidature{}, false, fmt.Errorf("offer %d of person %d: %w", offerID, personID, ErrNotFound)
	}
	c, err := s.store.Candidature(ctx, tx, o.CandidatureID)
	if err != nil {
		return o, c, false, err
	}
	if err := s.lockCourses(ctx, tx, o.CourseID, c.AcceptedCourseID); err != nil {
		return o, c, false, err
	}
	if o, err = s.store.Offer(ctx, tx, offerID); err != nil { // as they are under the locks
		return o, c, false, err
	}
	if c, err = s.store.Candidature(ctx, tx, o.CandidatureID); err != nil {
		return o, c, false, err
	}
	already, err := s.checkOpen(ix, o, to)
	return o, c, already, err
}

// checkOpen says whether offer o, read under its course's lock, may be
// given answer to: Already when it was, refused with the reason when it was
// given another, its deadline passed or its lists closed.
func (s *Service) checkOpen(ix *catalogue.Index, o domain.Offer, to domain.OfferState) (bool, error) {
	if o.State == to {
		return true, nil
	}
	if o.State != domain.OfferPending {
		return false, refuse("waitlist.offer.answered."+string(o.State), "Deadline", s.longDate(o.Deadline.Day()))
	}
	now := s.now()
	if e, ok := ix.Course(o.CourseID); ok && domain.ListsClosed(e.FirstClass, now) {
		return false, refuse("waitlist.offer.answered.lapsed")
	}
	if !o.Deadline.Open(now) {
		return false, refuse("waitlist.offer.answered.expired", "Deadline", s.longDate(o.Deadline.Day()))
	}
	return false, nil
}

// answer runs an answer to an offer in one transaction, the offer open
// (openOffer): do records it; an answer given before is Already.
func (s *Service) answer(ctx context.Context, actor domain.Actor, personID, offerID int64, to domain.OfferState,
	do func(tx *sql.Tx, ix *catalogue.Index, o domain.Offer, c domain.Candidature, a *Answer) error) (Answer, error) {
	if !mayAnswer(actor, personID) {
		return Answer{}, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Answer{}, err
	}
	var a Answer
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		a = Answer{}
		o, c, already, err := s.openOffer(ctx, tx, ix, personID, offerID, to)
		a.Offer, a.Already = o, already
		if err != nil || already {
			return err
		}
		return do(tx, ix, o, c, &a)
	})
	return a, err
}

// lockCourses locks courses in the order of their IDs (0s skipped).
func (s *Service) lockCourses(ctx context.Context, tx *sql.Tx, ids ...int64) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == 0 })
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := s.store.LockCourse(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// Decline gives the seat back: it is offered to the next candidature at
// once. The candidature leaves that course's list; declining the course it
// chose, or its last list, ends its wait (status declined).
func (s *Service) Decline(ctx context.Context, actor domain.Actor, personID, offerID int64) (Answer, error) {
	return s.answer(ctx, actor, personID, offerID, domain.OfferDeclined, func(tx *sql.Tx, ix *catalogue.Index, o domain.Offer,
		c domain.Candidature, a *Answer) error {
		now := s.now()
		if _, err := s.store.AnswerOffer(ctx, tx, o.ID, domain.OfferDeclined, now); err != nil {
			return err
		}
		a.Offer.State = domain.OfferDeclined
		still, err := s.leaveList(ctx, tx, ix, o, c, actor.AccountID, domain.CandidatureDeclined, "place refusée")
		if err != nil {
			return err
		}
		if e, ok := ix.Course(o.CourseID); ok {
			st, err := s.seat(ctx, tx, personID, e)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderOfferDeclined(st, still)
			if err != nil {
				return err
			}
			if err := s.keep(ctx, tx, personID, "waitlist_declined", subject, text, html); err != nil {
				return err
			}
		}
		a.Next, err = s.fillTx(ctx, tx, ix, o.CourseID, domain.FreedDeclined)
		return err
	})
}

// leaveList takes the offer's candidature off the offer's course's list.
// A candidature accepted elsewhere keeps its place there. A waiting one's
// wait ends with status end when that course was the one it chose (SEL-5: a
// redirect declined leaves the others) or its last list. It reports whether
// the candidature still waits (or holds its seat).
func (s *Service) leaveList(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, o domain.Offer, c domain.Candidature, actor int64,
	end domain.CandidatureStatus, note string) (bool, error) {
	if err := s.store.LeaveWaitingList(ctx, tx, o.CourseID, o.CandidatureID); err != nil {
		return false, err
	}
	left, err := s.store.WaitingCourses(ctx, tx, o.CandidatureID)
	if err != nil {
		return false, err
	}
	code := ""
	if e, ok := ix.Course(o.CourseID); ok {
		code = " (" + e.Code + ")"
	}
	if c.Status == domain.CandidatureAccepted {
		return true, s.store.InsertCandidatureEvent(ctx, tx, o.CandidatureID, s.now(), domain.CandidatureAccepted, actor,
			note+code+", place gardée dans le cours où elle était admise")
	}
	if !o.Redirect || len(left) == 0 {
		if _, err := s.store.SetCandidatureStatus(ctx, tx, o.CandidatureID, []domain.CandidatureStatus{domain.CandidatureWaiting},
			end, 0, s.now(), actor, note+code); err != nil {
			return false, err
		}
		return false, s.store.LeaveWaitingLists(ctx, tx, o.CandidatureID)
	}
	return true, s.store.InsertCandidatureEvent(ctx, tx, o.CandidatureID, s.now(), domain.CandidatureWaiting, actor,
		note+code+", toujours en attente sur les autres cours")
}

// GiveUp records a candidate's désistement after the candidature period
// (CAN-5's cancellation no longer exists then): an accepted candidature
// frees its seat, offered at once to the next on the list; a waiting one
// leaves every list, and its pending offer, if any, goes to the next. It is
// not a cancellation: the candidature stays in the history as given up.
func (s *Service) GiveUp(ctx context.Context, actor domain.Actor, personID, candidatureID int64) (Answer, error) {
	if !mayAnswer(actor, personID) {
		return Answer{}, ErrForbidden
	}
	return s.leave(ctx, actor, candidatureID, func(c domain.Candidature, _ *catalogue.Entry) error {
		if c.AccountID != personID {
			return fmt.Errorf("candidature %d of person %d: %w", candidatureID, personID, ErrNotFound)
		}
		return nil
	}, domain.FreedGivenUp, "désistement", "")
}

// Withdraw records, for staff, the désistement of a learner or a waiting
// candidate who told the establishment (at the desk, by phone) or who never
// came: the same as GiveUp, with the reason, audited, told to the person.
// The director of the course's establishment, its formation's coordinator
// and the central service may (ROLE-3..5).
func (s *Service) Withdraw(ctx context.Context, actor domain.Actor, candidatureID int64, reason string) (Answer, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Answer{}, refuse("waitlist.withdraw.reason")
	}
	if len([]rune(reason)) > MaxReasonLength {
		return Answer{}, refuse("waitlist.move.reason_long", "Max", MaxReasonLength)
	}
	return s.leave(ctx, actor, candidatureID, func(c domain.Candidature, e *catalogue.Entry) error {
		if !domain.Can(actor, domain.ActManageWaitingList, resourceOf(e)) {
			return ErrForbidden
		}
		return nil
	}, domain.FreedWithdrawn, "désistement enregistré par l'établissement : "+reason, reason)
}

// WithdrawUnpaid frees the seat of an accepted learner who did not pay their
// fee in time, when the establishment's director decides so (PAY-1): a
// withdrawal whose seat goes down the list at once, and also, in the same
// transaction, what the payment capability records of it (the enrolment
// freed), so that the two never disagree.
func (s *Service) WithdrawUnpaid(ctx context.Context, actor domain.Actor, candidatureID int64, reason string,
	also func(ctx context.Context, tx *sql.Tx, c domain.Candidature) error) (Answer, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReasonLength {
		return Answer{}, refuse("waitlist.move.reason_long", "Max", MaxReasonLength)
	}
	return s.leaveTx(ctx, actor, candidatureID, func(t *sql.Tx, c domain.Candidature, e *catalogue.Entry) error {
		if !domain.Can(actor, domain.ActManagePayments, resourceOf(e)) {
			return ErrForbidden
		}
		if c.Status != domain.CandidatureAccepted {
			return refuse("waitlist.unpaid.not_accepted")
		}
		return also(ctx, t, c)
	}, domain.FreedUnpaid, "désistement enregistré par l'établissement, droits non payés dans le délai : "+reason, reason)
}

// leave ends a candidature's place or wait in one transaction: allowed
// checks the actor on the candidature and the course it sits in or chose;
// freedBy says why its seats are free; note goes in its history; a reason,
// given by staff, goes in the email and the audit trail.
func (s *Service) leave(ctx context.Context, actor domain.Actor, candidatureID int64,
	allowed func(c domain.Candidature, e *catalogue.Entry) error, freedBy, note, reason string) (Answer, error) {
	return s.leaveTx(ctx, actor, candidatureID, func(_ *sql.Tx, c domain.Candidature, e *catalogue.Entry) error {
		return allowed(c, e)
	}, freedBy, note, reason)
}

// EndForAttendance ends an accepted learner's place by attendance's
// decision (ATT-3, ATT-4): status end is struck_off (the central service,
// ActStrikeOff) or excluded (the trainer, the director or the central
// service, ActExclude); freedBy says why the seat is free. In one
// transaction under the locks of the courses it sits in, waits for or is
// offered (the same course lock a register's save takes), also checks and
// records what attendance keeps of the decision (its motive, audit, emails)
// with the candidature as it is under the locks, then the candidature ends
// with note in its history, leaves every list and its seat is offered down
// the course's list at once (to nobody once the lists are closed). No
// refund: the enrolment is left as it is. A candidature already ended so is
// Already, and also is not called.
func (s *Service) EndForAttendance(ctx context.Context, actor domain.Actor, candidatureID int64, end domain.CandidatureStatus,
	freedBy, note string, also func(ctx context.Context, tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error) (Answer, error) {
	act := domain.ActExclude
	switch end {
	case domain.CandidatureStruckOff:
		act = domain.ActStrikeOff
	case domain.CandidatureExcluded:
	default:
		return Answer{}, fmt.Errorf("waitlist: %q is not an attendance decision", end)
	}
	return s.endPlace(ctx, actor, candidatureID, leaving{end: end, freedBy: freedBy, note: note, acceptedOnly: true, quiet: true, paymentTold: true,
		allowed: func(_ *sql.Tx, c domain.Candidature, e *catalogue.Entry) error {
			// Ended so already (Already below), its course is the one it
			// chose, no longer the one it was in: nothing to check.
			if c.Status != end && !domain.Can(actor, act, resourceOf(e)) {
				return ErrForbidden
			}
			return nil
		},
		locked: func(tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error { return also(ctx, tx, c, e) }})
}

// leaving says how a candidature's place or wait ends: allowed checks the
// actor before the locks; end is the status it ends with (given up when
// empty); acceptedOnly refuses a candidature not accepted; locked runs under
// the locks with the candidature as it is then; quiet leaves the email and
// the audit to the caller.
type leaving struct {
	allowed             func(tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error
	locked              func(tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error
	end                 domain.CandidatureStatus
	freedBy, note       string
	reason              string
	acceptedOnly, quiet bool
	// paymentTold: the caller tells the payment capability itself
	// (attendance's decisions, with their motive).
	paymentTold bool
}

// leaveTx is leave whose check also gets the transaction.
func (s *Service) leaveTx(ctx context.Context, actor domain.Actor, candidatureID int64,
	allowed func(tx *sql.Tx, c domain.Candidature, e *catalogue.Entry) error, freedBy, note, reason string) (Answer, error) {
	return s.endPlace(ctx, actor, candidatureID, leaving{allowed: allowed, freedBy: freedBy, note: note, reason: reason})
}

// endPlace ends a candidature's place or wait as l says, in one transaction.
func (s *Service) endPlace(ctx context.Context, actor domain.Actor, candidatureID int64, l leaving) (Answer, error) {
	if l.end == "" {
		l.end = domain.CandidatureGivenUp
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Answer{}, err
	}
	var a Answer
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		a = Answer{}
		c, err := s.store.Candidature(ctx, tx, candidatureID)
		if err != nil {
			return err
		}
		e, ok := ix.Course(learnerCourse(c))
		if !ok {
			return fmt.Errorf("candidature %d: course %d: %w", c.ID, learnerCourse(c), ErrNotFound)
		}
		if err := l.allowed(tx, c, e); err != nil {
			return err
		}
		// The seats to free: the course accepted in, and the one of a pending
		// offer. Every course whose list it is on is locked too: an offer
		// made there while it gives up would hold a seat for nobody (a list
		// is never joined after the publication, so it is read before).
		lists, err := s.store.WaitingCourses(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		offer, _, err := s.store.PendingOfferOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := s.lockCourses(ctx, tx, append(lists, c.AcceptedCourseID, offer.CourseID)...); err != nil {
			return err
		}
		if c, err = s.store.Candidature(ctx, tx, candidatureID); err != nil { // as it is under the lock
			return err
		}
		offer, hasOffer, err := s.store.PendingOfferOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		switch c.Status {
		case l.end:
			a.Already = true
			return nil
		case domain.CandidatureAccepted:
		case domain.CandidatureWaiting:
			if l.acceptedOnly {
				return refuse("waitlist.attendance.not_accepted")
			}
		default:
			if l.acceptedOnly {
				return refuse("waitlist.attendance.not_accepted")
			}
			return refuse("waitlist.giveup.status", "Status", string(c.Status))
		}
		if l.locked != nil {
			if err := l.locked(tx, c, e); err != nil {
				return err
			}
		}
		now := s.now()
		wasAccepted := c.Status == domain.CandidatureAccepted
		if hasOffer {
			if _, err := s.store.AnswerOffer(ctx, tx, offer.ID, domain.OfferDeclined, now); err != nil {
				return err
			}
		}
		if _, err := s.store.SetCandidatureStatus(ctx, tx, c.ID, []domain.CandidatureStatus{c.Status}, l.end, 0,
			now, actor.AccountID, l.note); err != nil {
			return err
		}
		if e, ok := ix.Course(learnerCourse(c)); ok && !l.quiet {
			st, err := s.seat(ctx, tx, c.AccountID, e)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderGivenUp(st, wasAccepted, l.reason)
			if err != nil {
				return err
			}
			if err := s.keep(ctx, tx, c.AccountID, "waitlist_given_up", subject, text, html); err != nil {
				return err
			}
		}
		if l.reason != "" && !l.quiet {
			if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditWaitingWithdrawn,
				SubjectID: c.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: l.reason,
				Details: "désistement enregistré : " + e.Code}); err != nil {
				return err
			}
		}
		if err := s.store.LeaveWaitingLists(ctx, tx, c.ID); err != nil {
			return err
		}
		if err := s.store.EndOpenDayChanges(ctx, tx, c.ID, now); err != nil { // SEL-8
			return err
		}
		if wasAccepted && !l.paymentTold && s.left != nil {
			why := l.reason
			if why == "" {
				why = l.note
			}
			if err := s.left(ctx, tx, c.ID, actor.AccountID, why); err != nil {
				return err
			}
		}
		var seats []int64
		if wasAccepted {
			seats = append(seats, c.AcceptedCourseID)
		}
		if hasOffer {
			seats = append(seats, offer.CourseID)
		}
		for _, seat := range seats {
			next, err := s.fillTx(ctx, tx, ix, seat, l.freedBy)
			if err != nil {
				return err
			}
			a.Next = append(a.Next, next...)
		}
		return nil
	})
	return a, err
}
