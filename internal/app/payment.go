package app

import (
	"log/slog"
	"net/http"
	"time"

	"cma/internal/config"
	"cma/internal/payfip"
)

// payfipSimulatorPath is where demo mode mounts PayFiP's simulator.
const payfipSimulatorPath = "/dev/payfip"

// payfipSimulatorNumcli is the contract number the demo's simulator knows.
const payfipSimulatorNumcli = "123456"

// onlinePayment returns the PayFiP client fees are paid online through
// (PAY-1): the real service when an endpoint is set; in demo mode without
// one, the simulator inside the binary, which it also returns to be mounted;
// neither otherwise, and then fees are paid at the desk only.
func onlinePayment(cfg *config.Config, publicURL string, now func() time.Time, log *slog.Logger) (*payfip.Client, *payfip.Simulator, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	switch {
	case cfg.PayFiPEndpoint != "":
		c, err := payfip.NewClient(cfg.PayFiP(), client)
		return c, nil, err
	case !cfg.Demo:
		return nil, nil, nil
	}
	sim := payfip.NewSimulator(payfip.SimulatorOptions{Prefix: payfipSimulatorPath, Numcli: payfipSimulatorNumcli, Now: now,
		Log: log.With("component", "payfip-simulator")})
	c, err := payfip.NewClient(payfip.Config{Endpoint: publicURL + payfipSimulatorPath + "/services/securite",
		PaymentPage: publicURL + payfipSimulatorPath + "/paiement", Numcli: payfipSimulatorNumcli, Saisie: "T"}, client)
	if err != nil {
		sim.Close()
		return nil, nil, err
	}
	return c, sim, nil
}
