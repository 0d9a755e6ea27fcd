package payfip_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"cma/internal/payfip"
)

// The simulator mounted under a prefix, and a client configured for it: what
// demo mode wires, with the platform's public URL instead of httptest's.
func ExampleSimulator() {
	sim := payfip.NewSimulator(payfip.SimulatorOptions{Prefix: "/dev/payfip", Numcli: "123456"})
	defer sim.Close()
	mux := http.NewServeMux()
	mux.Handle("/dev/payfip/", sim.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client, err := payfip.NewClient(payfip.Config{
		Endpoint:    srv.URL + "/dev/payfip/services/securite",
		PaymentPage: srv.URL + "/dev/payfip/paiement",
		Numcli:      "123456",
		Saisie:      "T",
	}, srv.Client())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	id, err := client.CreatePayment(ctx, payfip.CreateRequest{
		Exer: 2026, Mel: "leonie.martin@exemple.fr", Montant: 4500,
		Objet: payfip.SanitizeObjet("Cours d'anglais — niveau A1"), Refdet: "CMA2026D000123",
		URLNotif: srv.URL + "/paiement/notification", URLRedirect: srv.URL + "/paiement/retour",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.Detail(ctx, id)
	fmt.Println("before paying, not yet known:", payfip.IsNotYetKnown(err))
	_ = sim.Pay(ctx, id, payfip.ResultPaidCard)
	d, _ := client.Detail(ctx, id)
	fmt.Println(d.Resultrans, d.Paid(), d.Montant, d.Refdet, d.Objet)
	// Output:
	// before paying, not yet known: true
	// P true 4500 CMA2026D000123 Cours d anglais niveau A1
}
