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
	"cma/internal/store"
)

// Day changes (SEL-8): on the first day of classes a learner asks to move to
// another course of the same formation and level — from their space that
// day, or at the desk, where the establishment's director records it. The
// director forwards the request (or not, saying why) to the formation's
// pedagogical coordinator, who decides. Accepted, the learner moves in one
// transaction under both courses' locks, only if a seat is free in the other
// course and nobody waits for it: a day change never passes a waiting
// candidate. The candidature stays the same, with what it paid; the seat it
// leaves goes down its course's list at once. Each step is audited and told
// to the learner (email and space).

// DayChangeChoice is what a day change is asked from: the learner's
// candidature, the course they are in, and the courses they may ask for.
type DayChangeChoice struct {
	Candidature domain.Candidature
	From        *catalogue.Entry
	Targets     []*catalogue.Entry
}

// Equivalents are the courses equivalent to e (same session, formation and
// level, not archived), in the order of their codes.
func Equivalents(ix *catalogue.Index, e *catalogue.Entry) []*catalogue.Entry {
	var out []*catalogue.Entry
	for _, k := range ix.All() {
		if k.ID != e.ID && k.SessionID == e.SessionID && k.FormationID == e.FormationID && k.Level == e.Level && !k.Archived {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *catalogue.Entry) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// DayChangeChoices reads what a learner may ask for from their space now:
// refused, with the reason, when it is not the first day of their course.
func (s *Service) DayChangeChoices(ctx context.Context, actor domain.Actor, personID, candidatureID int64) (DayChangeChoice, error) {
	if !mayAnswer(actor, personID) {
		return DayChangeChoice{}, ErrForbidden
	}
	ch, err := s.choices(ctx, nil, candidatureID)
	if err != nil {
		return ch, err
	}
	if ch.Candidature.AccountID != personID {
		return DayChangeChoice{}, fmt.Errorf("candidature %d of person %d: %w", candidatureID, personID, ErrNotFound)
	}
	return ch, s.mayAsk(ch, domain.DayChangeFromSpace)
}

// DeskDayChangeChoices reads what the director may record for a learner of
// one of their courses.
func (s *Service) DeskDayChangeChoices(ctx context.Context, actor domain.Actor, candidatureID int64) (DayChangeChoice, error) {
	ch, err := s.choices(ctx, nil, candidatureID)
	if err != nil {
		return ch, err
	}
	if !domain.Can(actor, domain.ActForwardDayChange, resourceOf(ch.From)) {
		return DayChangeChoice{}, ErrForbidden
	}
	return ch, s.mayAsk(ch, domain.DayChangeAtDesk)
}

// MayAskDayChange reports whether the learner may ask for a day change of
// candidature c from their space now (the link on "Mes candidatures").
func (s *Service) MayAskDayChange(ix *catalogue.Index, c domain.Candidature) bool {
	if c.Status != domain.CandidatureAccepted {
		return false
	}
	e, ok := ix.Course(learnerCourse(c))
	return ok && domain.FirstDayOfClasses(e.FirstClass, s.now()) && len(Equivalents(ix, e)) > 0
}

// learnerCourse is the course an accepted candidature sits in.
func learnerCourse(c domain.Candidature) int64 {
	if c.AcceptedCourseID != 0 {
		return c.AcceptedCourseID
	}
	return c.CourseID
}

func resourceOf(e *catalogue.Entry) domain.Resource {
	return domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}
}

// choices reads (in tx when given) the candidature and its courses.
func (s *Service) choices(ctx context.Context, tx *sql.Tx, candidatureID int64) (DayChangeChoice, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return DayChangeChoice{}, err
	}
	c, err := s.store.Candidature(ctx, tx, candidatureID)
	if err != nil {
		return DayChangeChoice{}, err
	}
	ch := DayChangeChoice{Candidature: c}
	e, ok := ix.Course(learnerCourse(c))
	if !ok {
		return ch, fmt.Errorf("candidature %d: course %d: %w", c.ID, learnerCourse(c), ErrNotFound)
	}
	ch.From = e
	closed, err := s.store.ClosedCourses(ctx)
	if err != nil {
		return ch, err
	}
	for _, k := range Equivalents(ix, e) {
		if !closed[k.ID] {
			ch.Targets = append(ch.Targets, k)
		}
	}
	return ch, nil
}

// mayAsk checks that a request may be made now through channel.
func (s *Service) mayAsk(ch DayChangeChoice, channel string) error {
	if ch.Candidature.Status != domain.CandidatureAccepted {
		return refuse("daychange.not_learner")
	}
	now := s.now()
	first := ch.From.FirstClass
	switch {
	case first.IsZero():
		return refuse("daychange.no_first_class")
	case channel == domain.DayChangeFromSpace && !domain.FirstDayOfClasses(first, now):
		return refuse("daychange.ask.not_first_day", "Day", s.longDate(first))
	case channel == domain.DayChangeAtDesk && !domain.DeskDayChangeOpen(first, now):
		return refuse("daychange.record.window", "Day", s.longDate(first),
			"Until", s.longDate(domain.ListsCloseOn(first).AddDate(0, 0, -1)))
	case len(ch.Targets) == 0:
		return refuse("daychange.no_target")
	}
	return nil
}

// AskDayChange records a learner's request from their space, on the first
// day of their course.
func (s *Service) AskDayChange(ctx context.Context, actor domain.Actor, personID, candidatureID, toCourseID int64, reason string) (domain.DayChange, error) {
	if !mayAnswer(actor, personID) {
		return domain.DayChange{}, ErrForbidden
	}
	return s.request(ctx, actor, candidatureID, toCourseID, reason, domain.DayChangeFromSpace, func(ch DayChangeChoice) error {
		if ch.Candidature.AccountID != personID {
			return fmt.Errorf("candidature %d of person %d: %w", candidatureID, personID, ErrNotFound)
		}
		return nil
	})
}

// RecordDayChange records a request the learner made at the desk, by the
// director of their course's establishment.
func (s *Service) RecordDayChange(ctx context.Context, actor domain.Actor, candidatureID, toCourseID int64, reason string) (domain.DayChange, error) {
	return s.request(ctx, actor, candidatureID, toCourseID, reason, domain.DayChangeAtDesk, func(ch DayChangeChoice) error {
		if !domain.Can(actor, domain.ActForwardDayChange, resourceOf(ch.From)) {
			return ErrForbidden
		}
		return nil
	})
}

// request records a request in one transaction under the person's lock:
// checked by allowed, then by the rule of its channel; the target must be an
// equivalent course that opens; one open request at a time.
func (s *Service) request(ctx context.Context, actor domain.Actor, candidatureID, toCourseID int64, reason, channel string,
	allowed func(DayChangeChoice) error) (domain.DayChange, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReasonLength {
		return domain.DayChange{}, refuse("daychange.reason_long", "Max", MaxReasonLength)
	}
	var d domain.DayChange
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.Candidature(ctx, tx, candidatureID)
		if err != nil {
			return err
		}
		// The request's row references both courses, which PostgreSQL
		// checks by share-locking their rows: taken from, then to, while a
		// change of seats holds the courses' locks in the order of their
		// IDs, they deadlocked. Both courses' locks first, in that order,
		// then the person's, as every change of seats takes them.
		locked := []int64{learnerCourse(c)}
		if ix, _ := s.catalogue.Index(ctx); ix != nil {
			if _, ok := ix.Course(toCourseID); ok {
				locked = append(locked, toCourseID)
			}
		}
		if err := s.lockCourses(ctx, tx, locked...); err != nil {
			return err
		}
		if err := s.store.LockPerson(ctx, tx, c.AccountID); err != nil {
			return err
		}
		ch, err := s.choices(ctx, tx, candidatureID) // as it is under the lock
		if err != nil {
			return err
		}
		if !slices.Contains(locked, ch.From.ID) {
			// Moved since it was read (an offer accepted, a day change
			// decided): the course it is in now, locked out of order, is
			// rare enough; PostgreSQL then aborts one of two at worst.
			if err := s.store.LockCourse(ctx, tx, ch.From.ID); err != nil {
				return err
			}
			if ch, err = s.choices(ctx, tx, candidatureID); err != nil {
				return err
			}
		}
		if err := allowed(ch); err != nil {
			return err
		}
		if err := s.mayAsk(ch, channel); err != nil {
			return err
		}
		i := slices.IndexFunc(ch.Targets, func(k *catalogue.Entry) bool { return k.ID == toCourseID })
		if i < 0 {
			return refuse("daychange.target")
		}
		to := ch.Targets[i]
		if open, ok, err := s.store.OpenDayChangeOf(ctx, tx, candidatureID); err != nil {
			return err
		} else if ok {
			return refuse("daychange.already", "State", string(open.State))
		}
		now := s.now()
		d = domain.DayChange{CandidatureID: candidatureID, AccountID: c.AccountID, FromCourseID: ch.From.ID, ToCourseID: to.ID,
			Channel: channel, Reason: reason, AskedAt: now}
		if channel == domain.DayChangeAtDesk {
			d.RecordedBy = actor.AccountID
		}
		if err := s.store.InsertDayChange(ctx, tx, &d); err != nil {
			return err
		}
		if err := s.auditDayChange(ctx, tx, actor, d, domain.AuditEvent{Action: domain.AuditDayChangeRequested}, ch.From, to, reason); err != nil {
			return err
		}
		m, err := s.dayChangeMail(ctx, tx, d, ch.From, to, "")
		if err != nil {
			return err
		}
		subject, text, html, err := mail.RenderDayChangeRequested(m)
		if err != nil {
			return err
		}
		return s.keep(ctx, tx, d.AccountID, "daychange_requested", subject, text, html)
	})
	return d, err
}

// DayChangeStep says what a step did.
type DayChangeStep struct {
	Change domain.DayChange
	// Already: the same step was taken before (a resubmitted form).
	Already bool
	// Next are the offers the seat left by a learner who moved went to.
	Next []Offered
}

// ForwardDayChange is the director's step: the request goes to the
// formation's coordinator, or not (then with the reason, told to the
// learner).
func (s *Service) ForwardDayChange(ctx context.Context, actor domain.Actor, id int64, forward bool, note string) (DayChangeStep, error) {
	note = strings.TrimSpace(note)
	if !forward && note == "" {
		return DayChangeStep{}, refuse("daychange.forward.reason")
	}
	return s.step(ctx, actor, id, domain.ActForwardDayChange, domain.DayChangeRequested, note,
		func(tx *sql.Tx, ix *catalogue.Index, d domain.DayChange, from, to *catalogue.Entry, st *DayChangeStep) error {
			now := s.now()
			done, err := s.store.ForwardDayChange(ctx, tx, d.ID, forward, now, actor.AccountID, note)
			if err != nil || !done {
				return err
			}
			ev, state := domain.AuditEvent{Action: domain.AuditDayChangeNotForwarded}, domain.DayChangeNotForwarded
			if forward {
				ev, state = domain.AuditEvent{Action: domain.AuditDayChangeForwarded}, domain.DayChangeForwarded
			}
			st.Change.State, st.Change.ForwardedAt, st.Change.ForwardedBy, st.Change.ForwardNote = state, now, actor.AccountID, note
			if err := s.auditDayChange(ctx, tx, actor, d, ev, from, to, note); err != nil {
				return err
			}
			m, err := s.dayChangeMail(ctx, tx, d, from, to, note)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderDayChangeForwarded(m, forward)
			if err != nil {
				return err
			}
			return s.keep(ctx, tx, d.AccountID, "daychange_"+string(state), subject, text, html)
		})
}

// DecideDayChange is the coordinator's decision. Accepted, the learner moves
// to the course asked for if a seat is free there and nobody waits for it
// (else the decision is refused with the reason and the request stays with
// the coordinator); the seat they leave is offered from its list at once.
// Refused, the reason is told to the learner.
func (s *Service) DecideDayChange(ctx context.Context, actor domain.Actor, id int64, accept bool, note string) (DayChangeStep, error) {
	note = strings.TrimSpace(note)
	if !accept && note == "" {
		return DayChangeStep{}, refuse("daychange.decide.reason")
	}
	return s.step(ctx, actor, id, domain.ActDecideDayChange, domain.DayChangeForwarded, note,
		func(tx *sql.Tx, ix *catalogue.Index, d domain.DayChange, from, to *catalogue.Entry, st *DayChangeStep) error {
			now := s.now()
			if accept {
				if err := s.move(ctx, tx, ix, d, from, to, actor); err != nil {
					return err
				}
			}
			done, err := s.store.DecideDayChange(ctx, tx, d.ID, accept, now, actor.AccountID, note)
			if err != nil || !done {
				return err
			}
			ev, state, in := domain.AuditEvent{Action: domain.AuditDayChangeRefused}, domain.DayChangeRefused, from
			if accept {
				ev, state, in = domain.AuditEvent{Action: domain.AuditDayChangeAccepted}, domain.DayChangeAccepted, to
			}
			st.Change.State, st.Change.DecidedAt, st.Change.DecidedBy, st.Change.DecisionNote = state, now, actor.AccountID, note
			if err := s.auditDayChange(ctx, tx, actor, d, ev, from, to, note); err != nil {
				return err
			}
			m, err := s.dayChangeMail(ctx, tx, d, in, to, note)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderDayChangeDecided(m, accept)
			if err != nil {
				return err
			}
			if err := s.keep(ctx, tx, d.AccountID, "daychange_"+string(state), subject, text, html); err != nil {
				return err
			}
			if accept {
				st.Next, err = s.fillTx(ctx, tx, ix, from.ID, domain.FreedDayChange)
			}
			return err
		})
}

// move puts the learner of request d in course to, both courses locked by
// the caller: refused when they are no longer in course from, when to does
// not open, is full, has someone waiting, or clashes with what the learner
// holds (CAN-3).
func (s *Service) move(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, d domain.DayChange, from, to *catalogue.Entry, actor domain.Actor) error {
	if err := s.store.LockPerson(ctx, tx, d.AccountID); err != nil {
		return err
	}
	c, err := s.store.Candidature(ctx, tx, d.CandidatureID)
	if err != nil {
		return err
	}
	if c.Status != domain.CandidatureAccepted || learnerCourse(c) != from.ID {
		return refuse("daychange.decide.not_there", "Course", from.Code)
	}
	if closed, err := s.store.CourseClosedTx(ctx, tx, to.ID); err != nil {
		return err
	} else if closed {
		return refuse("daychange.decide.closed", "Course", to.Code)
	}
	capacity, accepted, pending, err := s.store.CourseSeats(ctx, tx, to.ID)
	if err != nil {
		return err
	}
	if capacity-accepted-pending <= 0 {
		return refuse("daychange.decide.full", "Course", to.Code)
	}
	if waiting, err := s.store.WaitingFor(ctx, tx, to.ID, c.ID); err != nil {
		return err
	} else if waiting > 0 {
		return refuse("daychange.decide.waiting", "Course", to.Code, "Count", waiting)
	}
	if refusals, err := s.mayTake(ctx, tx, ix, d.AccountID, c.ID, to); err != nil {
		return err
	} else if len(refusals) > 0 {
		return refuse("daychange.decide.rule."+refusals[0].Rule, "Course", refusals[0].Course, "Other", refusals[0].Other)
	}
	if changed, err := s.store.SetCandidatureStatus(ctx, tx, c.ID, []domain.CandidatureStatus{domain.CandidatureAccepted},
		domain.CandidatureAccepted, to.ID, s.now(), actor.AccountID, "changement de jour : "+from.Code+" → "+to.Code); err != nil {
		return err
	} else if !changed {
		return refuse("daychange.decide.not_there", "Course", from.Code)
	}
	if err := s.tellMoved(ctx, tx, c.ID, to.ID); err != nil {
		return err
	}
	// Waiting for the course it now sits in is over.
	return s.store.LeaveWaitingList(ctx, tx, to.ID, c.ID)
}

// step runs one staff step on request id in one transaction, both courses
// locked in the order of their IDs: actor must be allowed act on the
// request's course, the request in state from; the same step taken before
// is Already; another is refused with what became of the request.
func (s *Service) step(ctx context.Context, actor domain.Actor, id int64, act domain.Action, from domain.DayChangeState, note string,
	do func(tx *sql.Tx, ix *catalogue.Index, d domain.DayChange, from, to *catalogue.Entry, st *DayChangeStep) error) (DayChangeStep, error) {
	if len([]rune(note)) > MaxReasonLength {
		return DayChangeStep{}, refuse("daychange.reason_long", "Max", MaxReasonLength)
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return DayChangeStep{}, err
	}
	var st DayChangeStep
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		st = DayChangeStep{}
		d, err := s.store.DayChange(ctx, tx, id)
		if err != nil {
			return err
		}
		fromCourse, ok1 := ix.Course(d.FromCourseID)
		toCourse, ok2 := ix.Course(d.ToCourseID)
		if !ok1 || !ok2 {
			return fmt.Errorf("day change %d: courses %d, %d: %w", id, d.FromCourseID, d.ToCourseID, ErrNotFound)
		}
		if !domain.Can(actor, act, resourceOf(fromCourse)) {
			return ErrForbidden
		}
		if err := s.lockCourses(ctx, tx, d.FromCourseID, d.ToCourseID); err != nil {
			return err
		}
		if d, err = s.store.DayChange(ctx, tx, id); err != nil { // as it is under the locks
			return err
		}
		st.Change = d
		if d.State != from {
			if done := stepDone(act, d.State); done && d.State != domain.DayChangeCancelled {
				st.Already = true
				return nil
			}
			return refuse("daychange.step." + string(d.State))
		}
		return do(tx, ix, d, fromCourse, toCourse, &st)
	})
	return st, err
}

// stepDone reports whether a request in state has had act's step already
// (a request cancelled because its learner left the course has not: a step
// on it is refused).
func stepDone(act domain.Action, state domain.DayChangeState) bool {
	if act == domain.ActForwardDayChange {
		return state != domain.DayChangeRequested
	}
	return state == domain.DayChangeAccepted || state == domain.DayChangeRefused
}

// auditDayChange writes a step, ev with its Action, in the audit trail.
func (s *Service) auditDayChange(ctx context.Context, tx *sql.Tx, actor domain.Actor, d domain.DayChange, ev domain.AuditEvent,
	from, to *catalogue.Entry, why string) error {
	ev.Details = "changement de jour : " + from.Code + " → " + to.Code
	if ev.Action == domain.AuditDayChangeRequested && d.Channel == domain.DayChangeAtDesk {
		ev.Details += " (demande faite au guichet)"
	}
	ev.At, ev.ActorID, ev.SubjectID, ev.ObjectKind, ev.ObjectID, ev.Reason = s.now(), actor.AccountID, d.AccountID,
		domain.AuditObjectCourse, from.ID, why
	return s.store.RecordAudit(ctx, tx, ev)
}

// dayChangeMail describes a step to the learner: in is the course they are
// in, to the one asked for.
func (s *Service) dayChangeMail(ctx context.Context, tx *sql.Tx, d domain.DayChange, in, to *catalogue.Entry, note string) (mail.DayChangeMail, error) {
	st, err := s.seat(ctx, tx, d.AccountID, in)
	if err != nil {
		return mail.DayChangeMail{}, err
	}
	return mail.DayChangeMail{Seat: st, To: s.seatFor("", to).Course, Note: note, Desk: d.Channel == domain.DayChangeAtDesk}, nil
}

// DayChangeQueueLimit bounds the queue's page.
const DayChangeQueueLimit = 500

// DayChangeQueue lists the requests the actor may act on or see: a
// director's from the courses of their establishments, a coordinator's from
// their formations' courses, every request for the central service; the open
// ones first.
func (s *Service) DayChangeQueue(ctx context.Context, actor domain.Actor) ([]store.DayChangeLine, error) {
	if !domain.Can(actor, domain.ActDayChanges, domain.Resource{}) {
		return nil, ErrForbidden
	}
	var courses []int64 // nil: every course
	// Only the central service may decide without a scope: everyone else
	// sees the courses of their grants.
	if !domain.Can(actor, domain.ActDecideDayChange, domain.Resource{}) {
		ix, err := s.catalogue.Index(ctx)
		if ix == nil {
			return nil, err
		}
		courses = []int64{}
		for _, e := range ix.All() {
			r := resourceOf(e)
			if domain.Can(actor, domain.ActForwardDayChange, r) || domain.Can(actor, domain.ActDecideDayChange, r) {
				courses = append(courses, e.ID)
			}
		}
	}
	return s.store.DayChangeQueue(ctx, courses, DayChangeQueueLimit)
}

// MayForward and MayDecide say which buttons a staff member sees on a
// request of course e.
func MayForward(actor domain.Actor, e *catalogue.Entry) bool {
	return domain.Can(actor, domain.ActForwardDayChange, resourceOf(e))
}

// MayDecide: see MayForward.
func MayDecide(actor domain.Actor, e *catalogue.Entry) bool {
	return domain.Can(actor, domain.ActDecideDayChange, resourceOf(e))
}

// DayChangeResource is the resource a request's permission is checked on,
// for the route's check: the course it moves from. A request that does not
// exist is no resource: only the central service passes that check, and
// then finds nothing; others are refused, learning nothing of which IDs
// exist.
func (s *Service) DayChangeResource(ctx context.Context, id int64) domain.Resource {
	ix, _ := s.catalogue.Index(ctx)
	if ix == nil {
		return domain.Resource{}
	}
	d, err := s.store.DayChange(ctx, nil, id)
	if err != nil {
		return domain.Resource{}
	}
	if e, ok := ix.Course(d.FromCourseID); ok {
		return resourceOf(e)
	}
	return domain.Resource{}
}
