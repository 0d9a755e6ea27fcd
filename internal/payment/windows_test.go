package payment_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/payment"
)

// windowMails reads the emails that told account of a new last day to pay.
func (e *env) windowMails(t *testing.T, account int64) []string {
	t.Helper()
	rows, err := e.d.R.Query(`SELECT body_text FROM messages WHERE account_id = $1 AND kind = 'payment_window_changed' ORDER BY id`,
		account)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// lastDayInFees is the last day "historique et paiement" shows the learner
// for enrolment id.
func (e *env) lastDayInFees(t *testing.T, l learner, id int64) time.Time {
	t.Helper()
	fees, err := e.pay.Fees(context.Background(), l.actor, l.account)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fees {
		if f.Enrolment.ID == id {
			return f.Enrolment.LastDay()
		}
	}
	t.Fatalf("enrolment %d not in the learner's fees", id)
	return time.Time{}
}

func TestWindow_PAY1_CON2_the_learner_is_told_of_their_extension(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		e.setNow(time.Date(en.PayUntil.Year(), en.PayUntil.Month(), en.PayUntil.Day(), 9, 0, 0, 0, domain.Paris()))
		until := en.PayUntil.AddDate(0, 0, 7)
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, en.ID, until, "attend sa paie"); err != nil {
			t.Fatal(err)
		}
		mails := e.windowMails(t, l.account)
		if len(mails) != 1 {
			t.Fatalf("%d emails of the extension, want 1", len(mails))
		}
		if !strings.Contains(mails[0], until.Format("02/01/2006")) || !strings.Contains(mails[0], payment.FeesPath) ||
			!strings.Contains(mails[0], "prolongé") {
			t.Fatalf("the email does not give the new last day and the page to pay on:\n%s", mails[0])
		}
		// "Historique et paiement" shows the new last day.
		if got := e.lastDayInFees(t, l, en.ID); !got.Equal(until) {
			t.Fatalf("the learner's page shows %s, want %s", got.Format(time.DateOnly), until.Format(time.DateOnly))
		}
		// The eve of the new last day reminds the fee, although the old
		// window's was reminded.
		e.exec(t, `UPDATE enrolments SET reminded_at = pay_until WHERE id = $1`, en.ID)
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, en.ID, until.AddDate(0, 0, 1), ""); err != nil {
			t.Fatal(err)
		}
		until = until.AddDate(0, 0, 1)
		e.setNow(time.Date(until.Year(), until.Month(), until.Day()-1, 9, 0, 0, 0, domain.Paris()))
		if n, err := e.pay.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("the eve of the new last day: %d reminded, %v; want 1", n, err)
		}
		if n := len(e.windowMails(t, l.account)); n != 2 {
			t.Fatalf("%d emails after two extensions, want 2", n)
		}
		// The same form sent twice changes nothing: no second email.
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, en.ID, until, "attend sa paie"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.windowMails(t, l.account)); n != 2 {
			t.Fatalf("%d emails after the same extension twice, want 2", n)
		}
		// A refused day tells nobody.
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, en.ID, until.AddDate(1, 0, 0), ""); refusalKey(err) != "payment.extend.day" {
			t.Fatalf("a day past the bound = %v", err)
		}
		if n := len(e.windowMails(t, l.account)); n != 2 {
			t.Fatalf("%d emails after a refused extension, want 2", n)
		}
	})
}

func TestWindow_PAY1_CON2_course_wide_extension_tells_each_learner_still_due(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 4, false)
		var ens []domain.Enrolment
		for _, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
			ens = append(ens, e.confirm(t, l))
		}
		due, paid, freed, later := 0, 1, 2, 3
		course, director := ls[due].course, ls[due].director
		for _, l := range ls {
			if l.course != course {
				t.Fatalf("learners on courses %d and %d, want one course", course, l.course)
			}
		}
		last := ens[due].PayUntil
		for _, en := range ens {
			if en.PayUntil.After(last) {
				last = en.PayUntil
			}
		}
		e.setNow(time.Date(last.Year(), last.Month(), last.Day(), 9, 0, 0, 0, domain.Paris()))
		until := last.AddDate(0, 0, 10)
		if _, err := e.pay.RecordDesk(ctx, director, course, ens[paid].ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: ens[paid].Fee.DueCents, ChequeNumber: "12", ChequeBank: "Banque", ChequeDrawer: "Tireur"}); err != nil {
			t.Fatal(err)
		}
		e.exec(t, `UPDATE enrolments SET state = 'freed' WHERE id = $1`, ens[freed].ID)
		// This learner was given more time than the course gets now.
		if err := e.pay.ExtendWindow(ctx, director, course, ens[later].ID, until.AddDate(0, 0, 5), ""); err != nil {
			t.Fatal(err)
		}
		before := len(e.windowMails(t, ls[later].account))

		if err := e.pay.ExtendWindow(ctx, director, course, 0, until, "grève des transports"); err != nil {
			t.Fatal(err)
		}
		mails := e.windowMails(t, ls[due].account)
		if len(mails) != 1 || !strings.Contains(mails[0], until.Format("02/01/2006")) || !strings.Contains(mails[0], payment.FeesPath) {
			t.Fatalf("the learner still due got %q, want one email with %s", mails, until.Format("02/01/2006"))
		}
		for _, who := range []int{paid, freed} {
			if n := len(e.windowMails(t, ls[who].account)); n != 0 {
				t.Fatalf("learner %d (paid or freed) got %d emails of the extension, want none", who, n)
			}
		}
		if n := len(e.windowMails(t, ls[later].account)); n != before {
			t.Fatalf("the learner whose own extension is later got %d more emails, want none (their last day is unchanged)", n-before)
		}
		if got := e.lastDayInFees(t, ls[due], ens[due].ID); !got.Equal(until) {
			t.Fatalf("the learner's page shows %s, want the course's %s", got.Format(time.DateOnly), until.Format(time.DateOnly))
		}
		if got := e.lastDayInFees(t, ls[later], ens[later].ID); !got.Equal(until.AddDate(0, 0, 5)) {
			t.Fatalf("the learner given more time shows %s, want their own later day", got.Format(time.DateOnly))
		}
		// Another establishment's director cannot extend the course.
		other := director
		other.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: ls[due].establishment + 1000}}
		if err := e.pay.ExtendWindow(ctx, other, course, 0, until, ""); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's course-wide extension = %v", err)
		}
	})
}

func TestUnpaid_PAY1_the_directors_queue_overdue_first_own_establishment_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 3, false)
		var ens []domain.Enrolment
		for _, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
			ens = append(ens, e.confirm(t, l))
		}
		l := ls[0]
		last := ens[0].PayUntil
		for _, en := range ens {
			if en.PayUntil.After(last) {
				last = en.PayUntil
			}
		}
		// The day after every window: learner 1 is given a week more,
		// learner 2 pays at the desk, learner 0 is overdue.
		now := time.Date(last.Year(), last.Month(), last.Day()+1, 9, 0, 0, 0, domain.Paris())
		e.setNow(now)
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, ens[1].ID, now.AddDate(0, 0, 7), ""); err != nil {
			t.Fatal(err)
		}
		e.exec(t, `UPDATE enrolments SET state = 'paid' WHERE id = $1`, ens[2].ID)

		position := func(q []payment.UnpaidFee, id int64) int {
			for i, f := range q {
				if f.Enrolment.ID == id {
					return i
				}
			}
			return -1
		}
		for _, who := range []domain.Actor{l.director, e.central} {
			q, err := e.pay.Unpaid(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			i0, i1, i2 := position(q, ens[0].ID), position(q, ens[1].ID), position(q, ens[2].ID)
			if i0 < 0 || i1 < 0 || i2 >= 0 || i0 > i1 {
				t.Fatalf("queue positions overdue %d, extended %d, paid %d: want overdue before extended, paid absent", i0, i1, i2)
			}
			if !q[i0].Overdue || q[i1].Overdue || q[i0].Course.ID != l.course || q[i0].LastName == "" {
				t.Fatalf("queue rows %+v, %+v", q[i0], q[i1])
			}
			for i, f := range q {
				if i > 0 && q[i-1].Overdue == f.Overdue && q[i-1].Enrolment.LastDay().After(f.Enrolment.LastDay()) {
					t.Fatalf("row %d's last day %s before row %d's %s", i, f.Enrolment.LastDay(), i-1, q[i-1].Enrolment.LastDay())
				}
				if i > 0 && !q[i-1].Overdue && f.Overdue {
					t.Fatalf("an overdue fee after one still in its window (row %d)", i)
				}
				if f.Enrolment.State != domain.EnrolmentDue {
					t.Fatalf("row %d is %s, want due only", i, f.Enrolment.State)
				}
				if who.Grants[0].Role == domain.RoleDirector && f.Course.EstablishmentID != l.establishment {
					t.Fatalf("the director sees a fee of establishment %d", f.Course.EstablishmentID)
				}
			}
		}
		// Another establishment's director sees none of these; a candidate
		// and a coordinator may not see the queue.
		other := l.director
		other.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: l.establishment + 1000}}
		if q, err := e.pay.Unpaid(ctx, other); err != nil || len(q) != 0 {
			t.Fatalf("another director's queue = %d rows, %v; want none", len(q), err)
		}
		coordinator := l.director
		coordinator.Grants = []domain.Grant{{Role: domain.RoleCoordinator, FormationID: 1}}
		for _, who := range []domain.Actor{l.actor, coordinator} {
			if _, err := e.pay.Unpaid(ctx, who); !errors.Is(err, payment.ErrForbidden) {
				t.Fatalf("Unpaid for %+v = %v, want forbidden", who.Grants, err)
			}
		}
	})
}
