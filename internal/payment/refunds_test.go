package payment_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/payment"
	"cma/internal/waitlist"
)

// SEL-6, REF-2: a course that does not open turns every payment made for it
// into a refund due, in full, to whoever paid (a third party's cheque to
// the third party); a fee still due is no longer asked; the cards stop
// opening the doors; closing twice refunds nothing twice. A learner who
// takes a seat elsewhere keeps the payment there (the refund cancelled, a
// new card) or, when nothing was paid, owes the same fee there with a
// window of their own.
func TestCourseNotOpened_SEL6_REF2_payments_become_refunds_due(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 3, false)
		third, self, unpaid := ls[0], ls[1], ls[2]
		course := third.course
		for _, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		}
		ens := map[int64]domain.Enrolment{}
		for _, l := range ls {
			ens[l.candidature] = e.confirm(t, l)
		}
		if _, err := e.pay.RecordDesk(ctx, third.director, course, ens[third.candidature].ID, domain.DeskPayment{Mode: domain.PayByCheque,
			AmountCents: ens[third.candidature].Fee.DueCents, ChequeNumber: "0042", ChequeBank: "La Banque Postale",
			ChequeDrawer: "Association Alpha", PayerName: "Association Alpha"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.pay.RecordDesk(ctx, self.director, course, ens[self.candidature].ID, domain.DeskPayment{Mode: domain.PayInCash,
			AmountCents: ens[self.candidature].Fee.DueCents}); err != nil {
			t.Fatal(err)
		}
		selfName := e.name(t, self.account)

		// The central service sets the session's minimum above the course's
		// three learners, from today, and closes it.
		today := e.now.In(domain.Paris())
		if err := e.wl.SetSessionOpening(ctx, e.central, e.session, waitlist.Opening{MinLearners: 10,
			DecisionOn: time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.wl.CloseCourse(ctx, e.central, course, "trois inscrits"); err != nil {
			t.Fatal(err)
		}
		refunds, err := e.pay.RefundsDue(ctx, e.central)
		if err != nil {
			t.Fatal(err)
		}
		byEnrolment := map[int64]domain.RefundDue{}
		for _, r := range refunds {
			byEnrolment[r.EnrolmentID] = r
		}
		if len(refunds) != 2 {
			t.Fatalf("SEL-6 %d refunds due, want the two payments: %+v", len(refunds), refunds)
		}
		for _, want := range []struct {
			l     learner
			payer string
		}{{third, "Association Alpha"}, {self, selfName}} {
			l, payer := want.l, want.payer
			r, ok := byEnrolment[ens[l.candidature].ID]
			if !ok || r.State != domain.RefundDueState || r.Reason != domain.RefundCourseNotOpened || r.PayerName != payer ||
				r.AmountCents != ens[l.candidature].Fee.DueCents || r.CourseID != course {
				t.Errorf("REF-2 the refund of %s's payment: %+v, want %d cents to %q", payer, r, ens[l.candidature].Fee.DueCents, payer)
			}
			if _, ok, _ := e.st.ValidCardOf(ctx, nil, ens[l.candidature].ID); ok {
				t.Errorf("the card of a course that did not open still opens the doors (%s)", payer)
			}
		}
		// The fee not paid is no longer asked.
		if en, _ := e.st.Enrolment(ctx, nil, ens[unpaid.candidature].ID); en.State != domain.EnrolmentFreed {
			t.Errorf("the unpaid fee is %s, want freed", en.State)
		}
		unpaidFees, err := e.pay.Unpaid(ctx, e.central)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range unpaidFees {
			if f.Enrolment.CandidatureID == unpaid.candidature {
				t.Error("the director's queue still asks the fee of a course that did not open")
			}
		}
		// The learner reads it in their space.
		fees, err := e.pay.Fees(ctx, third.actor, third.account)
		if err != nil || len(fees) != 1 || !fees[0].NotOpened || fees[0].Refund == nil || fees[0].Refund.PayerName != "Association Alpha" {
			t.Fatalf("the learner's fees: %+v, %v", fees, err)
		}
		// Closed again: nothing twice.
		if c, err := e.wl.CloseCourse(ctx, e.central, course, "encore"); err != nil || !c.Already {
			t.Fatalf("closed again: %+v, %v", c, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM refunds_due`); n != 2 {
			t.Fatalf("%d refunds due after closing twice", n)
		}
		// Who reads them: the establishment's director, the régisseur; not
		// another establishment's director, nor a trainer.
		if got, err := e.pay.RefundsDue(ctx, third.director); err != nil || len(got) != 2 {
			t.Errorf("the director reads %d refunds, %v", len(got), err)
		}
		regisseur := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleRegisseur}}}
		if got, err := e.pay.RefundsDue(ctx, regisseur); err != nil || len(got) != 2 {
			t.Errorf("the régisseur reads %d refunds, %v", len(got), err)
		}
		other := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: third.establishment + 1000}}}
		if got, err := e.pay.RefundsDue(ctx, other); err != nil || len(got) != 0 {
			t.Errorf("another establishment's director reads %d refunds, %v", len(got), err)
		}
		trainer := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: course}}}
		if _, err := e.pay.RefundsDue(ctx, trainer); !errors.Is(err, payment.ErrForbidden) {
			t.Errorf("a trainer reads the refunds: %v", err)
		}

		// Seats taken elsewhere (the offers of an equivalent course
		// accepted: the waiting lists tell payment in their transaction).
		elsewhere := e.otherCourse(t, course)
		for _, l := range []learner{self, unpaid} {
			if err := e.st.InTx(ctx, func(tx *sql.Tx) error { return e.pay.Moved(ctx, tx, l.candidature, elsewhere) }); err != nil {
				t.Fatal(err)
			}
		}
		refunds, _ = e.pay.RefundsDue(ctx, e.central)
		for _, r := range refunds {
			if r.EnrolmentID == ens[self.candidature].ID && r.State != domain.RefundCanceled {
				t.Errorf("PAY-3 the payment followed the learner but its refund is %s", r.State)
			}
			if r.EnrolmentID == ens[third.candidature].ID && r.State != domain.RefundDueState {
				t.Errorf("the third party's refund is %s, want still due", r.State)
			}
		}
		if card, ok, _ := e.st.ValidCardOf(ctx, nil, ens[self.candidature].ID); !ok || card.CourseID != elsewhere {
			t.Errorf("no new card in the course taken: %+v %v", card, ok)
		}
		reopened, _ := e.st.Enrolment(ctx, nil, ens[unpaid.candidature].ID)
		if reopened.State != domain.EnrolmentDue || reopened.CourseID != elsewhere ||
			reopened.Fee.DueCents != ens[unpaid.candidature].Fee.DueCents || reopened.PayUntil.Before(parisDate(e.now)) {
			t.Errorf("PAY-1 the fee not paid in the course taken: %+v", reopened)
		}
	})
}

// name is the account's "Prénom Nom".
func (e *env) name(t *testing.T, accountID int64) string {
	t.Helper()
	a, err := e.st.Account(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	return a.FirstName + " " + a.LastName
}

// otherCourse is another course of the demo's 2nd semester.
func (e *env) otherCourse(t *testing.T, not int64) int64 {
	t.Helper()
	ix, err := e.cat.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ix.All() {
		if k.SessionID == e.session && k.ID != not && !k.Remote {
			return k.ID
		}
	}
	t.Fatal("no other course in the 2nd semester")
	return 0
}

func parisDate(t time.Time) time.Time {
	y, m, d := t.In(domain.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// PAY-1, PAY-6: a learner who gives up their place (a désistement, not a
// refund: REF-1's go through the contact form) is no longer asked a fee
// still due, and a paid learner's card stops opening the doors; the
// payment stays.
func TestGiveUp_PAY1_PAY6_a_desistement_ends_the_fee_and_the_card(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, false)
		paid, due := ls[0], ls[1]
		for _, l := range ls {
			e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		}
		enPaid, enDue := e.confirm(t, paid), e.confirm(t, due)
		if _, err := e.pay.RecordDesk(ctx, paid.director, paid.course, enPaid.ID, domain.DeskPayment{Mode: domain.PayInCash,
			AmountCents: enPaid.Fee.DueCents}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.wl.GiveUp(ctx, paid.actor, paid.account, paid.candidature); err != nil {
			t.Fatal(err)
		}
		if _, err := e.wl.Withdraw(ctx, e.central, due.candidature, "a prévenu par téléphone"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.st.ValidCardOf(ctx, nil, enPaid.ID); ok {
			t.Error("PAY-6 the card of a learner who gave up still opens the doors")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM payments WHERE enrolment_id = $1`, enPaid.ID); n != 1 {
			t.Errorf("%d payments after a désistement, want the one kept", n)
		}
		if en, _ := e.st.Enrolment(ctx, nil, enDue.ID); en.State != domain.EnrolmentFreed {
			t.Errorf("PAY-1 the fee of a learner withdrawn is %s, want freed", en.State)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM refunds_due`); n != 0 {
			t.Errorf("%d refunds due after désistements, want none", n)
		}
	})
}

// PAY-7, PAY-4: an accepted candidate asks for an attestation of training
// cost before the establishment confirms the enrolment (a works council
// needs it before it pays): the fee the confirmation will fix, verifiable
// by its QR code; not while the half tariff is not checked; the same one
// once the enrolment is confirmed; nobody else's.
func TestCostAttestation_PAY7_once_accepted_before_the_enrolment_is_confirmed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		ls := e.learners(t, 2, false)
		l, other := ls[0], ls[1]
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = TRUE WHERE id = $1`, l.candidature)
		if _, err := e.pay.RequestCostAttestation(ctx, l.actor, l.candidature); refusalKey(err) != "payment.half_pending" {
			t.Fatalf("a cost attestation before the half tariff is checked = %v", err)
		}
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error {
			return e.st.SaveHalfTariffCheck(ctx, tx, domain.HalfTariffCheck{CandidatureID: l.candidature,
				Decision: domain.HalfTariffAccepted, CheckedBy: l.director.AccountID, CheckedAt: e.now})
		}); err != nil {
			t.Fatal(err)
		}
		expected, err := e.pay.ExpectedFees(ctx, l.actor, l.account)
		if err != nil || len(expected) != 1 || !expected[0].Fee.HalfTariff || expected[0].Cost != nil {
			t.Fatalf("the fee expected: %+v, %v", expected, err)
		}
		a, err := e.pay.RequestCostAttestation(ctx, l.actor, l.candidature)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.pay.RequestCostAttestation(ctx, l.actor, l.candidature)
		if err != nil || again.ID != a.ID {
			t.Fatalf("asked twice: %+v, %v", again, err)
		}
		doc, err := e.pay.OwnCostAttestation(ctx, l.actor, l.candidature)
		if err != nil || doc.AmountCents != expected[0].Fee.DueCents || !doc.HalfTariff || doc.QRPayload == "" {
			t.Fatalf("the attestation: %+v, %v", doc, err)
		}
		token := doc.QRPayload[strings.LastIndex(doc.QRPayload, "/")+1:]
		if check, err := e.pay.VerifyAttestation(ctx, token); err != nil || !check.Valid || check.Document.AmountCents != doc.AmountCents {
			t.Fatalf("its verification before the confirmation: %+v, %v", check, err)
		}
		if _, err := e.pay.OwnCostAttestation(ctx, other.actor, l.candidature); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("someone else's attestation = %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'attestation_ready'`, l.account); n != 1 {
			t.Fatalf("%d emails for the attestation, want 1", n)
		}
		// Confirmed: the same attestation, under the enrolment.
		en := e.confirm(t, l)
		asked, err := e.pay.Attestations(ctx, l.actor, en.ID)
		if err != nil || asked[payment.AttestCost].ID != a.ID {
			t.Fatalf("after the confirmation: %+v, %v", asked, err)
		}
		if expected, _ := e.pay.ExpectedFees(ctx, l.actor, l.account); len(expected) != 0 {
			t.Fatalf("still expected after the confirmation: %+v", expected)
		}
	})
}
