package waitlist

import (
	"context"
	"database/sql"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// The offering of a course's free seats a batch at a time (fillTx): the
// candidatures next in line are locked, checked against CAN-1..3 and offered
// their seats with a few statements per batch rather than a few per
// candidature, the same offers as one at a time would make, in the same
// order, in the caller's transaction.

// maxBatch bounds a batch (the statements' parameters).
const maxBatch = 500

// nextBatch is the head of queue a batch is made of: at most free entries
// (each is offered a seat unless CAN-1..3 pass it over, so none beyond the
// free seats is locked or read), ending before a person already in it — an
// offer made in the batch would change what that person holds.
func nextBatch(queue []store.WaitingEntry, free int) []store.WaitingEntry {
	n := min(free, len(queue), maxBatch)
	seen := make(map[int64]bool, n)
	for i, w := range queue[:n] {
		if seen[w.AccountID] {
			return queue[:i]
		}
		seen[w.AccountID] = true
	}
	return queue[:n]
}

// offerBatch locks the batch's persons, checks CAN-1..3 for each against
// what they hold now, and offers course e's seat to those who can take it,
// in the batch's order, each told by email in tx.
func (s *Service) offerBatch(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, e *catalogue.Entry, batch []store.WaitingEntry,
	freedBy string, now time.Time, days int) ([]Offered, error) {
	ids := make([]int64, len(batch))
	for i, w := range batch {
		ids[i] = w.AccountID
	}
	if err := s.store.LockPersons(ctx, tx, ids); err != nil {
		return nil, err
	}
	held, err := s.store.HoldingsOf(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	byPerson := make(map[int64][]store.Holding, len(batch))
	for _, h := range held {
		byPerson[h.AccountID] = append(byPerson[h.AccountID], h)
	}
	var offers []*domain.Offer
	for _, w := range batch {
		// Read under the person's lock: another course's fill may have
		// offered it a seat since the line was read.
		hs, offered := heldApart(ix, byPerson[w.AccountID], w.CandidatureID)
		if offered {
			continue
		}
		if refusals := domain.CheckAddition(hs, holding(e)); len(refusals) > 0 {
			s.log.Info("waiting candidature passed over", "course", e.ID, "candidature", w.CandidatureID, "rule", refusals[0].Rule)
			continue
		}
		offers = append(offers, &domain.Offer{CourseID: e.ID, CandidatureID: w.CandidatureID, AccountID: w.AccountID,
			Redirect: w.ChosenCourseID != e.ID, Position: w.Position, FreedBy: freedBy, SentAt: now,
			Deadline: domain.OfferDeadline(now, days)})
	}
	if len(offers) == 0 {
		return nil, nil
	}
	if err := s.store.InsertOffers(ctx, tx, offers); err != nil {
		return nil, err
	}
	if err := s.tellOffers(ctx, tx, e, offers); err != nil {
		return nil, err
	}
	out := make([]Offered, len(offers))
	for i, o := range offers {
		out[i] = *o
	}
	return out, nil
}

// tellOffers sends the offers of course e's seats, one email each, kept and
// queued in tx (CON-2).
func (s *Service) tellOffers(ctx context.Context, tx *sql.Tx, e *catalogue.Entry, offers []*domain.Offer) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	ids := make([]int64, len(offers))
	for i, o := range offers {
		ids[i] = o.AccountID
	}
	names, err := s.store.FirstNames(ctx, tx, ids)
	if err != nil {
		return err
	}
	msgs := make([]*domain.Message, len(offers))
	for i, o := range offers {
		m, err := s.offerMessage(*o, s.seatFor(names[o.AccountID], e), false)
		if err != nil {
			return err
		}
		if m.MessageID, err = s.outbox.NewMessageID(); err != nil {
			return err
		}
		msgs[i] = m
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
