package reliability

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db/dbtest"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/payfip"
	"cma/internal/payment"
)

// TestPayFiPNotificationsTwoInstancesAndAKill_PAY1 is the payment drill
// (issue 16): two `cma serve` instances on one PostgreSQL database, set up
// as in production against one PayFiP service (the simulator, served by the
// test process, configured with --payfip-endpoint…). About a hundred learners
// of a published 2nd semester have their enrolments confirmed and pay by
// card; PayFiP's notifications then arrive as a load balancer would spread
// them when PayFiP sends each several times: every one to both instances at
// once, some three times, in a shuffled order. Instance A is SIGKILLed in
// the middle of the burst, between notifications and bookings, and restarted;
// notifications sent only to A before the kill are lost with it. The
// reconciliation then asks PayFiP about every operation still pending.
//
// At the end every operation is paid, and each fee is booked exactly once:
// one payment, one journal entry, one learner card and one "Paiement reçu"
// email per enrolment, whatever the replays, the race and the kill.
func TestPayFiPNotificationsTwoInstancesAndAKill_PAY1(t *testing.T) {
	d, dbURL := dbtest.PostgresURL(t)
	ctx := context.Background()
	w, _, ppl := buildLists(t, d, 4, 30, 150, 0)

	// One PayFiP for everyone: the simulator, over real HTTP.
	sim := payfip.NewSimulator(payfip.SimulatorOptions{Prefix: "/payfip", Numcli: "123456", Now: w.now})
	t.Cleanup(sim.Close)
	sim.SetNotifyMode(payfip.NotifyNever) // the drill sends them itself
	mux := http.NewServeMux()
	mux.Handle("/payfip/", sim.Handler())
	payfipServer := httptest.NewServer(mux)
	t.Cleanup(payfipServer.Close)
	flags := []string{"--demo-now", wlServeAt.Format(time.RFC3339), "--demo-force",
		"--payfip-endpoint", payfipServer.URL + "/payfip/services/securite",
		"--payfip-payment-page", payfipServer.URL + "/payfip/paiement", "--payfip-numcli", "123456", "--payfip-saisie", "T"}
	a := startServerWith(t, "A", dbURL, flags...)
	b := startServerWith(t, "B", dbURL, flags...)

	// The test process confirms and pays, as the director and the learners
	// would through an instance.
	client, err := jobs.New(d, w.st, nil, jobs.Config{Now: w.now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := payfip.NewClient(payfip.Config{Endpoint: payfipServer.URL + "/payfip/services/securite",
		PaymentPage: payfipServer.URL + "/payfip/paiement", Numcli: "123456", Saisie: "T"}, payfipServer.Client())
	if err != nil {
		t.Fatal(err)
	}
	pay := payment.New(payment.Deps{Store: w.st, Catalogue: w.cat, Outbox: outbox.New(w.st, client, "cours.exemple"), Words: words,
		PayFiP: pf, Now: w.now, PublicURL: a.base})
	var idops []string
	byCourse := map[int64][]int64{}
	for _, p := range ppl {
		if st, _ := statusOf(ctx, d, p.cand); st == "accepted" {
			byCourse[p.course] = append(byCourse[p.course], p.cand)
		}
	}
	for course, cands := range byCourse {
		if _, err := pay.Confirm(ctx, w.central, course, cands); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range ppl {
		en, ok, err := w.st.EnrolmentOf(ctx, nil, p.cand)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || en.Fee.Pending {
			continue
		}
		op, err := pay.PayOnline(ctx, p.actor, en.ID)
		if err != nil {
			t.Fatalf("PayOnline for %d: %v", p.cand, err)
		}
		if err := sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		idops = append(idops, op.IDOp)
	}
	if len(idops) < 50 {
		t.Fatalf("only %d learners to pay", len(idops))
	}

	// The burst: every notification to both instances at once, a third of
	// them three times; the first fifth only to A, which is killed while
	// they are in flight.
	type note struct {
		to   *server
		idop string
	}
	var notes []note
	onlyA := len(idops) / 5
	for i, id := range idops {
		if i < onlyA {
			notes = append(notes, note{a, id})
			continue
		}
		times := 1 + 2*(i%3/2)
		for range times {
			notes = append(notes, note{a, id}, note{b, id})
		}
	}
	rnd := rand.New(rand.NewPCG(16, 1))
	rest := notes[onlyA:]
	rnd.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	httpc := &http.Client{Timeout: 30 * time.Second}
	send := func(n note) int {
		res, err := httpc.PostForm(n.to.base+payment.NotificationPath, url.Values{"idop": {n.idop}})
		if err != nil {
			return 0 // the instance died under it
		}
		res.Body.Close()
		return res.StatusCode
	}
	var wg sync.WaitGroup
	work := make(chan note)
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 16 {
		wg.Go(func() {
			for n := range work {
				st := send(n)
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		})
	}
	for i, n := range notes {
		if i == onlyA/2 {
			a.kill() // SIGKILL, with A's notifications in flight
			t.Logf("instance A killed after %d of %d notifications", i, len(notes))
		}
		work <- n
	}
	close(work)
	wg.Wait()
	t.Logf("notifications answered: %v", statuses)
	if statuses[http.StatusInternalServerError] > 0 {
		t.Errorf("%d notifications got a 500", statuses[http.StatusInternalServerError])
	}
	a = startServerWith(t, "A again", dbURL, flags...)
	if st := send(note{a, idops[0]}); st != http.StatusOK {
		t.Errorf("a notification replayed to the restarted A: %d", st)
	}

	// The notifications lost with A: reconciliation asks PayFiP about every
	// operation still pending (an instance's timer; here the test process's,
	// on a clock past ReconcileAge).
	pendingBefore := count(t, d, `SELECT COUNT(*) FROM payfip_operations WHERE state = 'pending'`)
	w.clock.Store(w.now().Add(payment.ReconcileAge + time.Minute).UnixNano())
	asked, booked, err := pay.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reconciliation: %d operations pending after the burst, %d asked, %d booked", pendingBefore, asked, booked)
	if pendingBefore == 0 {
		t.Log("no notification was lost with A this time: the reconciliation had nothing to do")
	}

	for q, want := range map[string]int64{
		`SELECT COUNT(*) FROM payfip_operations WHERE state <> 'paid'`:                                                        0,
		`SELECT COUNT(*) FROM payments`:                                                                                       int64(len(idops)),
		`SELECT COUNT(*) FROM (SELECT enrolment_id FROM payments GROUP BY enrolment_id HAVING COUNT(*) > 1) x`:                0,
		`SELECT COUNT(*) FROM ledger_entries`:                                                                                 int64(len(idops)),
		`SELECT COUNT(*) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id WHERE l.amount_cents <> p.amount_cents`: 0,
		`SELECT COUNT(*) FROM learner_cards`:                                                                                  int64(len(idops)),
		`SELECT COUNT(*) FROM enrolments WHERE state = 'paid'`:                                                                int64(len(idops)),
		`SELECT COUNT(*) FROM messages WHERE kind = 'payment_received'`:                                                       int64(len(idops)),
		`SELECT COUNT(*) FROM audit_events WHERE action = 'payment.mismatch'`:                                                 0,
	} {
		if got := count(t, d, q); got != want {
			t.Errorf("%s = %d, want %d", strings.Join(strings.Fields(q), " "), got, want)
		}
	}
}
