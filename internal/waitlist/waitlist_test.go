package waitlist_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/waitlist"
)

// split applies people to course c without redirects, publishes, and
// returns those accepted and those waiting in the list's order.
func (e *env) split(t *testing.T, c *catalogue.Entry, capacity, people int) (accepted, waiting []candidate) {
	t.Helper()
	e.exec(t, `UPDATE courses SET capacity = $1 WHERE id = $2`, capacity, c.ID)
	var all []candidate
	for range people {
		all = append(all, e.apply(t, false, c))
	}
	e.publish(t)
	rank := map[int64]int{}
	for _, p := range all {
		switch e.status(t, p.ids[c.ID]) {
		case domain.CandidatureAccepted:
			accepted = append(accepted, p)
		case domain.CandidatureWaiting:
			rank[p.account.ID] = e.rank(t, p, c.ID)
			waiting = append(waiting, p)
		}
	}
	slices.SortFunc(waiting, func(a, b candidate) int { return rank[a.account.ID] - rank[b.account.ID] })
	if len(accepted) != capacity || len(waiting) != people-capacity {
		t.Fatalf("published %d accepted and %d waiting, want %d and %d", len(accepted), len(waiting), capacity, people-capacity)
	}
	for i, w := range waiting {
		if rank[w.account.ID] != i+1 {
			t.Fatalf("waiting ranks %v, want 1..%d", rank, len(waiting))
		}
	}
	return accepted, waiting
}

// rank is the candidate's rank on the course's list as their space shows it.
func (e *env) rank(t *testing.T, p candidate, courseID int64) int {
	t.Helper()
	sp, err := e.wl.Space(context.Background(), p.actor, p.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range sp.Places[p.ids[courseID]] {
		if pl.CourseID == courseID {
			return pl.Rank
		}
	}
	return 0
}

// TestFreedSeat_offered_in_order_CAN1_CAN2_CAN3: a place given up is offered
// at once to the first waiting candidate (CAN-1..3 hold for them), with the
// session's deadline, by email and in their space; declined, it goes to the
// next at once; accepted, the candidate is admitted in the course; the
// ranks of those behind only move up; answering twice does nothing twice;
// the seats held never exceed the capacity.
func TestFreedSeat_offered_in_order_CAN1_CAN2_CAN3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 2, 5)
		w1, w2, w3 := waiting[0], waiting[1], waiting[2]
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers`); n != 0 {
			t.Fatalf("%d offers right after the publication, want none: every seat is taken", n)
		}

		a, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID])
		if err != nil {
			t.Fatal(err)
		}
		if got := e.status(t, accepted[0].ids[c.ID]); got != domain.CandidatureGivenUp {
			t.Fatalf("after giving up: %s", got)
		}
		if e.messages(t, accepted[0].account.ID, "waitlist_given_up") != 1 {
			t.Fatal("no email for the place given up")
		}
		if len(a.Next) != 1 || a.Next[0].CandidatureID != w1.ids[c.ID] {
			t.Fatalf("the freed seat went to %+v, want the first waiting candidature %d", a.Next, w1.ids[c.ID])
		}
		o1 := e.pendingOffer(t, w1)
		if want := domain.OfferDeadline(e.now, domain.DefaultOfferDays); o1.Deadline != want || o1.Redirect || o1.FreedBy != domain.FreedGivenUp {
			t.Fatalf("offer %+v, want deadline %s, not a redirect, freed by a place given up", o1, want)
		}
		if e.messages(t, w1.account.ID, "waitlist_offer") != 1 || e.messages(t, w2.account.ID, "waitlist_offer") != 0 {
			t.Fatal("the offer's email went to the wrong person")
		}
		if again, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID]); err != nil || !again.Already {
			t.Fatalf("giving up twice: %+v, %v", again, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers`); n != 1 {
			t.Fatalf("%d offers after giving up twice, want 1", n)
		}
		if held := e.seatsHeld(t, c.ID); held != 2 {
			t.Fatalf("%d seats held, want 2 (one accepted, one offered)", held)
		}
		if r := e.rank(t, w3, c.ID); r != 3 {
			t.Fatalf("third waiting candidate at rank %d while the first holds an offer, want 3", r)
		}

		d1, err := e.wl.Decline(ctx, w1.actor, w1.account.ID, o1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.status(t, w1.ids[c.ID]); got != domain.CandidatureDeclined {
			t.Fatalf("after declining the course chosen: %s", got)
		}
		if len(d1.Next) != 1 || d1.Next[0].CandidatureID != w2.ids[c.ID] {
			t.Fatalf("the declined seat went to %+v, want the second waiting candidature", d1.Next)
		}
		if r := e.rank(t, w3, c.ID); r != 2 {
			t.Fatalf("third waiting candidate at rank %d after the first declined, want 2", r)
		}
		_, err = e.wl.Accept(ctx, w1.actor, w1.account.ID, o1.ID)
		refusedWith(t, err, "waitlist.offer.answered.declined")

		o2 := e.pendingOffer(t, w2)
		if _, err := e.wl.Accept(ctx, w2.actor, w2.account.ID, o2.ID); err != nil {
			t.Fatal(err)
		}
		again, err := e.wl.Accept(ctx, w2.actor, w2.account.ID, o2.ID)
		if err != nil || !again.Already {
			t.Fatalf("accepting twice: %+v, %v", again, err)
		}
		var status domain.CandidatureStatus
		var in int64
		if err := d.R.QueryRow(`SELECT status, accepted_course_id FROM candidatures WHERE id = $1`, w2.ids[c.ID]).Scan(&status, &in); err != nil {
			t.Fatal(err)
		}
		if status != domain.CandidatureAccepted || in != c.ID {
			t.Fatalf("after accepting: %s in course %d, want accepted in %d", status, in, c.ID)
		}
		if e.messages(t, w2.account.ID, "waitlist_accepted") != 1 {
			t.Fatal("accepting twice sent other than one confirmation")
		}
		if r := e.rank(t, w3, c.ID); r != 1 {
			t.Fatalf("third waiting candidate at rank %d, want 1", r)
		}
		if held := e.seatsHeld(t, c.ID); held != 2 {
			t.Fatalf("%d seats held, want 2", held)
		}
		sp, err := e.wl.Space(ctx, w3.actor, w3.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pl := sp.Places[w3.ids[c.ID]]; len(pl) != 1 || pl[0].Offered != 2 {
			t.Fatalf("w3's places %+v, want one with 2 seats offered so far", pl)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidature_events WHERE candidature_id = $1 AND status = 'accepted'
			AND note LIKE 'place acceptée sur liste d''attente%'`, w2.ids[c.ID]); n != 1 {
			t.Fatalf("%d history lines of the seat accepted, want 1", n)
		}
	})
}

// TestAnswers_refused: someone else's offer and a forged ID answer as a
// missing one; an expired offer's buttons are refused with its date; an
// answer after the course's lists closed (SEL-4) is refused; nothing changes.
func TestAnswers_refused_SEL4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 1, 3)
		if _, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID]); err != nil {
			t.Fatal(err)
		}
		o := e.pendingOffer(t, waiting[0])
		other := waiting[1]
		if _, err := e.wl.Accept(ctx, other.actor, other.account.ID, o.ID); !errors.Is(err, waitlist.ErrNotFound) {
			t.Fatalf("someone else's offer: %v, want not found", err)
		}
		if _, err := e.wl.Decline(ctx, other.actor, other.account.ID, o.ID+1000); !errors.Is(err, waitlist.ErrNotFound) {
			t.Fatalf("a forged offer ID: %v, want not found", err)
		}
		if _, err := e.wl.Accept(ctx, other.actor, waiting[0].account.ID, o.ID); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("acting for another person: %v, want forbidden", err)
		}
		// The deadline's day is over, the timer has not run yet.
		e.now = o.Deadline.End().Add(time.Minute)
		_, err := e.wl.Accept(ctx, waiting[0].actor, waiting[0].account.ID, o.ID)
		refusedWith(t, err, "waitlist.offer.answered.expired")
		if got := e.status(t, waiting[0].ids[c.ID]); got != domain.CandidatureWaiting {
			t.Fatalf("a refused accept changed the candidature: %s", got)
		}
		// After the lists closed, even a pending offer within its deadline
		// cannot be accepted.
		e.exec(t, `UPDATE waiting_offers SET deadline = $1 WHERE id = $2`, "2099-01-01", o.ID)
		entry, _ := e.index(t).Course(c.ID)
		e.now = domain.ListsCloseOn(entry.FirstClass).Add(10 * time.Hour)
		_, err = e.wl.Accept(ctx, waiting[0].actor, waiting[0].account.ID, o.ID)
		refusedWith(t, err, "waitlist.offer.answered.lapsed")
		if n := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE id = $1 AND status = 'waiting'`, waiting[0].ids[c.ID]); n != 1 {
			t.Fatal("a refused accept changed the candidature")
		}
	})
}

// TestTimer_reminds_expires_and_closes_SEL4: the reminder goes out once on
// the deadline's day, not before 8 a.m.; the next day the offer expires, the
// candidate is told and leaves the lists, the seat goes to the next at
// once; from the 22nd day after the course's first class every waiting
// candidature becomes "en manque de place" without any email, pending
// offers lapse, and a seat freed later is offered to nobody.
func TestTimer_reminds_expires_and_closes_SEL4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 2, 6)
		if _, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID]); err != nil {
			t.Fatal(err)
		}
		o := e.pendingOffer(t, waiting[0])
		day := o.Deadline.Day()
		paris := domain.Paris()
		e.now = time.Date(day.Year(), day.Month(), day.Day(), 7, 30, 0, 0, paris)
		if r, err := e.wl.Tick(ctx); err != nil || r.Reminded != 0 || r.Expired != 0 {
			t.Fatalf("tick at 7:30 on the deadline's day: %+v, %v", r, err)
		}
		e.now = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, paris)
		for range 2 {
			if _, err := e.wl.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.messages(t, waiting[0].account.ID, "waitlist_reminder"); n != 1 {
			t.Fatalf("%d reminders, want 1", n)
		}
		e.now = time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, paris)
		if r, _ := e.wl.Tick(ctx); r.Expired != 0 {
			t.Fatal("expired at 23:59:59 on its deadline's day")
		}
		e.now = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 1, 0, 0, paris)
		r, err := e.wl.Tick(ctx)
		if err != nil || r.Expired != 1 || r.Offered != 1 {
			t.Fatalf("tick after the deadline: %+v, %v", r, err)
		}
		if got := e.status(t, waiting[0].ids[c.ID]); got != domain.CandidatureOfferExpired {
			t.Fatalf("after the deadline: %s", got)
		}
		if e.messages(t, waiting[0].account.ID, "waitlist_expired") != 1 {
			t.Fatal("no email for the offer expired")
		}
		o2 := e.pendingOffer(t, waiting[1])
		if r, _ := e.wl.Tick(ctx); r.Expired != 0 || r.Offered != 0 {
			t.Fatalf("a second tick did more: %+v", r)
		}

		// SEL-4: the lists close from the 22nd day after the first class.
		entry, _ := e.index(t).Course(c.ID)
		closes := domain.ListsCloseOn(entry.FirstClass)
		e.exec(t, `UPDATE waiting_offers SET deadline = $1 WHERE id = $2`, closes.AddDate(0, 0, 5).Format(time.DateOnly), o2.ID)
		e.now = time.Date(closes.Year(), closes.Month(), closes.Day()-1, 23, 0, 0, 0, paris)
		if r, _ := e.wl.Tick(ctx); r.NoPlace != 0 {
			t.Fatal("lists closed on the 21st day after the first class")
		}
		before := e.count(t, `SELECT COUNT(*) FROM messages`)
		e.now = time.Date(closes.Year(), closes.Month(), closes.Day(), 0, 30, 0, 0, paris)
		r, err = e.wl.Tick(ctx)
		if err != nil || r.NoPlace != 3 {
			t.Fatalf("tick on the 22nd day: %+v, %v; want 3 en manque de place", r, err)
		}
		for _, w := range waiting[1:] {
			if got := e.status(t, w.ids[c.ID]); got != domain.CandidatureNoPlace {
				t.Fatalf("waiting candidature %d is %s on the 22nd day", w.ids[c.ID], got)
			}
		}
		if got, _ := e.st.Offer(ctx, nil, o2.ID); got.State != domain.OfferLapsed {
			t.Fatalf("pending offer is %s when the lists closed", got.State)
		}
		if after := e.count(t, `SELECT COUNT(*) FROM messages`); after != before {
			t.Fatalf("%d emails kept when the lists closed, want none (SEL-4)", after-before)
		}
		a, err := e.wl.GiveUp(ctx, accepted[1].actor, accepted[1].account.ID, accepted[1].ids[c.ID])
		if err != nil || len(a.Next) != 0 {
			t.Fatalf("a seat freed after the lists closed went to %+v, %v; want nobody", a.Next, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE state = 'pending'`); n != 0 {
			t.Fatalf("%d offers pending after the lists closed", n)
		}
	})
}

// TestRedirects_SEL5_CAN3_at_offer_time: the lists as a published run
// leaves them — one candidature accepted in a course it preferred less (a
// redirect) still in line for the one it chose, others waiting on both
// courses. The seat freed in the chosen course goes first to the redirected
// candidate, who takes it: they move, and the seat they leave is offered at
// once on its own list, as a redirect, passing over the candidate whose
// other course now meets in the same slot (CAN-3 checked at offer time, not
// at the candidature); a redirect declined leaves the candidate waiting on
// the course they chose.
func TestRedirects_SEL5_CAN3_at_offer_time(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, r, _ := e.pair(t)
		ix := e.index(t)
		overlap := func(a, b *catalogue.Entry) bool {
			return a.Weekday == b.Weekday && a.StartMinute < b.EndMinute && b.StartMinute < a.EndMinute
		}
		var others []*catalogue.Entry // one more course each, of other formations
		for _, k := range ix.All() {
			if len(others) < 3 && k.SessionID == e.session && k.Session.CandidatureOpen(t0) && !k.Remote &&
				k.Formation.Evaluation == domain.EvaluationNone && k.FormationID != c.FormationID && !overlap(k, c) && !overlap(k, r) {
				others = append(others, k)
			}
		}
		if len(others) < 3 {
			t.Skip("the demo's 2nd semester has too few courses without a test")
		}
		z := e.apply(t, false, c)
		p1 := e.apply(t, true, c, others[0])
		p2 := e.apply(t, true, c, others[1])
		p3 := e.apply(t, true, c, others[2])
		e.publish(t)
		// The lists as the engine leaves them when c and r are full (SEL-5).
		e.exec(t, `UPDATE courses SET capacity = 1 WHERE id IN ($1, $2)`, c.ID, r.ID)
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id IN ($1, $2, $3, $4)`,
			z.ids[c.ID], p1.ids[others[0].ID], p2.ids[others[1].ID], p3.ids[others[2].ID])
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = $1 WHERE id = $2`, r.ID, p1.ids[c.ID])
		e.exec(t, `UPDATE candidatures SET status = 'waiting', accepted_course_id = NULL WHERE id IN ($1, $2)`, p2.ids[c.ID], p3.ids[c.ID])
		e.exec(t, `DELETE FROM waiting_list`)
		run := e.count(t, `SELECT MAX(id) FROM selection_runs`)
		e.exec(t, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES
			($1, $3, 1, $6), ($1, $4, 2, $6), ($1, $5, 3, $6), ($2, $4, 1, $6), ($2, $5, 2, $6)`,
			c.ID, r.ID, p1.ids[c.ID], p2.ids[c.ID], p3.ids[c.ID], run)
		if rk := e.rank(t, p1, c.ID); rk != 1 {
			t.Fatalf("the redirected candidate's rank on the course it chose: %d, want 1", rk)
		}

		a, err := e.wl.GiveUp(ctx, z.actor, z.account.ID, z.ids[c.ID])
		if err != nil || len(a.Next) != 1 || a.Next[0].CandidatureID != p1.ids[c.ID] || a.Next[0].Redirect {
			t.Fatalf("the seat given up went to %+v (%v), want the redirected candidate, for the course they chose", a.Next, err)
		}
		// p2's other course now meets in r's slot (CAN-3).
		e.changeCatalogue(t, `UPDATE courses SET weekday = $1, start_minute = $2, end_minute = $3 WHERE id = $4`,
			int(r.Weekday), r.StartMinute, r.EndMinute, others[1].ID)
		up, err := e.wl.Accept(ctx, p1.actor, p1.account.ID, a.Next[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var in int64
		if err := d.R.QueryRow(`SELECT accepted_course_id FROM candidatures WHERE id = $1`, p1.ids[c.ID]).Scan(&in); err != nil || in != c.ID {
			t.Fatalf("after accepting the course chosen: accepted in %d (%v), want %d", in, err, c.ID)
		}
		if len(up.Next) != 1 || up.Next[0].CandidatureID != p3.ids[c.ID] || !up.Next[0].Redirect || up.Next[0].FreedBy != domain.FreedMoved {
			t.Fatalf("the seat left in the redirect course went to %+v, want p3 (p2 clashes, CAN-3), as a redirect", up.Next)
		}
		var body string
		if err := d.R.QueryRow(`SELECT body_text FROM messages WHERE account_id = $1 AND kind = 'waitlist_offer'`, p3.account.ID).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "cours équivalent") {
			t.Errorf("the redirect offer's email does not say it is a redirect:\n%s", body)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1`, p2.ids[c.ID]); n != 0 {
			t.Fatalf("p2 was offered %d seats despite the clash", n)
		}
		if held := e.seatsHeld(t, r.ID); held != 1 {
			t.Fatalf("%d seats held in the redirect course, want the one offered", held)
		}

		if _, err := e.wl.Decline(ctx, p3.actor, p3.account.ID, up.Next[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := e.status(t, p3.ids[c.ID]); got != domain.CandidatureWaiting {
			t.Fatalf("after declining a redirect: %s, want still waiting for the course chosen", got)
		}
		if rk := e.rank(t, p3, c.ID); rk != 2 {
			t.Fatalf("p3's rank on the course chosen after declining the redirect: %d, want 2", rk)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE state = 'pending'`); n != 0 {
			t.Fatalf("%d offers pending: the only one in line for the redirect course clashes", n)
		}
		if n, err := e.wl.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("the sweep offered %d seats (%v), want none", n, err)
		}
	})
}

// TestMove_needs_a_reason_and_is_audited: a change of a list's order is
// refused without a reason or out of range, and to staff of another
// establishment; done, it is in the audit trail with its reason and in the
// candidature's history, the ranks follow, and the next seat freed goes to
// the candidate moved up.
func TestMove_needs_a_reason_and_is_audited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 1, 4)
		w1, w3 := waiting[0], waiting[2]
		refusedWith(t, e.wl.Move(ctx, e.central, c.ID, w3.ids[c.ID], 1, "  "), "waitlist.move.reason")
		refusedWith(t, e.wl.Move(ctx, e.central, c.ID, w3.ids[c.ID], 4, "erreur de saisie"), "waitlist.move.rank")
		refusedWith(t, e.wl.Move(ctx, e.central, c.ID, accepted[0].ids[c.ID], 1, "erreur de saisie"), "waitlist.move.not_in_line")
		other := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID + 1000}}}
		if err := e.wl.Move(ctx, other, c.ID, w3.ids[c.ID], 1, "erreur de saisie"); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a director of another establishment: %v, want forbidden", err)
		}
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID}}}
		if err := e.wl.Move(ctx, director, c.ID, w3.ids[c.ID], 1, "résultat du test mal saisi"); err != nil {
			t.Fatal(err)
		}
		if r1, r3 := e.rank(t, w1, c.ID), e.rank(t, w3, c.ID); r3 != 1 || r1 != 2 {
			t.Fatalf("ranks after the move: moved %d, formerly first %d; want 1 and 2", r3, r1)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND reason = $2 AND object_id = $3`,
			domain.AuditWaitingListMoved, "résultat du test mal saisi", c.ID); n != 1 {
			t.Fatalf("%d audit events of the move, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidature_events WHERE candidature_id = $1 AND note LIKE 'rang changé%'`, w3.ids[c.ID]); n != 1 {
			t.Fatalf("%d history lines of the move, want 1", n)
		}
		a, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID])
		if err != nil || len(a.Next) != 1 || a.Next[0].CandidatureID != w3.ids[c.ID] {
			t.Fatalf("the seat went to %+v (%v), want the candidate moved up", a.Next, err)
		}
		lines, err := e.wl.CourseOffers(ctx, director, c.ID)
		if err != nil || len(lines) != 1 || lines[0].Email == "" {
			t.Fatalf("the course's offers for its director: %+v, %v", lines, err)
		}
	})
}

// TestOfferDays_a_setting_per_session: the central service sets how long an
// offer stays open (1 to 14 days, audited); the next offer's deadline
// follows it; a candidate may not change it.
func TestOfferDays_a_setting_per_session(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 1, 2)
		refusedWith(t, e.wl.SetOfferDays(ctx, e.central, e.session, 0), "waitlist.offer_days.range")
		refusedWith(t, e.wl.SetOfferDays(ctx, e.central, e.session, domain.MaxOfferDays+1), "waitlist.offer_days.range")
		if err := e.wl.SetOfferDays(ctx, accepted[0].actor, e.session, 5); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a candidate setting the delay: %v, want forbidden", err)
		}
		if err := e.wl.SetOfferDays(ctx, e.central, e.session, 5); err != nil {
			t.Fatal(err)
		}
		if days, err := e.wl.OfferDays(ctx, e.central, e.session); err != nil || days != 5 {
			t.Fatalf("offer days %d, %v; want 5", days, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE object_kind = 'session' AND object_id = $1 AND details LIKE '%2 → 5 jours'`, e.session); n != 1 {
			t.Fatalf("%d audit events of the change, want 1", n)
		}
		if _, err := e.wl.GiveUp(ctx, accepted[0].actor, accepted[0].account.ID, accepted[0].ids[c.ID]); err != nil {
			t.Fatal(err)
		}
		if o := e.pendingOffer(t, waiting[0]); o.Deadline != domain.OfferDeadline(e.now, 5) {
			t.Fatalf("deadline %s, want %s (5 days)", o.Deadline, domain.OfferDeadline(e.now, 5))
		}
	})
}

// TestCloseCourse_SEL6_told_and_offered_an_equivalent: a course below the
// session's minimum may be closed from the decision day, by the central
// service, with a reason: its learners and its waiting candidates become
// "cours non ouvert", each is told and offered a free seat in an equivalent
// course, which they may accept; nothing is offered in the closed course any
// more; closing twice does nothing twice.
func TestCloseCourse_SEL6_told_and_offered_an_equivalent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, r, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 2, 3)
		e.exec(t, `UPDATE courses SET capacity = 10 WHERE id = $1`, r.ID)
		today := domain.DeadlineOf(e.now.In(domain.Paris())).Day()
		_, err := e.wl.CloseCourse(ctx, e.central, c.ID, "trop peu d'inscrits")
		refusedWith(t, err, "waitlist.close.no_rule")
		refusedWith(t, e.wl.SetSessionOpening(ctx, e.central, e.session, waitlist.Opening{MinLearners: 3}), "waitlist.opening.date")
		if err := e.wl.SetSessionOpening(ctx, e.central, e.session, waitlist.Opening{MinLearners: 2, DecisionOn: today.AddDate(0, 0, 1)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.wl.CloseCourse(ctx, e.central, c.ID, "trop peu d'inscrits")
		refusedWith(t, err, "waitlist.close.before")
		e.now = e.now.Add(24 * time.Hour)
		_, err = e.wl.CloseCourse(ctx, e.central, c.ID, "trop peu d'inscrits")
		refusedWith(t, err, "waitlist.close.enough")
		if err := e.wl.SetSessionOpening(ctx, e.central, e.session, waitlist.Opening{MinLearners: 8, DecisionOn: today}); err != nil {
			t.Fatal(err)
		}
		_, err = e.wl.CloseCourse(ctx, e.central, c.ID, " ")
		refusedWith(t, err, "waitlist.close.reason")
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID}}}
		if _, err := e.wl.CloseCourse(ctx, director, c.ID, "trop peu d'inscrits"); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a director closing a course: %v, want forbidden (ROLE-5)", err)
		}
		res, err := e.wl.CloseCourse(ctx, e.central, c.ID, "trop peu d'inscrits")
		if err != nil || res.Told != 3 || res.Offered != 3 {
			t.Fatalf("closing: %+v, %v; want 3 told and 3 offered", res, err)
		}
		for _, p := range append(accepted, waiting...) {
			if got := e.status(t, p.ids[c.ID]); got != domain.CandidatureCourseClosed {
				t.Fatalf("candidature %d is %s after the closing", p.ids[c.ID], got)
			}
			if e.messages(t, p.account.ID, "waitlist_course_closed") != 1 || e.messages(t, p.account.ID, "waitlist_offer") != 1 {
				t.Fatalf("%s was not told once and offered once", p.account.FirstName)
			}
		}
		o := e.pendingOffer(t, waiting[0])
		if o.CourseID != r.ID || !o.Redirect || o.FreedBy != domain.FreedClosed {
			t.Fatalf("the offer after the closing: %+v, want a redirect to course %d", o, r.ID)
		}
		if _, err := e.wl.Accept(ctx, waiting[0].actor, waiting[0].account.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		var in int64
		if err := d.R.QueryRow(`SELECT accepted_course_id FROM candidatures WHERE id = $1 AND status = 'accepted'`, waiting[0].ids[c.ID]).Scan(&in); err != nil || in != r.ID {
			t.Fatalf("after accepting the equivalent: in %d (%v), want %d", in, err, r.ID)
		}
		again, err := e.wl.CloseCourse(ctx, e.central, c.ID, "trop peu d'inscrits")
		if err != nil || !again.Already {
			t.Fatalf("closing twice: %+v, %v", again, err)
		}
		if offered, err := e.wl.FreeSeats(ctx, c.ID, domain.FreedLeft); err != nil || len(offered) != 0 {
			t.Fatalf("a closed course offered %d seats (%v)", len(offered), err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND object_id = $2`, domain.AuditCourseClosed, c.ID); n != 1 {
			t.Fatalf("%d audit events of the closing, want 1", n)
		}
	})
}
