package waitlist_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/waitlist"
)

// TestDayChange_SEL8_director_forwards_coordinator_decides: a learner asks
// for another day of their course on the first day of classes, from their
// space or at the desk; the establishment's director forwards the request
// (or not, with a reason), the formation's coordinator decides (refusing
// with a reason). Accepted, the learner moves only if a seat is free in the
// other course and nobody waits for it — a day change never passes a
// waiting candidate — and the seat left goes down its own list at once.
// Every step is audited and told to the learner (email and space), staff of
// another scope may take none, and a resubmitted step does nothing twice.
func TestDayChange_SEL8_director_forwards_coordinator_decides(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, r, x := e.pair(t)
		// c: 2 seats, 3 candidates (A1, A2 accepted, W1 waiting); r: 1
		// seat, 2 candidates (R1 accepted, R2 waiting).
		e.exec(t, `UPDATE courses SET capacity = 2 WHERE id = $1`, c.ID)
		e.exec(t, `UPDATE courses SET capacity = 1 WHERE id = $1`, r.ID)
		var onC, onR []candidate
		for range 3 {
			onC = append(onC, e.apply(t, false, c))
		}
		for range 2 {
			onR = append(onR, e.apply(t, false, r))
		}
		e.publish(t)
		pick := func(list []candidate, course int64, want domain.CandidatureStatus) []candidate {
			var out []candidate
			for _, p := range list {
				if e.status(t, p.ids[course]) == want {
					out = append(out, p)
				}
			}
			return out
		}
		learners, waitC := pick(onC, c.ID, domain.CandidatureAccepted), pick(onC, c.ID, domain.CandidatureWaiting)
		waitR := pick(onR, r.ID, domain.CandidatureWaiting)
		if len(learners) != 2 || len(waitC) != 1 || len(waitR) != 1 {
			t.Fatalf("published %d/%d on c and %d waiting on r, want 2/1 and 1", len(learners), len(waitC), len(waitR))
		}
		a1, a2, w1, r2 := learners[0], learners[1], waitC[0], waitR[0]

		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID}}}
		coordinator := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: c.FormationID}}}
		otherDirector := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID + 1000}}}
		otherCoordinator := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: x.FormationID}}}

		// Before the first day: refused from the space and at the desk.
		first := c.FirstClass
		if first.IsZero() {
			t.Skip("the course has no first class meeting")
		}
		_, err := e.wl.AskDayChange(ctx, a1.actor, a1.account.ID, a1.ids[c.ID], r.ID, "horaires de travail")
		refusedWith(t, err, "daychange.ask.not_first_day")
		_, err = e.wl.RecordDayChange(ctx, director, a2.ids[c.ID], r.ID, "")
		refusedWith(t, err, "daychange.record.window")

		// The first day of classes, in the evening, Paris time.
		e.now = time.Date(first.Year(), first.Month(), first.Day(), 21, 0, 0, 0, domain.Paris())
		ch, err := e.wl.DayChangeChoices(ctx, a1.actor, a1.account.ID, a1.ids[c.ID])
		if err != nil || ch.From.ID != c.ID || len(ch.Targets) == 0 {
			t.Fatalf("choices %+v, %v", ch, err)
		}
		for _, k := range ch.Targets {
			if k.FormationID != c.FormationID || k.Level != c.Level || k.ID == c.ID {
				t.Fatalf("target %s is not an equivalent course", k.Code)
			}
		}
		if _, err := e.wl.DayChangeChoices(ctx, w1.actor, w1.account.ID, w1.ids[c.ID]); err == nil {
			t.Fatal("a waiting candidate is offered a day change")
		}
		if _, err := e.wl.AskDayChange(ctx, w1.actor, a1.account.ID, a1.ids[c.ID], r.ID, ""); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("someone else asking: %v, want forbidden", err)
		}
		_, err = e.wl.AskDayChange(ctx, a1.actor, a1.account.ID, a1.ids[c.ID], x.ID, "")
		refusedWith(t, err, "daychange.target")
		req, err := e.wl.AskDayChange(ctx, a1.actor, a1.account.ID, a1.ids[c.ID], r.ID, "horaires de travail")
		if err != nil || req.State != domain.DayChangeRequested || req.Channel != domain.DayChangeFromSpace {
			t.Fatalf("request %+v, %v", req, err)
		}
		_, err = e.wl.AskDayChange(ctx, a1.actor, a1.account.ID, a1.ids[c.ID], r.ID, "horaires de travail")
		refusedWith(t, err, "daychange.already")

		// The director forwards; not the coordinator first, nor staff of another scope.
		_, err = e.wl.DecideDayChange(ctx, coordinator, req.ID, true, "")
		refusedWith(t, err, "daychange.step.requested")
		if _, err := e.wl.ForwardDayChange(ctx, otherDirector, req.ID, true, ""); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a director of another establishment forwarding: %v, want forbidden", err)
		}
		if _, err := e.wl.ForwardDayChange(ctx, coordinator, req.ID, true, ""); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("the coordinator forwarding: %v, want forbidden (the director's step)", err)
		}
		_, err = e.wl.ForwardDayChange(ctx, director, req.ID, false, " ")
		refusedWith(t, err, "daychange.forward.reason")
		st, err := e.wl.ForwardDayChange(ctx, director, req.ID, true, "vu au guichet")
		if err != nil || st.Change.State != domain.DayChangeForwarded || st.Already {
			t.Fatalf("forwarded %+v, %v", st, err)
		}
		if st, err := e.wl.ForwardDayChange(ctx, director, req.ID, true, "vu au guichet"); err != nil || !st.Already {
			t.Fatalf("forwarded twice: %+v, %v; want already", st, err)
		}
		if _, err := e.wl.DecideDayChange(ctx, otherCoordinator, req.ID, true, ""); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a coordinator of another formation deciding: %v, want forbidden", err)
		}

		// r is full: refused, the request stays with the coordinator.
		_, err = e.wl.DecideDayChange(ctx, coordinator, req.ID, true, "")
		refusedWith(t, err, "daychange.decide.full")
		// A seat is freed in r but R2 waits for it: a day change never passes them.
		e.exec(t, `UPDATE courses SET capacity = 2 WHERE id = $1`, r.ID)
		_, err = e.wl.DecideDayChange(ctx, coordinator, req.ID, true, "")
		refusedWith(t, err, "daychange.decide.waiting")
		// The seat is offered to R2, who declines it: now nobody waits.
		offered, err := e.wl.FreeSeats(ctx, r.ID, domain.FreedLeft)
		if err != nil || len(offered) != 1 || offered[0].CandidatureID != r2.ids[r.ID] {
			t.Fatalf("r's free seat went to %+v (%v), want R2", offered, err)
		}
		_, err = e.wl.DecideDayChange(ctx, coordinator, req.ID, true, "")
		refusedWith(t, err, "daychange.decide.full")
		if _, err := e.wl.Decline(ctx, r2.actor, r2.account.ID, offered[0].ID); err != nil {
			t.Fatal(err)
		}
		st, err = e.wl.DecideDayChange(ctx, coordinator, req.ID, true, "place libre le jeudi")
		if err != nil || st.Change.State != domain.DayChangeAccepted {
			t.Fatalf("decided %+v, %v", st, err)
		}
		if got := e.count(t, `SELECT accepted_course_id FROM candidatures WHERE id = $1 AND status = 'accepted'`, a1.ids[c.ID]); int64(got) != r.ID {
			t.Fatalf("A1 accepted in course %d, want %d (moved)", got, r.ID)
		}
		// The seat A1 left in c goes to W1 at once.
		if len(st.Next) != 1 || st.Next[0].CandidatureID != w1.ids[c.ID] || st.Next[0].FreedBy != domain.FreedDayChange {
			t.Fatalf("the seat left went to %+v, want W1's offer freed by a day change", st.Next)
		}
		e.seatsHeld(t, c.ID)
		if held := e.seatsHeld(t, r.ID); held != 2 {
			t.Fatalf("r holds %d seats, want 2", held)
		}
		if st, err := e.wl.DecideDayChange(ctx, coordinator, req.ID, true, ""); err != nil || !st.Already {
			t.Fatalf("decided twice: %+v, %v; want already", st, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidature_events WHERE candidature_id = $1 AND note LIKE 'changement de jour%'`,
			a1.ids[c.ID]); n != 1 {
			t.Fatalf("%d history lines of the move, want 1", n)
		}
		for _, kind := range []string{"daychange_requested", "daychange_forwarded", "daychange_accepted"} {
			if n := e.messages(t, a1.account.ID, kind); n != 1 {
				t.Fatalf("A1 has %d %s emails, want 1", n, kind)
			}
		}
		for _, action := range []string{domain.AuditDayChangeRequested, domain.AuditDayChangeForwarded, domain.AuditDayChangeAccepted} {
			if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND subject_account_id = $2`, action, a1.account.ID); n != 1 {
				t.Fatalf("%d audit events %s, want 1", n, action)
			}
		}
		sp, err := e.wl.Space(ctx, a1.actor, a1.account.ID)
		mine := sp.DayChanges[a1.ids[c.ID]]
		if err != nil || len(mine) != 1 || mine[0].State != domain.DayChangeAccepted || mine[0].DecisionNote != "place libre le jeudi" {
			t.Fatalf("A1's space shows %+v, %v", mine, err)
		}

		// At the desk, two days later: recorded by the director, refused by
		// the coordinator with a reason.
		e.now = e.now.Add(48 * time.Hour)
		_, err = e.wl.AskDayChange(ctx, a2.actor, a2.account.ID, a2.ids[c.ID], r.ID, "")
		refusedWith(t, err, "daychange.ask.not_first_day")
		if _, err := e.wl.RecordDayChange(ctx, otherDirector, a2.ids[c.ID], r.ID, ""); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a director of another establishment recording: %v, want forbidden", err)
		}
		desk, err := e.wl.RecordDayChange(ctx, director, a2.ids[c.ID], r.ID, "garde d'enfants le mardi")
		if err != nil || desk.Channel != domain.DayChangeAtDesk || desk.RecordedBy != director.AccountID {
			t.Fatalf("recorded %+v, %v", desk, err)
		}
		if _, err := e.wl.ForwardDayChange(ctx, director, desk.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		_, err = e.wl.DecideDayChange(ctx, coordinator, desk.ID, false, "")
		refusedWith(t, err, "daychange.decide.reason")
		if st, err := e.wl.DecideDayChange(ctx, coordinator, desk.ID, false, "le cours du jeudi est complet"); err != nil ||
			st.Change.State != domain.DayChangeRefused {
			t.Fatalf("refused %+v, %v", st, err)
		}
		if got := e.count(t, `SELECT accepted_course_id FROM candidatures WHERE id = $1`, a2.ids[c.ID]); int64(got) != c.ID {
			t.Fatalf("A2 accepted in %d after a refusal, want %d (unchanged)", got, c.ID)
		}
		if n := e.messages(t, a2.account.ID, "daychange_refused"); n != 1 {
			t.Fatalf("A2 has %d refusal emails, want 1", n)
		}

		// A request still open when its learner gives up their place is
		// closed: no step may be taken on it any more.
		open, err := e.wl.RecordDayChange(ctx, director, a2.ids[c.ID], r.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.wl.GiveUp(ctx, a2.actor, a2.account.ID, a2.ids[c.ID]); err != nil {
			t.Fatal(err)
		}
		_, err = e.wl.ForwardDayChange(ctx, director, open.ID, true, "")
		refusedWith(t, err, "daychange.step.cancelled")
		if got := e.count(t, `SELECT COUNT(*) FROM day_changes WHERE id = $1 AND state = 'cancelled'`, open.ID); got != 1 {
			t.Fatal("the request of a learner who gave up is not cancelled")
		}

		// The queues: the director sees all three, a director elsewhere none.
		q, err := e.wl.DayChangeQueue(ctx, director)
		if err != nil || len(q) != 3 {
			t.Fatalf("the director's queue: %d requests, %v; want 3", len(q), err)
		}
		if q, err := e.wl.DayChangeQueue(ctx, otherDirector); err != nil || len(q) != 0 {
			t.Fatalf("another director's queue: %d requests, %v; want none", len(q), err)
		}
		if _, err := e.wl.DayChangeQueue(ctx, a1.actor); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a learner reading the queue: %v, want forbidden", err)
		}
	})
}

// TestWithdraw_staff_record_a_desistement_with_a_reason: the director of
// the course's establishment records that a learner gives up their place
// (ROLE-3): a reason is needed, staff of another establishment may not, the
// learner is told with the reason, the audit trail has it, and the seat goes
// at once to the first in line (freed by a withdrawal); twice does nothing
// twice.
func TestWithdraw_staff_record_a_desistement_with_a_reason(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _, _ := e.pair(t)
		accepted, waiting := e.split(t, c, 1, 2)
		learner, first := accepted[0], waiting[0]
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID}}}
		other := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID + 1000}}}
		_, err := e.wl.Withdraw(ctx, director, learner.ids[c.ID], "  ")
		refusedWith(t, err, "waitlist.withdraw.reason")
		if _, err := e.wl.Withdraw(ctx, other, learner.ids[c.ID], "par téléphone"); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a director of another establishment: %v, want forbidden", err)
		}
		if _, err := e.wl.Withdraw(ctx, learner.actor, learner.ids[c.ID], "par téléphone"); !errors.Is(err, waitlist.ErrForbidden) {
			t.Fatalf("a candidate withdrawing as staff: %v, want forbidden", err)
		}
		a, err := e.wl.Withdraw(ctx, director, learner.ids[c.ID], "désistement par téléphone")
		if err != nil || len(a.Next) != 1 || a.Next[0].CandidatureID != first.ids[c.ID] || a.Next[0].FreedBy != domain.FreedWithdrawn {
			t.Fatalf("the seat went to %+v (%v), want the first in line, freed by a withdrawal", a.Next, err)
		}
		if got := e.status(t, learner.ids[c.ID]); got != domain.CandidatureGivenUp {
			t.Fatalf("the learner's candidature is %s, want given up", got)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'waitlist_given_up' AND body_text LIKE '%désistement par téléphone%'`,
			learner.account.ID); n != 1 {
			t.Fatalf("%d emails telling the learner with the reason, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND subject_account_id = $2 AND reason = $3`,
			domain.AuditWaitingWithdrawn, learner.account.ID, "désistement par téléphone"); n != 1 {
			t.Fatalf("%d audit events of the withdrawal, want 1", n)
		}
		if a, err := e.wl.Withdraw(ctx, director, learner.ids[c.ID], "désistement par téléphone"); err != nil || !a.Already {
			t.Fatalf("withdrawn twice: %+v, %v; want already", a, err)
		}
		e.seatsHeld(t, c.ID)
	})
}

// TestDayChange_SEL8_desk_request_takes_the_courses_locks_first: recording a
// request writes a row that references both courses (their keys), which
// PostgreSQL checks by share-locking their rows; taken in the request's
// order (from, then to) while a change of seats holds the course locks in
// the order of their IDs, the two deadlocked (found by the waiting lists'
// reliability drill, issue 15: a forward of another request aborted). The
// request now takes both courses' locks first, in the order of their IDs as
// every change of seats does, then the person's: a request from the course
// of the higher ID to the lower waits for a change of seats that holds the
// lower and then locks the higher, and both go through.
func TestDayChange_SEL8_desk_request_takes_the_courses_locks_first(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != db.Postgres {
			t.Skip("row locks: PostgreSQL only (SQLite serialises every write)")
		}
		ctx := context.Background()
		e := newEnv(t, d)
		c, r, _ := e.pair(t)
		low, high := c, r
		if high.ID < low.ID {
			low, high = high, low
		}
		p := e.apply(t, false, high)
		e.publish(t)
		if st := e.status(t, p.ids[high.ID]); st != domain.CandidatureAccepted {
			t.Fatalf("the learner is %s, want accepted", st)
		}
		first := high.FirstClass
		if first.IsZero() || low.FirstClass.IsZero() {
			t.Skip("the courses have no first class meeting")
		}
		e.now = time.Date(first.Year(), first.Month(), first.Day(), 21, 0, 0, 0, domain.Paris())

		// A change of seats holds the lower course's lock…
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := e.st.LockCourse(ctx, tx, low.ID); err != nil {
			t.Fatal(err)
		}
		// …while the desk records a request from the higher to the lower…
		recorded := make(chan error, 1)
		go func() {
			_, err := e.wl.RecordDayChange(ctx, e.central, p.ids[high.ID], low.ID, "horaires de travail")
			recorded <- err
		}()
		time.Sleep(500 * time.Millisecond)
		// …then takes the higher's: no deadlock, both commit.
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := e.st.LockCourse(lctx, tx, high.ID); err != nil {
			t.Fatalf("the change of seats locking course %d after %d, while a request %d→%d is recorded: %v",
				high.ID, low.ID, high.ID, low.ID, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-recorded; err != nil {
			t.Fatalf("the request recorded while the courses were locked: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM day_changes WHERE candidature_id = $1 AND state = 'requested'`, p.ids[high.ID]); n != 1 {
			t.Errorf("%d requests recorded, want 1", n)
		}
	})
}
