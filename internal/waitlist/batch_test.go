package waitlist_test

import (
	"context"
	"slices"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// TestSeatsFreedAtOnce_in_order_CAN3_at_offer_time: three seats freed at
// once in a course (its capacity raised, then the sweep) go, in one fill, to
// the first three waiting candidatures that can take them, in the list's
// order: the second in line, whose other course now meets in the same slot
// (CAN-3 checked at offer time), is passed over for the fourth; each offer is
// pending with one email queued in the fill's transaction, and the offers'
// IDs follow the list's order.
func TestSeatsFreedAtOnce_in_order_CAN3_at_offer_time(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, x := e.pair(t)
		e.exec(t, `UPDATE courses SET capacity = 2 WHERE id = $1`, c.ID)
		var all []candidate
		for i := range 7 {
			if i == 3 { // one of those who wait also holds a candidature in x
				all = append(all, e.apply(t, false, c, x))
				continue
			}
			all = append(all, e.apply(t, false, c))
		}
		e.publish(t)
		var waiting []candidate
		for _, p := range all {
			if e.status(t, p.ids[c.ID]) == domain.CandidatureWaiting {
				waiting = append(waiting, p)
			}
		}
		slices.SortFunc(waiting, func(a, b candidate) int { return e.rank(t, a, c.ID) - e.rank(t, b, c.ID) })
		if len(waiting) != 5 {
			t.Fatalf("%d waiting, want 5", len(waiting))
		}
		// Make the second in line the one holding x, whatever the draw.
		holder := slices.IndexFunc(waiting, func(p candidate) bool { return p.ids[x.ID] != 0 })
		if holder < 0 {
			t.Skip("the candidate holding x was accepted in c")
		}
		order := []int64{}
		second := waiting[holder]
		rest := slices.Delete(slices.Clone(waiting), holder, holder+1)
		waiting = append([]candidate{rest[0], second}, rest[1:]...)
		for _, p := range waiting {
			order = append(order, p.ids[c.ID])
		}
		for i, id := range order {
			e.exec(t, `UPDATE waiting_list SET position = $1 WHERE course_id = $2 AND candidature_id = $3`, i+1, c.ID, id)
		}
		// x now meets in c's slot: the second in line cannot take c's seat (CAN-3).
		e.changeCatalogue(t, `UPDATE courses SET weekday = $1, start_minute = $2, end_minute = $3 WHERE id = $4`,
			int(c.Weekday), c.StartMinute, c.EndMinute, x.ID)
		e.exec(t, `UPDATE courses SET capacity = 5 WHERE id = $1`, c.ID)
		jobs := e.count(t, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_email'`)

		n, err := e.wl.Sweep(ctx)
		if err != nil || n != 3 {
			t.Fatalf("the sweep offered %d seats (%v), want 3", n, err)
		}
		want := []candidate{waiting[0], waiting[2], waiting[3]}
		rows, err := d.R.Query(`SELECT candidature_id, state, freed_by FROM waiting_offers WHERE course_id = $1 ORDER BY id`, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for rows.Next() {
			var id int64
			var state, freedBy string
			if err := rows.Scan(&id, &state, &freedBy); err != nil {
				t.Fatal(err)
			}
			if state != string(domain.OfferPending) || freedBy != domain.FreedLeft {
				t.Errorf("offer to %d: %s, freed by %s, want pending, freed by %s", id, state, freedBy, domain.FreedLeft)
			}
			got = append(got, id)
		}
		rows.Close()
		if len(got) != 3 || got[0] != want[0].ids[c.ID] || got[1] != want[1].ids[c.ID] || got[2] != want[2].ids[c.ID] {
			t.Fatalf("offers in ID order to %v, want the 1st, 3rd and 4th in line %v", got, order)
		}
		for _, p := range want {
			if e.messages(t, p.account.ID, "waitlist_offer") != 1 {
				t.Errorf("%s: not one offer email", p.account.FirstName)
			}
			o := e.pendingOffer(t, p)
			if o.CourseID != c.ID || o.Redirect {
				t.Errorf("%s's offer %+v, want course %d, not a redirect", p.account.FirstName, o, c.ID)
			}
		}
		if e.messages(t, second.account.ID, "waitlist_offer") != 0 {
			t.Error("the candidate whose slots clash got an offer email")
		}
		if e.count(t, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_email'`) == jobs {
			t.Error("the offers' emails were not queued")
		}
		if held := e.seatsHeld(t, c.ID); held != 5 {
			t.Fatalf("%d seats held, want 5", held)
		}
	})
}
