package payment_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/payfip"
	"cma/internal/payment"
)

// paidByLink has a third party pay l's fee through a fresh link and
// returns the link's token.
func (e *env) paidByLink(t *testing.T, l learner, en domain.Enrolment, payer string) string {
	t.Helper()
	ctx := context.Background()
	nl, err := e.pay.CreateLink(ctx, l.actor, en.ID)
	if err != nil {
		t.Fatal(err)
	}
	started, err := e.pay.PayByLink(ctx, nl.Token, payer, "tiers@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.Pay(ctx, started.IDOp, payfip.ResultPaidCard); err != nil {
		t.Fatal(err)
	}
	if st, err := e.pay.Settle(ctx, started.IDOp); err != nil || st.State != domain.PayFiPPaid {
		t.Fatalf("Settle = %+v, %v", st, err)
	}
	return nl.Token
}

func fullTariff(t *testing.T, e *env, ls ...learner) {
	t.Helper()
	for _, l := range ls {
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
	}
}

func TestThirdParty_PAY4_link_pays_once_and_expires_with_the_window(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 4, true)
		fullTariff(t, e, ls...)
		l, other := ls[0], ls[1]
		en := e.confirm(t, l)

		// Someone else's fee: no link.
		if _, err := e.pay.CreateLink(ctx, other.actor, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's CreateLink = %v, want forbidden", err)
		}
		nl, err := e.pay.CreateLink(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(nl.Token) < 43 || !strings.HasSuffix(nl.URL, payment.LinkPath+nl.Token) {
			t.Fatalf("link %q at %q: want 256 bits in the address", nl.Token, nl.URL)
		}
		// Only the hash is kept.
		if n := e.count(t, `SELECT COUNT(*) FROM payment_links WHERE token_hash = $1`, nl.Token); n != 0 {
			t.Fatal("the token itself is stored")
		}
		v, err := e.pay.OpenLink(ctx, nl.Token)
		if err != nil {
			t.Fatal(err)
		}
		if v.AmountCents != en.Fee.DueCents || !strings.HasSuffix(v.Learner, "N.") || strings.Contains(v.Learner, "Nom") {
			t.Fatalf("link view = %q, %d; want the first name, the initial, %d", v.Learner, v.AmountCents, en.Fee.DueCents)
		}
		// A guessed token, or one a letter off: unknown.
		for _, guess := range []string{"", "x", nl.Token[:len(nl.Token)-1] + "A", strings.Repeat("A", 43)} {
			if guess == nl.Token {
				continue
			}
			if _, err := e.pay.OpenLink(ctx, guess); !errors.Is(err, payment.ErrNotFound) {
				t.Fatalf("OpenLink(%q) = %v, want not found", guess, err)
			}
		}
		// The payer's name is required, the email must suit PayFiP.
		var fields domain.FieldErrors
		if _, err := e.pay.PayByLink(ctx, nl.Token, "  ", "pas-une-adresse"); !errors.As(err, &fields) || len(fields) != 2 {
			t.Fatalf("PayByLink without a name = %v, want two field errors", err)
		}
		started, err := e.pay.PayByLink(ctx, nl.Token, "  CCAS   du 11e ", "ccas11@exemple.fr")
		if err != nil {
			t.Fatal(err)
		}
		op, err := e.st.PayFiPOperation(ctx, nil, started.IDOp)
		if err != nil {
			t.Fatal(err)
		}
		if op.AmountCents != en.Fee.DueCents || op.PayerName != "CCAS du 11e" || op.Mel != "ccas11@exemple.fr" || op.LinkID != nl.Link.ID {
			t.Fatalf("operation = %+v", op)
		}
		if err := e.sim.Pay(ctx, started.IDOp, payfip.ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		if st, err := e.pay.Settle(ctx, started.IDOp); err != nil || st.State != domain.PayFiPPaid {
			t.Fatalf("Settle = %+v, %v", st, err)
		}
		p, ok, err := e.st.PaymentOf(ctx, nil, en.ID)
		if err != nil || !ok || p.PayerName != "CCAS du 11e" || p.AccountID != l.account {
			t.Fatalf("payment = %+v, %v, %v", p, ok, err)
		}
		// The learner is told, with the payer.
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'payment_received'
			AND body_text LIKE '%Payé par : CCAS du 11e%'`, l.account); n != 1 {
			t.Fatalf("%d emails naming the payer, want 1", n)
		}
		// Replayed after use: refused, nothing started.
		if _, err := e.pay.OpenLink(ctx, nl.Token); refusalKey(err) != "payment.link.used" {
			t.Fatalf("OpenLink after use = %v", err)
		}
		if _, err := e.pay.PayByLink(ctx, nl.Token, "Autre", "autre@exemple.fr"); refusalKey(err) != "payment.link.used" {
			t.Fatalf("PayByLink after use = %v", err)
		}
		if _, err := e.pay.CreateLink(ctx, l.actor, en.ID); refusalKey(err) != "payment.already_paid" {
			t.Fatalf("CreateLink once paid = %v", err)
		}

		// A new link replaces the previous one; the window's end kills it.
		l2 := ls[2]
		en2 := e.confirm(t, l2)
		audited := e.count(t, `SELECT COUNT(*) FROM audit_events`)
		old, err := e.pay.CreateLink(ctx, l2.actor, en2.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := e.pay.CreateLink(ctx, l2.actor, en2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pay.PayByLink(ctx, old.Token, "Association", "asso@exemple.fr"); refusalKey(err) != "payment.link.replaced" {
			t.Fatalf("PayByLink on a replaced link = %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events`); n != audited {
			t.Fatalf("%d audit lines for making links: the learner's own act is not audited", n-audited)
		}
		if _, ok, err := e.pay.LiveLink(ctx, l2.actor, en2.ID); err != nil || !ok {
			t.Fatalf("LiveLink = %v, %v", ok, err)
		}
		saved := e.now
		e.setNow(en2.Deadline().End().Add(time.Minute))
		if _, err := e.pay.OpenLink(ctx, fresh.Token); refusalKey(err) != "payment.link.expired" {
			t.Fatalf("OpenLink after the window = %v", err)
		}
		if _, err := e.pay.PayByLink(ctx, fresh.Token, "Association", "asso@exemple.fr"); refusalKey(err) != "payment.link.expired" {
			t.Fatalf("PayByLink after the window = %v", err)
		}
		e.setNow(saved)

		// Paid at the desk meanwhile: the link is dead.
		l3 := ls[3]
		en3 := e.confirm(t, l3)
		desk, err := e.pay.CreateLink(ctx, l3.actor, en3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pay.RecordDesk(ctx, l3.director, l3.course, en3.ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: en3.Fee.DueCents, ChequeNumber: "1234567", ChequeBank: "Banque", ChequeDrawer: "Tireur"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.pay.PayByLink(ctx, desk.Token, "Association", "asso@exemple.fr"); refusalKey(err) != "payment.link.paid" {
			t.Fatalf("PayByLink once paid at the desk = %v", err)
		}
	})
}

func TestAttestation_PAY7_cost_before_payment_payment_after(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, true)
		fullTariff(t, e, ls...)
		l, other := ls[0], ls[1]
		en := e.confirm(t, l)

		if _, err := e.pay.RequestAttestation(ctx, l.actor, en.ID, payment.AttestPayment); refusalKey(err) != "attestation.payment.not_paid" {
			t.Fatalf("payment attestation before paying = %v", err)
		}
		if _, err := e.pay.RequestAttestation(ctx, other.actor, en.ID, payment.AttestCost); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's request = %v, want forbidden", err)
		}
		cost, err := e.pay.RequestAttestation(ctx, l.actor, en.ID, payment.AttestCost)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(cost.Number, "A20") || !strings.HasSuffix(cost.Number, "-C") {
			t.Fatalf("number %q", cost.Number)
		}
		again, err := e.pay.RequestAttestation(ctx, l.actor, en.ID, payment.AttestCost)
		if err != nil || again.ID != cost.ID || again.Number != cost.Number {
			t.Fatalf("asked twice = %+v, %v; want %+v", again, err, cost)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'attestation_ready'
			AND subject = 'Votre attestation est disponible'`, l.account); n != 1 {
			t.Fatalf("%d messages in the space, want 1 (CON-2)", n)
		}
		doc, err := e.pay.OwnAttestation(ctx, l.actor, en.ID, payment.AttestCost)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != documents.AttestationCost || doc.AmountCents != en.Fee.DueCents || !strings.Contains(doc.QRPayload, payment.VerifyPath) {
			t.Fatalf("cost attestation = %+v", doc)
		}
		pdf, err := documents.AttestationPDF(doc, e.now)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("AttestationPDF: %v", err)
		}
		if _, err := e.pay.OwnAttestation(ctx, other.actor, en.ID, payment.AttestCost); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's attestation = %v, want forbidden", err)
		}
		if _, err := e.pay.OwnAttestation(ctx, l.actor, en.ID, payment.AttestPayment); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("an attestation not asked for = %v, want not found", err)
		}
		token := doc.QRPayload[strings.LastIndex(doc.QRPayload, "/")+1:]
		if c, err := e.pay.VerifyAttestation(ctx, token); err != nil || !c.Valid || c.Document.Number != cost.Number {
			t.Fatalf("VerifyAttestation = %+v, %v", c, err)
		}
		// A token one character off, or a card's token: unknown.
		tampered := token[:len(token)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(token, "AA")]
		if c, err := e.pay.VerifyAttestation(ctx, tampered); err != nil || c.Valid {
			t.Fatalf("VerifyAttestation(tampered) = %+v, %v", c, err)
		}

		// Paid by a third party: the payment attestation names them; the
		// cost one is no longer offered.
		e.paidByLink(t, l, en, "Comité d'entreprise Exemple")
		if _, err := e.pay.RequestAttestation(ctx, other.actor, en.ID, payment.AttestPayment); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's request = %v, want forbidden", err)
		}
		paid, err := e.pay.RequestAttestation(ctx, l.actor, en.ID, payment.AttestPayment)
		if err != nil || !strings.HasSuffix(paid.Number, "-P") {
			t.Fatalf("payment attestation = %+v, %v", paid, err)
		}
		doc, err = e.pay.OwnAttestation(ctx, l.actor, en.ID, payment.AttestPayment)
		if err != nil || doc.PaidBy != "Comité d'entreprise Exemple" || doc.Mode != "carte bancaire" || doc.PaidOn == "" {
			t.Fatalf("payment attestation = %+v, %v", doc, err)
		}
		if _, err := documents.AttestationPDF(doc, e.now); err != nil {
			t.Fatal(err)
		}
		en2 := e.confirm(t, other)
		if _, err := e.pay.RequestAttestation(ctx, other.actor, en2.ID, payment.AttestCost); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attestations WHERE account_id = $1`, l.account); n != 2 {
			t.Fatalf("%d attestations of the learner, want 2 (one per kind)", n)
		}
	})
}

func TestReceipt_PAY2_served_to_the_director_and_the_learner_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, true)
		fullTariff(t, e, ls...)
		l, other := ls[0], ls[1]
		en := e.confirm(t, l)
		if _, err := e.pay.OwnReceipt(ctx, l.actor, en.ID); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("receipt before paying = %v, want not found", err)
		}
		e.paidByLink(t, l, en, "Association Exemple")

		r, err := e.pay.OwnReceipt(ctx, l.actor, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.PaidBy != "Association Exemple" || r.Mode != "carte bancaire" || r.ChequeNumber != "" || r.AmountCents != en.Fee.DueCents {
			t.Fatalf("receipt = %+v", r)
		}
		pdf, err := documents.ReceiptPDF(r, e.now)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("ReceiptPDF: %v", err)
		}
		if staff, err := e.pay.StaffReceipt(ctx, l.director, l.course, en.ID); err != nil || staff.Number != r.Number {
			t.Fatalf("the director's receipt = %+v, %v", staff, err)
		}
		if _, err := e.pay.StaffReceipt(ctx, e.central, l.course, en.ID); err != nil {
			t.Fatalf("the central service's receipt: %v", err)
		}
		if _, err := e.pay.OwnReceipt(ctx, other.actor, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another learner's receipt = %v, want forbidden", err)
		}
		foreign := l.director
		foreign.Grants = []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: l.establishment + 1000}}
		if _, err := e.pay.StaffReceipt(ctx, foreign, l.course, en.ID); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another establishment's director = %v, want forbidden", err)
		}
		// The enrolment asked through another course: not found.
		if _, err := e.pay.StaffReceipt(ctx, e.central, other.course, en.ID); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("through another course = %v, want not found", err)
		}
	})
}
