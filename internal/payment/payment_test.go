package payment_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/payfip"
	"cma/internal/payment"
	"cma/internal/selection"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// t0 is inside the demo's 2nd-semester candidature period, which closes 21
// days later; the selection is published 29 days later, before its classes.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// env is the demo city whose 2nd semester gets candidatures and a published
// selection, with the payment service, PayFiP's simulator behind a real
// HTTP server, and the platform's notification URL served.
type env struct {
	d       *db.DB
	st      *store.Store
	cat     *catalogue.Service
	cands   *candidature.Service
	accts   *accounts.Service
	sel     *selection.Service
	pay     *payment.Service
	wl      *waitlist.Service
	sim     *payfip.Simulator
	pf      *payfip.Client // the platform's client of the simulator
	mu      sync.Mutex
	now     time.Time
	central domain.Actor
	session int64
	n       int
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	paris := domain.Paris()
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: t0.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, st: st, now: t0}
	now := func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: t0.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	e.cat = catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, client, "cours.exemple")
	e.cands = candidature.New(st, e.cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "https://cours.exemple/mes-candidatures"}, now, paris)
	e.accts = accounts.New(st, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.sel = selection.New(selection.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: now, Paris: paris,
		PublicURL: "https://cours.exemple"})
	if e.session, err = st.SelectionSessionByCode(ctx, demo.SessionSemester2Code); err != nil {
		t.Fatal(err)
	}

	// The platform's side of PayFiP: the notification URL settles.
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.sim = payfip.NewSimulator(payfip.SimulatorOptions{Prefix: "/payfip", Numcli: "123456", Now: now})
	t.Cleanup(e.sim.Close)
	mux.Handle("/payfip/", e.sim.Handler())
	mux.HandleFunc("POST "+payment.NotificationPath, func(w http.ResponseWriter, r *http.Request) {
		if _, err := e.pay.Settle(r.Context(), payfip.NotificationIDOp(r)); err != nil && !errors.Is(err, payment.ErrNotFound) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	pf, err := payfip.NewClient(payfip.Config{Endpoint: srv.URL + "/payfip/services/securite", PaymentPage: srv.URL + "/payfip/paiement",
		Numcli: "123456", Saisie: "T"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	e.pf = pf
	// The waiting lists tell payment what app wires them to tell it.
	e.wl = waitlist.New(waitlist.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: now, PublicURL: srv.URL,
		Moved: func(ctx context.Context, tx *sql.Tx, cand, course int64) error {
			return e.pay.Moved(ctx, tx, cand, course)
		},
		Left: func(ctx context.Context, tx *sql.Tx, cand, by int64, why string) error {
			return e.pay.Left(ctx, tx, cand, by, why)
		},
		NotOpened: func(ctx context.Context, tx *sql.Tx, cand, by int64, why string) error {
			return e.pay.CourseNotOpened(ctx, tx, cand, by, why)
		}})
	wl := e.wl
	e.pay = payment.New(payment.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, PayFiP: pf, Waitlist: wl, Now: now,
		PublicURL: srv.URL, Log: slog.New(slog.DiscardHandler)})
	staff, _ := e.person(t)
	e.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	return e
}

func (e *env) setNow(t time.Time) { e.mu.Lock(); e.now = t; e.mu.Unlock() }

func (e *env) person(t *testing.T) (domain.Account, domain.Actor) {
	t.Helper()
	e.n++
	subject := "p" + string(rune('a'+e.n/26)) + string(rune('a'+e.n%26))
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom",
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

// learner is a candidature accepted by the published selection, not
// enrolled yet, with its learner and its establishment's director.
type learner struct {
	candidature, account, course, establishment int64
	actor                                       domain.Actor
	director                                    domain.Actor
}

// learners files n candidatures, one person each, on courses of the 2nd
// semester without a test (the first n such courses, one each, when
// distinct; else all on the first), publishes the selection, and returns
// those accepted.
func (e *env) learners(t *testing.T, n int, distinct bool) []learner {
	t.Helper()
	ctx := context.Background()
	ix, err := e.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var courses []*catalogue.Entry
	for _, k := range ix.All() {
		if k.SessionID == e.session && k.Session.CandidatureOpen(t0) && !k.Remote &&
			k.Formation.Evaluation == domain.EvaluationNone && k.PriceCents > 0 && (distinct || k.Capacity >= n) {
			courses = append(courses, k)
		}
	}
	// Distinct courses as far as they go, then around again, as many
	// learners in each as its seats allow.
	if distinct {
		courses = slices.DeleteFunc(courses, func(k *catalogue.Entry) bool { return k.Capacity < (n+len(courses)-1)/max(len(courses), 1) })
	}
	if len(courses) == 0 || distinct && len(courses) < min(n, 2) {
		t.Skipf("the demo's 2nd semester has %d courses without a test for %d learners", len(courses), n)
	}
	type filed struct {
		account domain.Account
		actor   domain.Actor
		course  *catalogue.Entry
	}
	var people []filed
	for i := range n {
		c := courses[0]
		if distinct {
			c = courses[i%len(courses)]
		}
		a, actor := e.person(t)
		if err := e.cands.Add(ctx, actor, a.ID, c.ID); err != nil {
			t.Fatalf("adding %s: %v", c.Code, err)
		}
		b, err := e.cands.ShowBasket(ctx, actor, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cands.Validate(ctx, actor, a.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
			AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
			t.Fatal(err)
		}
		people = append(people, filed{a, actor, c})
	}
	e.setNow(t0.Add(22 * 24 * time.Hour))
	run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
	if err != nil {
		t.Fatal(err)
	}
	e.setNow(t0.Add(29 * 24 * time.Hour))
	if _, err := e.sel.Publish(ctx, e.central, run.ID); err != nil {
		t.Fatal(err)
	}
	var out []learner
	for _, p := range people {
		list, err := e.st.Candidatures(ctx, nil, p.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if c.Status != domain.CandidatureAccepted {
				continue
			}
			staff, _ := e.person(t)
			out = append(out, learner{candidature: c.ID, account: p.account.ID, course: c.AcceptedCourseID,
				establishment: p.course.EstablishmentID, actor: p.actor,
				director: domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff,
					Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: p.course.EstablishmentID}}}})
		}
	}
	if len(out) < n {
		t.Fatalf("%d of %d candidatures accepted", len(out), n)
	}
	return out
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.d.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// confirm confirms l's enrolment and returns it.
func (e *env) confirm(t *testing.T, l learner) domain.Enrolment {
	t.Helper()
	ctx := context.Background()
	if _, err := e.pay.Confirm(ctx, l.director, l.course, []int64{l.candidature}); err != nil {
		t.Fatal(err)
	}
	en, ok, err := e.st.EnrolmentOf(ctx, nil, l.candidature)
	if err != nil || !ok {
		t.Fatalf("enrolment of %d: %v %v", l.candidature, ok, err)
	}
	return en
}

func refusalKey(err error) string {
	var r *payment.Refusal
	if errors.As(err, &r) {
		return r.Key
	}
	return ""
}

func TestConfirm_PAY1_PAY3_fee_due_once_with_its_window(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		var tariff int64
		if err := d.R.QueryRow(`SELECT price_cents FROM courses WHERE id = $1`, l.course).Scan(&tariff); err != nil {
			t.Fatal(err)
		}
		got, err := e.pay.Confirm(ctx, l.director, l.course, []int64{l.candidature})
		if err != nil || got.Confirmed != 1 {
			t.Fatalf("Confirm = %+v, %v", got, err)
		}
		// A form sent twice changes nothing.
		if again, err := e.pay.Confirm(ctx, l.director, l.course, []int64{l.candidature}); err != nil || again.Already != 1 || again.Confirmed != 0 {
			t.Fatalf("Confirm again = %+v, %v", again, err)
		}
		en, _, err := e.st.EnrolmentOf(ctx, nil, l.candidature)
		if err != nil {
			t.Fatal(err)
		}
		if en.State != domain.EnrolmentDue || en.Fee.DueCents != tariff || en.Fee.HalfTariff || en.Fee.Pending {
			t.Fatalf("enrolment = %+v, want due %d at full tariff", en, tariff)
		}
		// PAY-1: payable until the learner's own second meeting: the second
		// held on or after the day they joined.
		ix, err := e.cat.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		course, _ := ix.Course(l.course)
		var held []time.Time
		for _, m := range ix.Meetings(course, domain.Paris()) {
			if !m.Skipped && !m.Date.Before(en.JoinedOn) {
				held = append(held, m.Date)
			}
		}
		if len(held) < 2 || !en.PayUntil.Equal(held[1]) {
			t.Fatalf("joined %s, pay until %s; meetings held from then %v", en.JoinedOn.Format(time.DateOnly),
				en.PayUntil.Format(time.DateOnly), held[:min(len(held), 3)])
		}
		// PAY-3: a later change of the course's tariff does not change what is due.
		e.exec(t, `UPDATE courses SET price_cents = price_cents + 1000 WHERE id = $1`, l.course)
		if en2, _ := e.st.Enrolment(ctx, nil, en.ID); en2.Fee.DueCents != tariff {
			t.Fatalf("due after a tariff change = %d, want %d", en2.Fee.DueCents, tariff)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'enrolment_confirmed'`, l.account); n != 1 {
			t.Fatalf("%d confirmation emails, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND subject_account_id = $2`, domain.AuditEnrolmentConfirmed, l.account); n != 1 {
			t.Fatalf("%d audit lines, want 1", n)
		}
		// Another establishment's director may not confirm (ROLE-3).
		other := l.director
		other.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: l.establishment + 1000}}
		if _, err := e.pay.Confirm(ctx, other, l.course, []int64{l.candidature}); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's Confirm = %v, want forbidden", err)
		}
	})
}

func TestHalfTariff_CAN9_PAY5_checked_before_paying_never_after(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = TRUE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		if !en.Fee.Pending || en.Fee.DueCents != en.Fee.FullCents {
			t.Fatalf("fee before the check = %+v, want pending at full", en.Fee)
		}
		// Nobody pays before the amount is known.
		if _, err := e.pay.PayOnline(ctx, l.actor, en.ID); refusalKey(err) != "payment.half_pending" {
			t.Fatalf("PayOnline before the check = %v", err)
		}
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, false, ""); refusalKey(err) != "payment.halftariff.reason_required" {
			t.Fatalf("refusal without a reason = %v", err)
		}
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, true, ""); err != nil {
			t.Fatal(err)
		}
		en, _ = e.st.Enrolment(ctx, nil, en.ID)
		if en.Fee.Pending || !en.Fee.HalfTariff || en.Fee.DueCents != domain.HalfTariff(en.Fee.FullCents) {
			t.Fatalf("fee after acceptance = %+v", en.Fee)
		}
		if _, err := e.pay.RecordDesk(ctx, l.director, l.course, en.ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: en.Fee.DueCents, ChequeNumber: "1234567", ChequeBank: "Banque Postale", ChequeDrawer: "Ali Ben"}); err != nil {
			t.Fatal(err)
		}
		// PAY-5: no retroactive change once paid.
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, false, "justificatif périmé"); refusalKey(err) != "payment.halftariff.already_paid" {
			t.Fatalf("check after payment = %v", err)
		}
	})
}

func TestOnline_PAY1_notifications_replayed_and_raced_book_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.sim.SetNotifyMode(payfip.NotifyNever)
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)

		// A refused card first: nothing booked, a new attempt allowed.
		first, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Pay(ctx, first.IDOp, payfip.ResultRefusedCard); err != nil {
			t.Fatal(err)
		}
		if st, err := e.pay.Settle(ctx, first.IDOp); err != nil || st.State != domain.PayFiPRefused {
			t.Fatalf("Settle refused = %+v, %v", st, err)
		}
		second, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A second tab while the first attempt has no result: refused.
		if _, err := e.pay.PayOnline(ctx, l.actor, en.ID); refusalKey(err) != "payment.online.in_progress" {
			t.Fatalf("PayOnline during an attempt = %v", err)
		}
		if err := e.sim.Pay(ctx, second.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		// The notification replayed 100 times, raced by the browser's
		// return: one payment.
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				if _, err := e.pay.Settle(ctx, second.IDOp); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`:                                                     1,
			`SELECT COUNT(*) FROM ledger_entries WHERE payment_id IN (SELECT id FROM payments WHERE enrolment_id = $1)`: 1,
			`SELECT COUNT(*) FROM learner_cards WHERE enrolment_id = $1`:                                                1,
			`SELECT COUNT(*) FROM messages WHERE kind = 'payment_received' AND account_id =
				(SELECT account_id FROM enrolments WHERE id = $1)`: 1,
		} {
			if n := e.count(t, q, en.ID); n != want {
				t.Errorf("%s = %d, want %d", q, n, want)
			}
		}
		en, _ = e.st.Enrolment(ctx, nil, en.ID)
		if en.State != domain.EnrolmentPaid {
			t.Fatalf("enrolment %s, want paid", en.State)
		}
		if _, err := e.pay.PayOnline(ctx, l.actor, en.ID); refusalKey(err) != "payment.already_paid" {
			t.Fatalf("PayOnline once paid = %v", err)
		}
		// Another learner cannot pay this debt (ROLE-1).
		intruder := domain.Actor{AccountID: l.account + 1, Kind: domain.AccountCandidate}
		if _, err := e.pay.PayOnline(ctx, intruder, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's PayOnline = %v", err)
		}
	})
}

func TestOnline_PAY1_lost_notification_booked_by_reconciliation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.sim.SetNotifyMode(payfip.NotifyNever)
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		op, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		if asked, booked, err := e.pay.Reconcile(ctx); err != nil || asked != 0 || booked != 0 {
			t.Fatalf("Reconcile too early = %d, %d, %v", asked, booked, err)
		}
		e.setNow(e.now.Add(payment.ReconcileAge + time.Second))
		if asked, booked, err := e.pay.Reconcile(ctx); err != nil || asked != 1 || booked != 1 {
			t.Fatalf("Reconcile = %d asked, %d booked, %v; want 1, 1", asked, booked, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`, en.ID); n != 1 {
			t.Fatalf("%d payments, want 1", n)
		}
	})
}

func TestOnline_PAY1_amount_tampered_is_refused_and_flagged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.sim.SetNotifyMode(payfip.NotifyNever)
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		op, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		// What PayFiP was asked to charge differs from what we recorded:
		// the result does not match the debt.
		e.exec(t, `UPDATE payfip_operations SET amount_cents = amount_cents + 1 WHERE idop = $1`, op.IDOp)
		st, err := e.pay.Settle(ctx, op.IDOp)
		if err != nil || st.State != domain.PayFiPMismatch {
			t.Fatalf("Settle = %+v, %v; want mismatch", st, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`, en.ID); n != 0 {
			t.Fatalf("%d payments booked from a mismatch", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditPaymentMismatch); n != 1 {
			t.Fatalf("%d mismatch audit lines, want 1", n)
		}
	})
}

// PAY-1, PAY-5: the same person is charged the same. The half tariff is
// not decided while the learner may be paying the amount known before; and
// if the fee changed all the same during an attempt (the decision racing
// it), what PayFiP took books nothing and is flagged, the fee still due.
func TestOnline_PAY1_PAY5_the_fee_changed_during_an_attempt_books_nothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		e.sim.SetNotifyMode(payfip.NotifyNever)
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = TRUE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, false, "attestation CAF illisible"); err != nil {
			t.Fatal(err)
		}
		op, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, true, ""); refusalKey(err) != "payment.halftariff.attempt_pending" {
			t.Fatalf("a decision while the learner pays = %v, want refused", err)
		}
		// The decision raced the attempt: the fee is halved meanwhile.
		e.exec(t, `UPDATE enrolments SET due_cents = due_cents / 2, half_tariff = TRUE WHERE id = $1`, en.ID)
		if err := e.sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		st, err := e.pay.Settle(ctx, op.IDOp)
		if err != nil || st.State != domain.PayFiPMismatch || st.Booked {
			t.Fatalf("Settle = %+v, %v; want a mismatch, nothing booked", st, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`, en.ID); n != 0 {
			t.Fatalf("%d payments booked for an amount no longer due", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditPaymentMismatch); n != 1 {
			t.Fatalf("%d mismatch audit lines, want 1", n)
		}
		if now, _ := e.st.Enrolment(ctx, nil, en.ID); now.State != domain.EnrolmentDue {
			t.Fatalf("the fee is %s, want still due", now.State)
		}
		// Once the attempt has ended, the decision may be taken.
		if err := e.pay.CheckHalfTariff(ctx, l.director, l.course, l.candidature, true, ""); err != nil {
			t.Fatalf("the decision after the attempt = %v", err)
		}
	})
}

// ROLE-1, PAY-1: a learner cannot pay, see the card of, or give a link to
// someone else's debt; each attempt is refused and audited.
func TestOnline_ROLE1_another_persons_debt_refused_and_audited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, false)
		mine, theirs := ls[0], ls[1]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, theirs.candidature)
		en := e.confirm(t, theirs)
		if _, err := e.pay.PayOnline(ctx, mine.actor, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("paying another's debt = %v", err)
		}
		if _, err := e.pay.CreateLink(ctx, mine.actor, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("a link to another's debt = %v", err)
		}
		if _, err := e.pay.OwnCard(ctx, mine.actor, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another's card = %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_account_id = $2 AND subject_account_id = $3`,
			domain.AuditPaymentRefused, mine.account, theirs.account); n != 3 {
			t.Fatalf("%d refused requests audited, want 3", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payfip_operations WHERE enrolment_id = $1`, en.ID); n != 0 {
			t.Fatalf("%d PayFiP operations started on another's debt", n)
		}
	})
}

func TestDesk_PAY2_cash_up_to_300_by_the_establishments_director_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, true)
		for _, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		}
		e.exec(t, `UPDATE courses SET price_cents = 30000 WHERE id = $1`, ls[0].course)
		at300 := e.confirm(t, ls[0])
		e.exec(t, `UPDATE courses SET price_cents = 30001 WHERE id = $1`, ls[1].course)
		over := e.confirm(t, ls[1])

		cash := func(en domain.Enrolment, cents int64) domain.DeskPayment {
			return domain.DeskPayment{Mode: domain.PayInCash, AmountCents: cents}
		}
		// The central service has no desk; another director is not this one.
		if _, err := e.pay.RecordDesk(ctx, e.central, ls[0].course, at300.ID, cash(at300, 30000)); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("central's desk payment = %v", err)
		}
		// Exact change only.
		var fe domain.FieldErrors
		if _, err := e.pay.RecordDesk(ctx, ls[0].director, ls[0].course, at300.ID, cash(at300, 30500)); !errors.As(err, &fe) ||
			fe[0].Key != "payment.desk.cash_exact" {
			t.Fatalf("inexact cash = %v", err)
		}
		// Both refusals are in the audit trail (tampering: no desk form
		// offers either).
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditPaymentRefused); n != 2 {
			t.Fatalf("%d refused desk payments audited, want 2", n)
		}
		p, err := e.pay.RecordDesk(ctx, ls[0].director, ls[0].course, at300.ID, cash(at300, 30000))
		if err != nil || p.Mode != domain.PayInCash || p.AmountCents != 30000 || p.ReceiptNumber == "" {
			t.Fatalf("cash of 300.00 = %+v, %v", p, err)
		}
		// 300.01: cash refused, a cheque taken.
		if _, err := e.pay.RecordDesk(ctx, ls[1].director, ls[1].course, over.ID, cash(over, 30001)); !errors.As(err, &fe) ||
			fe[0].Key != "payment.desk.cash_over_limit" {
			t.Fatalf("cash of 300.01 = %v", err)
		}
		if _, err := e.pay.RecordDesk(ctx, ls[1].director, ls[1].course, over.ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: 30001, ChequeNumber: "0012345", ChequeBank: "Crédit Municipal", ChequeDrawer: "Comité d'entreprise Ratp",
			PayerName: "Comité d'entreprise RATP"}); err != nil {
			t.Fatal(err)
		}
		var payer string
		if err := d.R.QueryRow(`SELECT payer_name FROM payments WHERE enrolment_id = $1`, over.ID).Scan(&payer); err != nil ||
			payer != "Comité d'entreprise RATP" {
			t.Fatalf("payer %q, %v", payer, err)
		}
		// PAY-4: the régie's journal names the third party too.
		var label string
		if err := d.R.QueryRow(`SELECT l.label FROM ledger_entries l JOIN payments p ON p.id = l.payment_id WHERE p.enrolment_id = $1`,
			over.ID).Scan(&label); err != nil || !strings.Contains(label, "payé par Comité d'entreprise RATP") {
			t.Fatalf("the journal's line %q, %v", label, err)
		}
		// Every ledger total equals the sum of its entries, and each entry
		// is a payment's amount.
		if n := e.count(t, `SELECT COUNT(*) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id
			WHERE l.amount_cents <> p.amount_cents OR l.mode <> p.mode`); n != 0 {
			t.Fatalf("%d ledger entries differ from their payments", n)
		}
		// The journal is append-only, on both engines.
		if _, err := d.W.Exec(`UPDATE ledger_entries SET amount_cents = 1`); err == nil {
			t.Fatal("a ledger entry was updated")
		}
		if _, err := d.W.Exec(`DELETE FROM ledger_entries`); err == nil {
			t.Fatal("a ledger entry was deleted")
		}
	})
}

func TestCard_PAY6_scan_valid_reprint_revokes_forged_unknown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		if _, err := e.pay.RecordDesk(ctx, l.director, l.course, en.ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: en.Fee.DueCents, ChequeNumber: "42", ChequeBank: "BNP", ChequeDrawer: "Moi"}); err != nil {
			t.Fatal(err)
		}
		card, ok, err := e.st.ValidCardOf(ctx, nil, en.ID)
		if err != nil || !ok {
			t.Fatalf("card: %v %v", ok, err)
		}
		token, err := e.pay.CardToken(ctx, card.ID)
		if err != nil {
			t.Fatal(err)
		}
		scan := func(tok string) string {
			t.Helper()
			c, err := e.pay.ScanCard(ctx, l.director, tok)
			if err != nil {
				t.Fatal(err)
			}
			return c.Verdict
		}
		if v := scan(token); v != payment.CardValid {
			t.Fatalf("scan = %s, want valid", v)
		}
		if v := scan(token[:len(token)-2] + "AA"); v != payment.CardUnknown {
			t.Fatalf("forged scan = %s, want unknown", v)
		}
		if v := scan("n'importe quoi"); v != payment.CardUnknown {
			t.Fatalf("garbage scan = %s, want unknown", v)
		}
		dup, err := e.pay.Reprint(ctx, l.director, l.course, en.ID, "carte perdue")
		if err != nil || dup.Reprint != 1 {
			t.Fatalf("Reprint = %+v, %v", dup, err)
		}
		if v := scan(token); v != payment.CardRevoked {
			t.Fatalf("old card scan = %s, want revoked", v)
		}
		newToken, err := e.pay.CardToken(ctx, dup.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v := scan(newToken); v != payment.CardValid {
			t.Fatalf("new card scan = %s, want valid", v)
		}
		// A candidate cannot scan (the entrance's staff do).
		if _, err := e.pay.ScanCard(ctx, l.actor, newToken); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("a candidate's scan = %v", err)
		}
	})
}

func TestWindow_PAY1_extended_by_the_director_then_the_seat_freed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		// The day after the learner's last day: overdue, not payable.
		after := time.Date(en.PayUntil.Year(), en.PayUntil.Month(), en.PayUntil.Day()+1, 9, 0, 0, 0, domain.Paris())
		if err := e.pay.FreeUnpaid(ctx, l.director, l.course, en.ID, "jamais venu"); refusalKey(err) != "payment.free.not_overdue" {
			t.Fatalf("FreeUnpaid within the window = %v", err)
		}
		e.setNow(after)
		if _, err := e.pay.PayOnline(ctx, l.actor, en.ID); refusalKey(err) != "payment.window_passed" {
			t.Fatalf("PayOnline after the window = %v", err)
		}
		// The director gives a week more: payable again.
		until := after.AddDate(0, 0, 7)
		if err := e.pay.ExtendWindow(ctx, l.director, l.course, en.ID, until, "attend sa paie"); err != nil {
			t.Fatal(err)
		}
		if en2, _ := e.st.Enrolment(ctx, nil, en.ID); !en2.Payable(after) {
			t.Fatalf("not payable after the extension: %+v", en2)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditPaymentWindowExtended); n != 1 {
			t.Fatalf("%d extension audit lines, want 1", n)
		}
		// Still unpaid after it: the director frees the seat.
		e.setNow(until.AddDate(0, 0, 1))
		other := l.director
		other.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: l.establishment + 1000}}
		if err := e.pay.FreeUnpaid(ctx, other, l.course, en.ID, "x"); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's FreeUnpaid = %v", err)
		}
		if err := e.pay.FreeUnpaid(ctx, l.director, l.course, en.ID, "droits non payés après relance"); err != nil {
			t.Fatal(err)
		}
		var status string
		if err := d.R.QueryRow(`SELECT status FROM candidatures WHERE id = $1`, l.candidature).Scan(&status); err != nil ||
			status != string(domain.CandidatureGivenUp) {
			t.Fatalf("candidature %q, %v; want given up (désistement)", status, err)
		}
		if en3, _ := e.st.Enrolment(ctx, nil, en.ID); en3.State != domain.EnrolmentFreed {
			t.Fatalf("enrolment %s, want freed", en3.State)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND subject_account_id = $2`,
			domain.AuditEnrolmentFreed, l.account); n != 1 {
			t.Fatalf("%d freed audit lines, want 1", n)
		}
		if _, err := e.pay.RecordDesk(ctx, l.director, l.course, en.ID, domain.DeskPayment{Mode: domain.PayInCash,
			AmountCents: en.Fee.DueCents}); refusalKey(err) != "payment.freed" {
			t.Fatalf("a desk payment once freed = %v", err)
		}
	})
}

func TestMoved_PAY3_PAY6_a_learner_moved_keeps_the_payment_and_gets_a_new_card(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, true)
		l, other := ls[0], ls[1]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		if _, err := e.pay.RecordDesk(ctx, l.director, l.course, en.ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: en.Fee.DueCents, ChequeNumber: "77", ChequeBank: "BNP", ChequeDrawer: "Moi"}); err != nil {
			t.Fatal(err)
		}
		old, _, _ := e.st.ValidCardOf(ctx, nil, en.ID)
		oldToken, err := e.pay.CardToken(ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The waiting lists move the learner (a day change accepted) and tell
		// payment in their transaction.
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error { return e.pay.Moved(ctx, tx, l.candidature, other.course) }); err != nil {
			t.Fatal(err)
		}
		moved, _ := e.st.Enrolment(ctx, nil, en.ID)
		if moved.CourseID != other.course || moved.State != domain.EnrolmentPaid || moved.Fee.DueCents != en.Fee.DueCents {
			t.Fatalf("after the move: %+v", moved)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`, en.ID); n != 1 {
			t.Fatalf("%d payments after the move, want the one", n)
		}
		card, ok, _ := e.st.ValidCardOf(ctx, nil, en.ID)
		if !ok || card.ID == old.ID || card.CourseID != other.course || card.Reprint != 1 {
			t.Fatalf("the new card: %+v (old %+v)", card, old)
		}
		director := domain.Actor{AccountID: l.director.AccountID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
		if c, err := e.pay.ScanCard(ctx, director, oldToken); err != nil || c.Verdict != payment.CardRevoked {
			t.Fatalf("the old card scans %+v, %v; want revoked", c.Verdict, err)
		}
	})
}

func TestRemind_PAY1_once_on_the_eve_of_the_last_day(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		l := e.learners(t, 1, false)[0]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		en := e.confirm(t, l)
		at := func(daysBefore int) time.Time {
			return time.Date(en.PayUntil.Year(), en.PayUntil.Month(), en.PayUntil.Day()-daysBefore, 9, 0, 0, 0, domain.Paris())
		}
		e.setNow(at(2))
		if n, err := e.pay.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("two days before: %d reminded, %v", n, err)
		}
		e.setNow(at(1))
		if n, err := e.pay.Remind(ctx); err != nil || n != 1 {
			t.Fatalf("the eve: %d reminded, %v; want 1", n, err)
		}
		e.setNow(at(0))
		if n, err := e.pay.Remind(ctx); err != nil || n != 0 {
			t.Fatalf("the day after the reminder: %d reminded, %v; want none", n, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'payment_reminder'`, l.account); n != 1 {
			t.Fatalf("%d reminders kept, want 1", n)
		}
	})
}

func TestRemittance_PAY2_the_days_cheques_for_the_bank(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, false)
		var total int64
		for i, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
			en := e.confirm(t, l)
			mode := domain.PayByCheque
			if i == 1 {
				mode = domain.PayInCash
			}
			if _, err := e.pay.RecordDesk(ctx, l.director, l.course, en.ID, domain.DeskPayment{Mode: mode, AmountCents: en.Fee.DueCents,
				ChequeNumber: "555", ChequeBank: "Crédit Mutuel", ChequeDrawer: "Léa Roux"}); err != nil {
				t.Fatal(err)
			}
			if mode == domain.PayByCheque {
				total += en.Fee.DueCents
			}
		}
		l := ls[0]
		lines, err := e.pay.Remittance(ctx, l.director, l.establishment, e.now.In(domain.Paris()))
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 1 || lines[0].AmountCents != total || lines[0].Number != "555" || lines[0].Drawer != "Léa Roux" {
			t.Fatalf("the slip's lines: %+v, want the one cheque of %d", lines, total)
		}
		other := l.director
		other.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: l.establishment + 1000}}
		if _, err := e.pay.Remittance(ctx, other, l.establishment, e.now); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's slip = %v", err)
		}
	})
}
