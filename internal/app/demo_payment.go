package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/payfip"
	"cma/internal/payment"
	"cma/internal/store"
)

// demoPaidCourses is how many annual courses of the director persona's
// establishment the demo takes through enrolment and payment: enough to
// show every state, few enough to keep the demo's start quick.
const demoPaidCourses = 10

// demoPayments gives the demo's annual session its first weeks of fees
// (PAY-1..6, CAN-9), on a clock set to them: in a few courses of the
// director persona's establishment, every accepted learner's enrolment
// confirmed on the first evening, half-tariff proofs checked (one refused),
// and the fees paid by card through a PayFiP simulator of its own, by
// cheque, in cash, by a works council's cheque, by a social worker through
// the learner's link, or not at all (overdue on the real clock). The personas pay through the demo's own simulator, live:
// Inès Moreau, walked on `--demo-now 2026-09-20T10:00:00+02:00`, accepts the
// seat offered to her, the central service confirms her enrolment, and she
// pays.
func demoPayments(ctx context.Context, st *store.Store, cat *catalogue.Service, deps payment.Deps) error {
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	director, err := st.StaffByEmail(ctx, nil, demoDirectorEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var est int64
	for _, e := range ix.Establishments {
		if strings.Contains(e.Name, "Voltaire") {
			est = e.ID
		}
	}
	actor := domain.Actor{AccountID: director.ID, Kind: domain.AccountStaff,
		Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: est}}}

	// The demo's card payments go through a simulator of their own, on the
	// demo's clock, reached in process.
	var day time.Time
	clock := func() time.Time { return day }
	sim := payfip.NewSimulator(payfip.SimulatorOptions{Prefix: payfipSimulatorPath, Numcli: payfipSimulatorNumcli, Now: clock})
	defer sim.Close()
	sim.SetNotifyMode(payfip.NotifyNever)
	client, err := payfip.NewClient(payfip.Config{Endpoint: "http://demo" + payfipSimulatorPath + "/services/securite",
		PaymentPage: "http://demo" + payfipSimulatorPath + "/paiement", Numcli: payfipSimulatorNumcli, Saisie: "T"},
		&http.Client{Transport: inProcess{sim.Handler()}})
	if err != nil {
		return err
	}
	deps.Now, deps.PayFiP = clock, client
	pay := payment.New(deps)

	done, n := 0, 0 // courses taken, learners seen (the way each pays turns with n)
	for _, e := range ix.All() {
		if done == demoPaidCourses {
			break
		}
		if e.EstablishmentID != est || e.Session.Code != demo.SessionAnnualCode || e.FirstClass.IsZero() || e.PriceCents == 0 {
			continue
		}
		learners, err := st.CourseLearners(ctx, e.ID)
		if err != nil {
			return err
		}
		if len(learners) == 0 {
			continue
		}
		fc := e.FirstClass
		day = time.Date(fc.Year(), fc.Month(), fc.Day(), 20, 30, 0, 0, domain.Paris())
		for i, l := range learners {
			if l.HalfTariffClaim {
				accept := (n+i)%4 != 1
				why := ""
				if !accept {
					why = "attestation de plus de trois mois à la date de la candidature"
				}
				if err := pay.CheckHalfTariff(ctx, actor, e.ID, l.CandidatureID, accept, why); err != nil {
					return fmt.Errorf("demo half tariff in %s: %w", e.Code, err)
				}
			}
		}
		ids := make([]int64, len(learners))
		for i, l := range learners {
			ids[i] = l.CandidatureID
		}
		if _, err := pay.Confirm(ctx, actor, e.ID, ids); err != nil {
			return fmt.Errorf("demo enrolments in %s: %w", e.Code, err)
		}
		for _, l := range learners {
			day = time.Date(fc.Year(), fc.Month(), fc.Day()+1+n%5, 18, 10+n%40, 0, 0, domain.Paris())
			if err := demoPay(ctx, st, pay, sim, actor, e, l, n); err != nil {
				return fmt.Errorf("demo payment in %s: %w", e.Code, err)
			}
			n++
		}
		done++
	}
	return nil
}

// demoPay pays learner l's fee one way or another, by their rank i: by card
// online, by cheque, in cash (when at most 300 EUR), by a works council's
// cheque, by a social worker's card through the learner's link, or not at
// all.
func demoPay(ctx context.Context, st *store.Store, pay *payment.Service, sim *payfip.Simulator, actor domain.Actor,
	e *catalogue.Entry, l store.CourseLearner, i int) error {
	en, ok, err := st.EnrolmentOf(ctx, nil, l.CandidatureID)
	if err != nil || !ok || en.Fee.Pending {
		return err
	}
	cheque := domain.DeskPayment{Mode: domain.PayByCheque, AmountCents: en.Fee.DueCents, ChequeNumber: fmt.Sprintf("%07d", 4100000+en.ID),
		ChequeBank: "La Banque Postale", ChequeDrawer: l.FirstName + " " + l.LastName}
	switch i % 6 {
	case 3: // a social worker pays by card through the learner's link (PAY-4)
		learner := domain.Actor{AccountID: l.AccountID, Kind: domain.AccountCandidate}
		link, err := pay.CreateLink(ctx, learner, en.ID)
		if err != nil {
			return err
		}
		op, err := pay.PayByLink(ctx, link.Token, "Service social du 20e — M. Lefèbvre", "service.social.20@exemple.fr")
		if err != nil {
			return err
		}
		if err := sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
			return err
		}
		_, err = pay.Settle(ctx, op.IDOp)
		return err
	case 0: // by card, the first attempt refused
		learner := domain.Actor{AccountID: l.AccountID, Kind: domain.AccountCandidate}
		for _, result := range []string{payfip.ResultRefusedCard, payfip.ResultPaidCard} {
			op, err := pay.PayOnline(ctx, learner, en.ID)
			if err != nil {
				return err
			}
			if err := sim.Pay(ctx, op.IDOp, result); err != nil {
				return err
			}
			if _, err := pay.Settle(ctx, op.IDOp); err != nil {
				return err
			}
		}
	case 1:
		_, err = pay.RecordDesk(ctx, actor, e.ID, en.ID, cheque)
	case 2:
		if en.Fee.DueCents > domain.CashLimitCents {
			_, err = pay.RecordDesk(ctx, actor, e.ID, en.ID, cheque)
		} else {
			_, err = pay.RecordDesk(ctx, actor, e.ID, en.ID, domain.DeskPayment{Mode: domain.PayInCash, AmountCents: en.Fee.DueCents})
		}
	case 4: // a third party: the works council's cheque (PAY-4)
		cheque.ChequeDrawer, cheque.PayerName = "CSE Transports parisiens", "CSE Transports parisiens"
		_, err = pay.RecordDesk(ctx, actor, e.ID, en.ID, cheque)
	}
	return err
}

// inProcess is an HTTP transport that serves requests with a handler, in
// the same process: the demo's seeding talks to its PayFiP simulator so.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
