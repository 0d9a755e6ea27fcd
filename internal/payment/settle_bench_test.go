package payment_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/payfip"
	"cma/internal/payment"
)

// TestSettleLatency_PAY1 measures, on PostgreSQL, how long the booking of a
// PayFiP notification takes when PayFiP answers the detail call after
// 50–200 ms, as PayFiP's service does, against the same bookings without
// the detail call (its result read beforehand), in the same run: 32
// notifications at a time.
// The target is a p99 under 300 ms. Run with CMA_BENCH_PAYFIP=1 and
// CMA_TEST_POSTGRES set (bench/README.md).
func TestSettleLatency_PAY1(t *testing.T) {
	if os.Getenv("CMA_BENCH_PAYFIP") == "" {
		t.Skip("set CMA_BENCH_PAYFIP=1 (with CMA_TEST_POSTGRES) to measure the settling of PayFiP notifications")
	}
	const n = 400
	e := newEnv(t, dbtest.Postgres(t))
	ctx := context.Background()
	e.sim.SetNotifyMode(payfip.NotifyNever)
	ls := e.learners(t, n, true)
	var idops []string
	for _, l := range ls {
		en := e.confirm(t, l)
		op, err := e.pay.PayOnline(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		idops = append(idops, op.IDOp)
	}
	// settle settles ids 32 at a time, each with book, and returns the
	// latencies' p50 and p99.
	settle := func(ids []string, book func(string) (payment.Settled, error)) (p50, p99 time.Duration) {
		var mu sync.Mutex
		var took []time.Duration
		work := make(chan string)
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for id := range work {
					start := time.Now()
					st, err := book(id)
					d := time.Since(start)
					if err != nil || st.State != domain.PayFiPPaid {
						t.Errorf("Settle(%s) = %v, %v", id, st.State, err)
					}
					mu.Lock()
					took = append(took, d)
					mu.Unlock()
				}
			})
		}
		for _, id := range ids {
			work <- id
		}
		close(work)
		wg.Wait()
		slices.Sort(took)
		return took[len(took)/2], took[len(took)*99/100]
	}
	half := len(idops) / 2
	// The baseline: the same bookings without the detail call, its result
	// read beforehand.
	details := map[string]payfip.Detail{}
	for _, id := range idops[:half] {
		d, err := e.pf.Detail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		details[id] = d
	}
	b50, b99 := settle(idops[:half], func(id string) (payment.Settled, error) { return e.pay.BookWithDetail(ctx, id, details[id]) })
	e.sim.SetDetailDelay(50*time.Millisecond, 200*time.Millisecond)
	d50, d99 := settle(idops[half:], func(id string) (payment.Settled, error) { return e.pay.Settle(ctx, id) })
	t.Logf("settling %d notifications, 32 at a time: booking without the detail call p50 %s p99 %s; with PayFiP's detail after 50–200 ms p50 %s p99 %s (p99 ratio %.2f)",
		half, b50.Round(time.Millisecond), b99.Round(time.Millisecond), d50.Round(time.Millisecond), d99.Round(time.Millisecond),
		float64(d99)/float64(b99))
	if n := e.count(t, `SELECT COUNT(*) FROM payments`); n != len(idops) {
		t.Fatalf("%d payments booked, want %d", n, len(idops))
	}
	if d99 > 300*time.Millisecond {
		t.Errorf("p99 %s with PayFiP's delay, want under 300 ms", d99)
	}
}
