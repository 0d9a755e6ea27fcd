package waitlist

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
)

// The timer's work, run by a periodic job on one instance at a time and
// safe to run twice or late (each step changes only what is still due, in
// its own transaction): offers past their deadline expire and their seats go
// to the next; pending offers get their reminder on the deadline's day; a
// course's lists close three weeks after its first class (SEL-4).

// ReminderFrom is the hour, Paris time, from which the deadline day's
// reminder goes out: nobody is written to at midnight.
const ReminderFrom = 8

// TickResult counts what a tick did.
type TickResult struct {
	Expired, Reminded, Offered int
	ClosedCourses, NoPlace     int // courses whose lists closed, candidatures "en manque de place"
}

// Tick does what is due at the service's now; after a restart it catches up
// on everything that fell due meanwhile.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var r TickResult
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return r, err
	}
	now := s.now()
	today := domain.DeadlineOf(now.In(domain.Paris())).Day()
	due, err := s.store.PendingOffersUntil(ctx, today)
	if err != nil {
		return r, err
	}
	for _, o := range due {
		if o.Deadline.Open(now) {
			if o.Deadline.Day().Equal(today) && o.RemindedAt.IsZero() && now.In(domain.Paris()).Hour() >= ReminderFrom {
				if done, err := s.remind(ctx, ix, o); err != nil {
					return r, err
				} else if done {
					r.Reminded++
				}
			}
			continue
		}
		n, err := s.expire(ctx, ix, o)
		if err != nil {
			return r, err
		}
		if n >= 0 {
			r.Expired++
			r.Offered += n
		}
	}
	courses, err := s.store.CoursesWaitedFor(ctx)
	if err != nil {
		return r, err
	}
	for _, id := range courses {
		e, ok := ix.Course(id)
		if !ok || !domain.ListsClosed(e.FirstClass, now) {
			continue
		}
		var changed []int64
		if err := s.store.InTx(ctx, func(tx *sql.Tx) error {
			if err := s.store.LockCourse(ctx, tx, id); err != nil {
				return err
			}
			var err error
			changed, _, err = s.store.LapseCourse(ctx, tx, id, now, "aucune place proposée dans les trois semaines suivant le début des cours")
			return err
		}); err != nil {
			return r, err
		}
		r.ClosedCourses++
		r.NoPlace += len(changed)
	}
	if r != (TickResult{}) {
		s.log.Info("waiting lists moved", "expired", r.Expired, "reminded", r.Reminded, "offered", r.Offered,
			"closed_courses", r.ClosedCourses, "no_place", r.NoPlace)
	}
	return r, nil
}

// remind sends an offer's reminder once.
func (s *Service) remind(ctx context.Context, ix *catalogue.Index, o domain.Offer) (bool, error) {
	var done bool
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if done, err = s.store.MarkOfferReminded(ctx, tx, o.ID, s.now()); err != nil || !done {
			return err
		}
		return s.tellOffer(ctx, tx, ix, o, true)
	})
	return done, err
}

// expire ends an offer not answered in time: the candidature leaves every
// list (offer_expired), is told, and the seat goes to the next. It returns
// the number of new offers, -1 when the offer was no longer pending.
func (s *Service) expire(ctx context.Context, ix *catalogue.Index, o domain.Offer) (int, error) {
	n := -1
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		n = -1
		if err := s.store.LockCourse(ctx, tx, o.CourseID); err != nil {
			return err
		}
		now := s.now()
		done, err := s.store.AnswerOffer(ctx, tx, o.ID, domain.OfferExpired, now)
		if err != nil || !done {
			return err
		}
		code := ""
		e, ok := ix.Course(o.CourseID)
		if ok {
			code = " (" + e.Code + ")"
		}
		c, err := s.store.Candidature(ctx, tx, o.CandidatureID)
		if err != nil {
			return err
		}
		note := "offre sans réponse avant le " + o.Deadline.Day().Format("02/01/2006") + code
		kept := "" // the course a candidature accepted elsewhere keeps
		switch c.Status {
		case domain.CandidatureWaiting:
			if _, err := s.store.SetCandidatureStatus(ctx, tx, c.ID, []domain.CandidatureStatus{domain.CandidatureWaiting},
				domain.CandidatureOfferExpired, 0, now, 0, note); err != nil {
				return err
			}
		case domain.CandidatureAccepted:
			if k, ok := ix.Course(c.AcceptedCourseID); ok {
				kept = k.Code
			}
			if err := s.store.InsertCandidatureEvent(ctx, tx, c.ID, now, domain.CandidatureAccepted, 0,
				note+", place gardée dans le cours où elle était admise"); err != nil {
				return err
			}
		}
		if err := s.store.LeaveWaitingLists(ctx, tx, c.ID); err != nil {
			return err
		}
		if ok {
			st, err := s.seat(ctx, tx, o.AccountID, e)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderOfferExpired(st, s.longDate(o.Deadline.Day()), kept)
			if err != nil {
				return err
			}
			if err := s.keep(ctx, tx, o.AccountID, "waitlist_expired", subject, text, html); err != nil {
				return err
			}
		}
		next, err := s.fillTx(ctx, tx, ix, o.CourseID, domain.FreedExpired)
		n = len(next)
		return err
	})
	return n, err
}

// Every is how often the timer runs: an expired offer's seat waits at most
// that long for its next candidate.
const Every = time.Minute

// SweepCourses is how many courses a transaction of Sweep fills.
const SweepCourses = 20

// SweepEvery is how often Sweep looks for free seats nobody was offered.
const SweepEvery = 15 * time.Minute

// Sweep offers the seats that are free while someone is in line — a
// course's capacity raised, a seat a pass of the selection left — as if each
// had just been freed. Every seat freed by an answer is offered in the
// answer's own transaction; this is the catch-up for the others.
//
// The courses are filled SweepCourses at a time per transaction, all of them
// locked first in the order of their IDs, then filled one after the other: a
// commit per course made 10,000 seats freed at once wait on a thousand
// commits (issue 15's speed target); the locks are still taken before any
// person's, as every other change of seats takes them.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	ids, err := s.store.CoursesWithFreeSeats(ctx)
	if err != nil {
		return 0, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return 0, err
	}
	slices.Sort(ids)
	n := 0
	for group := range slices.Chunk(slices.Compact(ids), SweepCourses) {
		var got int
		if err := s.store.InTx(ctx, func(tx *sql.Tx) error {
			got = 0
			for _, id := range group {
				if err := s.store.LockCourse(ctx, tx, id); err != nil {
					return err
				}
			}
			for _, id := range group {
				offered, err := s.fillTx(ctx, tx, ix, id, domain.FreedLeft)
				if err != nil {
					return err
				}
				got += len(offered)
			}
			return nil
		}); err != nil {
			return n, err
		}
		n += got
	}
	if n > 0 {
		s.log.Info("free seats offered", "courses", len(ids), "offers", n)
	}
	return n, nil
}
