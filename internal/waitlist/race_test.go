package waitlist_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cma/internal/db/dbtest"
)

// The races PostgreSQL lets happen between two answers on two instances
// (SQLite writes one transaction at a time). Found by the reliability
// drill TestWaitingListsBurstTwoInstances_SEL5_CAN1_CAN2_CAN3.

// TestGiveUp_while_offered_a_seat_SEL5: a waiting candidate gives up just as
// the seat someone else gives up is offered to them. Their give-up must see
// the offer (and decline it, the seat going on to the next), never leave a
// pending offer to a candidature that no longer waits, which would hold
// the seat for nobody until its deadline.
func TestGiveUp_while_offered_a_seat_SEL5(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	e := newEnv(t, d)
	c, _, _ := e.pair(t)
	const capacity = 30
	accepted, waiting := e.split(t, c, capacity, 70)
	next := 0
	for round := range capacity {
		// The first in line without an offer: the next seat freed is theirs.
		for e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1`, waiting[next].ids[c.ID]) > 0 {
			next++
		}
		x := waiting[next]
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() {
			_, errs[0] = e.wl.GiveUp(ctx, accepted[round].actor, accepted[round].account.ID, accepted[round].ids[c.ID])
		})
		wg.Go(func() {
			// A little later, into the other's fill, by a varying delay.
			time.Sleep(time.Duration(round%8) * 500 * time.Microsecond)
			_, errs[1] = e.wl.GiveUp(ctx, x.actor, x.account.ID, x.ids[c.ID])
		})
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers o JOIN candidatures k ON k.id = o.candidature_id
			WHERE o.state = 'pending' AND k.status <> 'waiting'`); n != 0 {
			t.Fatalf("round %d: %d pending offers to candidatures that no longer wait", round, n)
		}
		if held := e.seatsHeld(t, c.ID); held != capacity {
			t.Fatalf("round %d: %d seats held of %d: a freed seat was not offered on", round, held, capacity)
		}
	}
}
