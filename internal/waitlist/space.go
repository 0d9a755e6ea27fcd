package waitlist

import (
	"context"
	"fmt"

	"cma/internal/domain"
)

// What a candidate sees of the waiting lists in their space: for each
// waiting candidature its place on each course's list, which only moves up
// or stays, with the seats offered so far; every offer made to them, the
// pending one with its buttons.

// Place is a candidature's place on one course's list.
type Place struct {
	CourseID int64
	Rank     int // 1 = the next one offered a seat
	Offered  int // seats of the course offered from its list so far
}

// Space is the waiting lists as one person sees them.
type Space struct {
	Places map[int64][]Place        // by candidature
	Offers map[int64][]domain.Offer // by candidature, newest first
	// DayChanges are the requests to change day (SEL-8), by candidature,
	// newest first.
	DayChanges map[int64][]domain.DayChange
}

// Pending is the candidature's pending offer, if any.
func (sp Space) Pending(candidatureID int64) (domain.Offer, bool) {
	for _, o := range sp.Offers[candidatureID] {
		if o.State == domain.OfferPending {
			return o, true
		}
	}
	return domain.Offer{}, false
}

// Space reads the person's places and offers.
func (s *Service) Space(ctx context.Context, actor domain.Actor, personID int64) (Space, error) {
	if !mayAnswer(actor, personID) {
		return Space{}, ErrForbidden
	}
	sp := Space{Places: map[int64][]Place{}, Offers: map[int64][]domain.Offer{}, DayChanges: map[int64][]domain.DayChange{}}
	ranks, err := s.store.WaitingRanks(ctx, personID)
	if err != nil {
		return sp, err
	}
	for _, r := range ranks {
		sp.Places[r.CandidatureID] = append(sp.Places[r.CandidatureID], Place{CourseID: r.CourseID, Rank: r.Rank, Offered: r.Offered})
	}
	offers, err := s.store.AccountOffers(ctx, personID)
	if err != nil {
		return sp, err
	}
	for _, o := range offers {
		sp.Offers[o.CandidatureID] = append(sp.Offers[o.CandidatureID], o)
	}
	changes, err := s.store.AccountDayChanges(ctx, personID)
	if err != nil {
		return sp, err
	}
	for _, d := range changes {
		sp.DayChanges[d.CandidatureID] = append(sp.DayChanges[d.CandidatureID], d)
	}
	return sp, nil
}

// Offer reads one of the person's offers, for its page; someone else's is
// not found.
func (s *Service) Offer(ctx context.Context, actor domain.Actor, personID, offerID int64) (domain.Offer, error) {
	if !mayAnswer(actor, personID) {
		return domain.Offer{}, ErrForbidden
	}
	o, err := s.store.Offer(ctx, nil, offerID)
	if err != nil {
		return o, err
	}
	if o.AccountID != personID {
		return domain.Offer{}, fmt.Errorf("offer %d of person %d: %w", offerID, personID, ErrNotFound)
	}
	return o, nil
}
