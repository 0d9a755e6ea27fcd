package payment

import (
	"context"

	"cma/internal/payfip"
)

// BookWithDetail settles a PayFiP operation with a result already read, as
// Settle does after its detail call: the benchmark's baseline, the same
// bookings without the call.
func (s *Service) BookWithDetail(ctx context.Context, idop string, d payfip.Detail) (Settled, error) {
	op, err := s.store.PayFiPOperation(ctx, nil, idop)
	if err != nil {
		return Settled{}, err
	}
	return s.settlePaid(ctx, op, d)
}
