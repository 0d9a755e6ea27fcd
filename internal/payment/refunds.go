package payment

import (
	"context"
	"slices"

	"cma/internal/domain"
	"cma/internal/store"
)

// RefundsDue lists the payments to give back (REF-2) that actor may read
// with the régie's journal: every establishment's for the central service
// and the régisseur, their own for a director. Still due first, then those
// cancelled (the payment followed the learner into an equivalent course),
// oldest first. The contact-and-refunds capability pays them.
func (s *Service) RefundsDue(ctx context.Context, actor domain.Actor) ([]domain.RefundDue, error) {
	var q store.RefundsQuery
	if !domain.Can(actor, domain.ActReadLedger, domain.Resource{}) {
		q.EstablishmentIDs = []int64{}
		for _, g := range actor.Grants {
			if g.EstablishmentID != 0 && !slices.Contains(q.EstablishmentIDs, g.EstablishmentID) &&
				domain.Can(actor, domain.ActReadLedger, domain.Resource{EstablishmentID: g.EstablishmentID}) {
				q.EstablishmentIDs = append(q.EstablishmentIDs, g.EstablishmentID)
			}
		}
		if len(q.EstablishmentIDs) == 0 {
			return nil, ErrForbidden
		}
	}
	refunds, err := s.store.RefundsDue(ctx, q)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(refunds, func(a, b domain.RefundDue) int {
		if a.State != b.State {
			if a.State == domain.RefundDueState {
				return -1
			}
			return 1
		}
		return 0
	})
	return refunds, nil
}
