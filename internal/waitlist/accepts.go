package waitlist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"time"

	"cma/internal/batch"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// Accepting offers a batch at a time (issue 15's speed target: candidates
// accepting at once, p99 < 100 ms at 64 connections). One accept alone was a
// transaction of 16–17 round trips and a commit (a WAL flush), each a few
// milliseconds on a loaded 2-core machine. The accepts that arrive together
// share one transaction (batch.Batcher, as the candidature validations do):
// their courses are found and locked in one statement, their offers and
// candidatures read under the locks, their persons locked and their holdings
// read, one statement each for the whole batch; the writes are one statement,
// the emails kept and queued together, and one commit serves them all (11
// round trips whatever the batch's size). Each accept is still decided on its
// own: a refusal, an Already or a not-found reaches its own request only and
// writes nothing. See bench/README.md, "Waiting lists".

const (
	// maxAcceptBatch bounds a batch: the locks it holds (every course of
	// the batch until its commit) and the wait of its last request.
	maxAcceptBatch = 32
	// acceptBatchesPerCPU is how many batches run at once per CPU: one
	// fills while another waits for its commit.
	acceptBatchesPerCPU = 2
)

// errAcceptAlone fails a batch whose accept found its candidature changed
// after its offer was answered in the batch's transaction: that accept's
// writes cannot be taken back alone, so the batch runs again one accept
// per transaction, where the refusal rolls back only its own.
var errAcceptAlone = errors.New("waitlist: an accept of the batch must run alone")

// acceptReq is one Accept going through the batcher; acceptTogether records
// its outcome in a and err.
type acceptReq struct {
	ctx               context.Context
	actor             domain.Actor
	personID, offerID int64
	ix                *catalogue.Index

	a   Answer
	err error

	// Within acceptTogether: still to be accepted, and what it read.
	live bool
	o    domain.Offer
	c    domain.Candidature
	e    *catalogue.Entry
	left int64 // the course whose seat the candidature leaves (a redirect moved), 0 if none
}

// Accept takes the seat offered: the candidature is accepted in the course,
// as the selection would have accepted it (SEL-5: a redirect too), once
// CAN-1..3 are checked again against what the person holds now. Its wait is
// over: it leaves every list. A candidature accepted in a course it
// preferred less (a redirect) moves to this one, and the seat it leaves is
// offered to the next on that course's list. Accepts arriving together
// share a transaction (see acceptTogether).
func (s *Service) Accept(ctx context.Context, actor domain.Actor, personID, offerID int64) (Answer, error) {
	if !mayAnswer(actor, personID) {
		return Answer{}, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Answer{}, err
	}
	r := &acceptReq{ctx: ctx, actor: actor, personID: personID, offerID: offerID, ix: ix}
	s.accepts.Do(r)
	return r.a, r.err
}

// runAccepts runs a batch of accepts in one transaction. If the database
// refuses the batch (a conflict, a deadlock, errAcceptAlone), each accept
// runs again alone, so that the failure is only its own.
func (s *Service) runAccepts(batch []*acceptReq) {
	var live []*acceptReq
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err // the caller is gone: nothing is written for it
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// Statements are not cancelled with the leader's request: they serve others.
	ctx := context.WithoutCancel(live[0].ctx)
	err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.acceptTogether(ctx, tx, live) })
	if err == nil {
		return
	}
	if len(live) == 1 {
		live[0].a, live[0].err = Answer{}, err
		return
	}
	for _, r := range live {
		alone := []*acceptReq{r}
		if err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.acceptTogether(ctx, tx, alone) }); err != nil {
			r.a, r.err = Answer{}, err
		}
	}
}

// acceptTogether accepts rs, persons all distinct (the batcher's key), in
// tx, in the order every change of seats takes its locks: the courses of
// every offer and of every candidature's current seat in ID order, then the
// persons in ID order. Under those locks each offer and candidature is read
// and checked as openOffer does, and CAN-1..3 are checked against what each
// person holds now (the persons are distinct, so one's accept does not
// change what another holds). Then the writes of all the accepts; the seats
// left by redirects moved are offered last, once every accept of the batch
// is written. An accept refused records its refusal and writes nothing; an
// error returned fails the whole transaction (runAccepts then runs each
// accept alone).
func (s *Service) acceptTogether(ctx context.Context, tx *sql.Tx, rs []*acceptReq) error {
	offerIDs, accountIDs := make([]int64, len(rs)), make([]int64, len(rs))
	for i, r := range rs {
		r.a, r.err, r.live, r.left = Answer{}, nil, false, 0
		offerIDs[i], accountIDs[i] = r.offerID, r.personID
	}
	// One statement finds the courses and locks them, then the offers and
	// candidatures are read as they are under the locks.
	courses, err := s.store.LockOfferCourses(ctx, tx, offerIDs, accountIDs)
	if err != nil {
		return err
	}
	locked := make(map[int64]bool, len(courses))
	for _, id := range courses {
		locked[id] = true
	}
	offers, cands, err := s.readOffers(ctx, tx, offerIDs)
	if err != nil {
		return err
	}
	var persons []int64
	for _, r := range rs {
		o, ok := offers[r.offerID]
		c, found := cands[o.CandidatureID]
		if !ok || !found {
			r.err = fmt.Errorf("offer %d: %w", r.offerID, ErrNotFound)
			continue
		}
		if o.AccountID != r.personID {
			// A forged ID learns nothing: someone else's offer answers as a missing one.
			r.err = fmt.Errorf("offer %d of person %d: %w", r.offerID, r.personID, ErrNotFound)
			continue
		}
		if missing := unlocked(locked, o.CourseID, c.AcceptedCourseID); len(missing) > 0 && !s.store.SerializesWrites() {
			// Not seen by the locking statement (accepted elsewhere since):
			// locked now, out of order, and read again; a deadlock fails the
			// batch, which then runs again one accept at a time.
			if err := s.lockCourses(ctx, tx, missing...); err != nil {
				return err
			}
			for _, id := range missing {
				locked[id] = true
			}
			if o, err = s.store.Offer(ctx, tx, o.ID); err != nil {
				return err
			}
			if c, err = s.store.Candidature(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		already, err := s.checkOpen(r.ix, o, domain.OfferAccepted)
		r.a.Offer, r.a.Already, r.err = o, already, err
		if err != nil || already {
			continue
		}
		e, ok := r.ix.Course(o.CourseID)
		if !ok {
			r.err = fmt.Errorf("offer %d: course %d: %w", o.ID, o.CourseID, ErrNotFound)
			continue
		}
		r.live, r.o, r.c, r.e = true, o, c, e
		persons = append(persons, r.personID)
	}
	if len(persons) == 0 {
		return nil
	}

	// CAN-1..3 again, under the persons' locks.
	if err := s.store.LockPersons(ctx, tx, persons); err != nil {
		return err
	}
	held, err := s.store.HoldingsOf(ctx, tx, persons)
	if err != nil {
		return err
	}
	byPerson := make(map[int64][]store.Holding, len(persons))
	for _, h := range held {
		byPerson[h.AccountID] = append(byPerson[h.AccountID], h)
	}
	persons = persons[:0]
	for _, r := range rs {
		if !r.live {
			continue
		}
		others, _ := heldApart(r.ix, byPerson[r.personID], r.o.CandidatureID)
		if refusals := domain.CheckAddition(others, holding(r.e)); len(refusals) > 0 {
			r.live = false
			r.err = refuse("waitlist.offer.rule."+refusals[0].Rule, "Course", refusals[0].Course, "Other", refusals[0].Other)
			continue
		}
		persons = append(persons, r.personID)
	}
	if len(persons) == 0 {
		return nil
	}

	// The writes, one statement for the batch: the offers answered, the
	// candidatures accepted with their history lines, their lists left.
	now := s.now()
	var writes []store.OfferAccept
	for _, r := range rs {
		if !r.live {
			continue
		}
		writes = append(writes, store.OfferAccept{OfferID: r.o.ID, CandidatureID: r.o.CandidatureID, CourseID: r.o.CourseID,
			Actor: r.actor.AccountID, Note: "place acceptée sur liste d'attente (" + r.e.Code + ")"})
	}
	moved, err := s.store.AcceptOffers(ctx, tx, writes,
		[]domain.CandidatureStatus{domain.CandidatureWaiting, domain.CandidatureAccepted, domain.CandidatureCourseClosed}, now)
	if err != nil {
		return err
	}
	if moved < len(writes) {
		// A candidature no longer waiting (nor accepted elsewhere): its offer
		// is answered in tx, which must roll back; alone, the refusal does.
		if len(writes) > 1 {
			return errAcceptAlone
		}
		return refuse("waitlist.offer.not_waiting")
	}
	for _, r := range rs {
		if !r.live {
			continue
		}
		r.a.Offer.State = domain.OfferAccepted
		if r.c.Status == domain.CandidatureAccepted && r.c.AcceptedCourseID != r.o.CourseID {
			r.left = r.c.AcceptedCourseID
			// It left the course it sat in: a day change asked from there
			// ends (SEL-8).
			if err := s.store.EndOpenDayChanges(ctx, tx, r.o.CandidatureID, now); err != nil {
				return err
			}
			if err := s.tellMoved(ctx, tx, r.o.CandidatureID, r.o.CourseID); err != nil {
				return err
			}
		}
	}
	if err := s.tellAccepted(ctx, tx, rs, persons, now); err != nil {
		return err
	}
	for _, r := range rs {
		if r.live && r.left != 0 {
			if r.a.Next, err = s.fillTx(ctx, tx, r.ix, r.left, domain.FreedMoved); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOffers reads, in tx, the offers of those IDs and their candidatures.
func (s *Service) readOffers(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]domain.Offer, map[int64]domain.Candidature, error) {
	offers, err := s.store.OffersByID(ctx, tx, ids)
	if err != nil {
		return nil, nil, err
	}
	cands := make([]int64, 0, len(offers))
	for _, o := range offers {
		cands = append(cands, o.CandidatureID)
	}
	byID, err := s.store.CandidaturesByID(ctx, tx, cands)
	return offers, byID, err
}

// tellAccepted tells the live accepts of rs (persons, their accounts) their
// seat by email, kept and queued in tx (CON-2), with one statement for the
// first names, one for the messages and one for their jobs.
func (s *Service) tellAccepted(ctx context.Context, tx *sql.Tx, rs []*acceptReq, persons []int64, now time.Time) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	names, err := s.store.FirstNames(ctx, tx, persons)
	if err != nil {
		return err
	}
	var msgs []*domain.Message
	for _, r := range rs {
		if !r.live {
			continue
		}
		subject, text, html, err := mail.RenderOfferAccepted(s.seatFor(names[r.personID], r.e))
		if err != nil {
			return err
		}
		m := &domain.Message{AccountID: r.personID, Kind: "waitlist_accepted", Subject: subject, Text: text, HTML: html, CreatedAt: now}
		if m.MessageID, err = s.outbox.NewMessageID(); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if err := s.store.InsertMessagesTx(ctx, tx, msgs); err != nil {
		return err
	}
	kept := make([]int64, len(msgs))
	for i, m := range msgs {
		kept[i] = m.ID
	}
	return s.outbox.Queue(ctx, tx, kept...)
}

// newAccepts returns the batcher of s's accepts: one batch at a time on a
// database that serialises its writes (SQLite), keyed by person (an
// accept sees what the person's previous one committed).
func newAccepts(s *Service) *batch.Batcher[*acceptReq] {
	batches := acceptBatchesPerCPU * runtime.GOMAXPROCS(0)
	if s.store.SerializesWrites() {
		batches = 1
	}
	return batch.NewBatcher(maxAcceptBatch, batches, func(r *acceptReq) int64 { return r.personID }, s.runAccepts)
}

// unlocked is the courses of ids (0s skipped) not in locked.
func unlocked(locked map[int64]bool, ids ...int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != 0 && !locked[id] {
			out = append(out, id)
		}
	}
	return out
}
