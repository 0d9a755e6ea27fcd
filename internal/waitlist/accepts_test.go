package waitlist_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/waitlist"
)

// TestAccepts_together_each_its_own_answer: offers of one course accepted
// at once (Accept groups them into shared transactions) each get their own
// answer: the seat for those who may take it, their refusal for one whose
// deadline passed (and nothing written for it), Already for an accept sent
// twice, not found for someone else's offer; one email per accept; the seats
// held never exceed the capacity.
func TestAccepts_together_each_its_own_answer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		const capacity, freed = 12, 8
		accepted, waiting := e.split(t, c, capacity, capacity+freed+2)
		for _, p := range accepted[:freed] {
			if _, err := e.wl.GiveUp(ctx, p.actor, p.account.ID, p.ids[c.ID]); err != nil {
				t.Fatal(err)
			}
		}
		offered := waiting[:freed]
		offers := make([]domain.Offer, freed)
		for i, p := range offered {
			offers[i] = e.pendingOffer(t, p)
		}
		late := 3 // its deadline passed; the timer has not run yet
		e.exec(t, `UPDATE waiting_offers SET deadline = $1 WHERE id = $2`, "2020-01-01", offers[late].ID)
		twice := map[int]bool{0: true, 5: true}
		outsider := waiting[freed] // tries the first offer, someone else's

		type result struct {
			i   int
			a   waitlist.Answer
			err error
		}
		var mu sync.Mutex
		var results []result
		var wg sync.WaitGroup
		accept := func(i int, p candidate, o domain.Offer) {
			wg.Go(func() {
				a, err := e.wl.Accept(ctx, p.actor, p.account.ID, o.ID)
				mu.Lock()
				results = append(results, result{i, a, err})
				mu.Unlock()
			})
		}
		for i, p := range offered {
			accept(i, p, offers[i])
			if twice[i] {
				accept(i, p, offers[i])
			}
		}
		accept(-1, outsider, offers[0])
		wg.Wait()

		took := map[int]int{} // accepts that did it, per offer
		for _, r := range results {
			switch {
			case r.i == -1:
				if !errors.Is(r.err, waitlist.ErrNotFound) {
					t.Errorf("someone else's offer: %v, want not found", r.err)
				}
			case r.i == late:
				refusedWith(t, r.err, "waitlist.offer.answered.expired")
			case r.err != nil:
				t.Errorf("accept of offer %d: %v", r.i, r.err)
			case r.a.Offer.State != domain.OfferAccepted:
				t.Errorf("accept of offer %d answered %+v", r.i, r.a)
			case !r.a.Already:
				took[r.i]++
			}
		}
		for i, p := range offered {
			want, status, mails := 1, domain.CandidatureAccepted, 1
			if i == late {
				want, status, mails = 0, domain.CandidatureWaiting, 0
			}
			if took[i] != want {
				t.Errorf("offer %d accepted %d times (Already aside), want %d", i, took[i], want)
			}
			if got := e.status(t, p.ids[c.ID]); got != status {
				t.Errorf("candidature of offer %d: %s, want %s", i, got, status)
			}
			if n := e.messages(t, p.account.ID, "waitlist_accepted"); n != mails {
				t.Errorf("offer %d: %d emails of the seat taken, want %d", i, n, mails)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE id = $1 AND state = 'pending'`, offers[late].ID); n != 1 {
			t.Error("the refused accept changed its offer")
		}
		if e.messages(t, outsider.account.ID, "waitlist_accepted") != 0 {
			t.Error("the outsider was told of a seat")
		}
		if held := e.seatsHeld(t, c.ID); held != capacity {
			t.Errorf("%d seats held of %d", held, capacity)
		}
	})
}
