package payfip

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkClient_Detail measures one detail call over loopback HTTP, the
// simulator answering at once.
func BenchmarkClient_Detail(b *testing.B) {
	f := newFixture(b, nil)
	id, err := f.client.CreatePayment(ctx, f.request("BENCH00001", 4500))
	if err != nil {
		b.Fatal(err)
	}
	_ = f.sim.Pay(ctx, id, ResultPaidCard)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.client.Detail(ctx, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkClient_Detail_slow has the simulator answer in 50–200 ms, as PayFiP
// under load, with 64 callers per CPU: the simulator must not serialise them.
func BenchmarkClient_Detail_slow(b *testing.B) {
	f := newFixture(b, nil)
	tr := f.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	client, err := NewClient(Config{Endpoint: f.srv.URL + testPrefix + "/services/securite",
		PaymentPage: f.srv.URL + testPrefix + "/paiement", Numcli: testNumcli, Saisie: "T"}, &http.Client{Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	id, _ := client.CreatePayment(ctx, f.request("BENCH00002", 4500))
	_ = f.sim.Pay(ctx, id, ResultPaidCard)
	f.sim.SetDetailDelay(50*time.Millisecond, 200*time.Millisecond)
	b.SetParallelism(64)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.Detail(ctx, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
