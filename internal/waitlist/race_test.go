package waitlist_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
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
	// Each round takes two off the line: the one who gives up, and the one
	// the seat goes to (the seat given up goes to them, or the one it was
	// offered to gives up before it is).
	const capacity = 25
	accepted, waiting := e.split(t, c, capacity, capacity+2*capacity+1)
	next := 0
	for round := range capacity {
		// The first still waiting without an offer: the next seat freed is
		// theirs.
		for e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1`, waiting[next].ids[c.ID]) > 0 ||
			e.status(t, waiting[next].ids[c.ID]) != domain.CandidatureWaiting {
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
			e.dump(t, `SELECT o.id, o.candidature_id, o.state, o.freed_by, k.status FROM waiting_offers o
				JOIN candidatures k ON k.id = o.candidature_id WHERE o.course_id = $1 ORDER BY o.id`, c.ID)
			e.dump(t, `SELECT candidature_id, status, note FROM candidature_events WHERE candidature_id IN ($1, $2) ORDER BY id`,
				accepted[round].ids[c.ID], x.ids[c.ID])
			e.dump(t, `SELECT w.position, c.id, c.status FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
				WHERE w.course_id = $1 ORDER BY w.position LIMIT 8`, c.ID)
			t.Fatalf("round %d: %d seats held of %d: a freed seat was not offered on", round, held, capacity)
		}
	}
}

// TestTwoSeatsFreed_for_one_redirect_candidature_SEL5: a candidature first
// in line on two courses (the one it chose and a redirect) when a seat is
// freed in each at once gets one offer; the other seat goes to the next on
// that list, and both answers succeed (the second fill must not try to
// offer it a second seat, which the one-pending index refuses).
func TestTwoSeatsFreed_for_one_redirect_candidature_SEL5(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	e := newEnv(t, d)
	c, r, _ := e.pair(t)
	const rounds = 6
	type cast struct{ zc, zr, d, wc, wr candidate }
	var casts []cast
	for range rounds {
		casts = append(casts, cast{zc: e.apply(t, false, c), zr: e.apply(t, false, r), d: e.apply(t, true, c),
			wc: e.apply(t, false, c), wr: e.apply(t, false, r)})
	}
	e.publish(t)
	run := e.count(t, `SELECT MAX(id) FROM selection_runs`)
	e.exec(t, `UPDATE courses SET capacity = 1 WHERE id IN ($1, $2)`, c.ID, r.ID)
	for round, k := range casts {
		// The lists as the engine leaves them when c and r are full: zc
		// and zr hold the seats, d waits first on both lists (SEL-5), wc
		// and wr behind it.
		e.exec(t, `UPDATE candidatures SET status = 'given_up', accepted_course_id = NULL WHERE status IN ('accepted', 'waiting')`)
		e.exec(t, `UPDATE waiting_offers SET state = 'declined' WHERE state = 'pending'`)
		e.exec(t, `DELETE FROM waiting_list`)
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id IN ($1, $2)`,
			k.zc.ids[c.ID], k.zr.ids[r.ID])
		e.exec(t, `UPDATE candidatures SET status = 'waiting', accepted_course_id = NULL WHERE id IN ($1, $2, $3)`,
			k.d.ids[c.ID], k.wc.ids[c.ID], k.wr.ids[r.ID])
		e.exec(t, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES
			($1, $3, 1, $6), ($1, $4, 2, $6), ($2, $3, 1, $6), ($2, $5, 2, $6)`, c.ID, r.ID, k.d.ids[c.ID], k.wc.ids[c.ID], k.wr.ids[r.ID], run)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []candidate{k.zc, k.zr} {
			wg.Go(func() {
				for _, id := range p.ids {
					_, errs[i] = e.wl.GiveUp(ctx, p.actor, p.account.ID, id)
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: two seats freed at once: %v", round, err)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1 AND state = 'pending'`, k.d.ids[c.ID]); n != 1 {
			t.Fatalf("round %d: the redirect candidature first on both lists holds %d pending offers, want 1", round, n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id IN ($1, $2) AND state = 'pending'`,
			k.wc.ids[c.ID], k.wr.ids[r.ID]); n != 1 {
			t.Fatalf("round %d: %d offers to the second ones in line, want 1 (the seat the first could not take)", round, n)
		}
		if e.seatsHeld(t, c.ID) != 1 || e.seatsHeld(t, r.ID) != 1 {
			t.Fatalf("round %d: a freed seat was not offered on", round)
		}
	}
}
