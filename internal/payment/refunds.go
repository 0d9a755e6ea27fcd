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
	establishments, err := establishmentsFor(actor, domain.ActReadLedger)
	if err != nil {
		return nil, err
	}
	refunds, err := s.store.RefundsDue(ctx, store.RefundsQuery{EstablishmentIDs: establishments})
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

// establishmentsFor is where actor may act: nil for every establishment,
// else those of their grants that allow it; ErrForbidden when none does.
func establishmentsFor(actor domain.Actor, act domain.Action) ([]int64, error) {
	if domain.Can(actor, act, domain.Resource{}) {
		return nil, nil
	}
	var out []int64
	for _, g := range actor.Grants {
		if g.EstablishmentID != 0 && !slices.Contains(out, g.EstablishmentID) &&
			domain.Can(actor, act, domain.Resource{EstablishmentID: g.EstablishmentID}) {
			out = append(out, g.EstablishmentID)
		}
	}
	if len(out) == 0 {
		return nil, ErrForbidden
	}
	return out, nil
}
