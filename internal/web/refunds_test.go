package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
)

// REF-2, SEL-6 over HTTP: a course that did not open lists its payments as
// refunds due to their payers for the central service and the course's
// director, and each learner's "historique et paiement" says what follows:
// refunded in full to whoever paid, or nothing to pay.
func TestRefundsDue_REF2_SEL6_listed_and_told_in_the_space(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		ctx := context.Background()
		central := site.session(t, site.central(t))
		if res, body := site.page(t, refundsDuePath, central); res.StatusCode != http.StatusOK || !strings.Contains(body, "Aucun remboursement dû.") {
			t.Fatalf("the empty list: %d\n%s", res.StatusCode, body)
		}

		e, learners, director := site.enrolledCourse(t)
		byThird, byLearner, unpaid := learners[0], learners[1], learners[2]
		for i, l := range []int64{byThird.CandidatureID, byLearner.CandidatureID} {
			en, _, err := site.st.EnrolmentOf(ctx, nil, l)
			if err != nil {
				t.Fatal(err)
			}
			p := domain.DeskPayment{Mode: domain.PayByCheque, AmountCents: en.Fee.DueCents, ChequeNumber: "0099", ChequeBank: "Banque",
				ChequeDrawer: "Association Bêta", PayerName: "Association Bêta"}
			if i == 1 {
				p = domain.DeskPayment{Mode: domain.PayByCheque, AmountCents: en.Fee.DueCents, ChequeNumber: "0100", ChequeBank: "Banque",
					ChequeDrawer: byLearner.FirstName}
			}
			if _, err := site.pay.RecordDesk(ctx, accounts.ActorOf(director), e.ID, en.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		// The course closed, as the waiting lists' closing does it, with
		// payment told in the same transaction.
		if err := site.st.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := site.st.CloseCourse(ctx, tx, e.ID, inputToday, director.ID, "trop peu d'inscrits"); err != nil {
				return err
			}
			for _, l := range learners {
				if err := site.pay.CourseNotOpened(ctx, tx, l.CandidatureID, director.ID, "cours non ouvert ("+e.Code+")"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		for _, who := range []*http.Cookie{central, site.session(t, director)} {
			res, body := site.page(t, refundsDuePath, who)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 remboursements dus") || !strings.Contains(body, "Association Bêta") ||
				!strings.Contains(body, byLearner.FirstName+" "+byLearner.LastName) || !strings.Contains(body, "Cours non ouvert") ||
				strings.Count(body, e.Code) < 2 {
				t.Fatalf("the refunds due: %d\n%s", res.StatusCode, body)
			}
		}
		if _, body := site.page(t, "/back-office", central); !strings.Contains(body, `href="`+refundsDuePath+`"`) {
			t.Fatalf("the back office does not link the refunds due")
		}
		if res, _ := site.page(t, refundsDuePath, site.session(t, site.candidate(t, "remb-1"))); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a candidate's list: %d, want 403", res.StatusCode)
		}

		space := func(l int64) string {
			t.Helper()
			acc, err := site.st.Account(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			res, body := site.page(t, feesPath, site.session(t, acc))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("fees page: %d", res.StatusCode)
			}
			return body
		}
		if body := space(byThird.AccountID); !strings.Contains(body, "Le cours n'a pas ouvert : les") ||
			!strings.Contains(body, "remboursés en totalité à Association Bêta") {
			t.Fatalf("the third party's learner's space:\n%s", body)
		}
		if body := space(unpaid.AccountID); !strings.Contains(body, "Le cours n'a pas ouvert : il n'y a rien à payer.") {
			t.Fatalf("the unpaid learner's space:\n%s", body)
		}
	})
}

// CAN-9 over HTTP: a learner whose half-tariff proof was refused reads why
// on "historique et paiement", not only in the email.
func TestFees_CAN9_the_half_tariff_refusal_and_its_reason(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		ctx := context.Background()
		e, learners, director := site.enrolledCourse(t)
		l := learners[0]
		if _, err := d.W.Exec(`UPDATE candidatures SET half_tariff_claim = TRUE WHERE id = $1`, l.CandidatureID); err != nil {
			t.Fatal(err)
		}
		if err := site.pay.CheckHalfTariff(ctx, accounts.ActorOf(director), e.ID, l.CandidatureID, false,
			"attestation de la CAF de plus de trois mois"); err != nil {
			t.Fatal(err)
		}
		acc, err := site.st.Account(ctx, l.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		res, body := site.page(t, feesPath, site.session(t, acc))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Demi-tarif refusé") ||
			!strings.Contains(body, "attestation de la CAF de plus de trois mois") {
			t.Fatalf("the fees page: %d\n%s", res.StatusCode, body)
		}
	})
}

// PAY-7 over HTTP: an accepted candidate, not confirmed yet, reads on
// "historique et paiement" what the fee will be, asks for the attestation
// of training cost, and reads it as a page and a PDF.
func TestCostAttestation_PAY7_asked_once_accepted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		ctx := context.Background()
		var e *catalogue.Entry
		for _, k := range site.ix.All() {
			if k.Session.Code == demo.SessionSemester2Code && k.Session.CandidatureOpen(inputToday) && !k.Remote && k.PriceCents > 0 {
				e = k
				break
			}
		}
		if e == nil {
			t.Skip("no course of the 2nd semester open to candidatures")
		}
		acc := site.candidate(t, "cout-1")
		actor := accounts.ActorOf(acc)
		if err := site.srv.Candidatures.Add(ctx, actor, acc.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		b, err := site.srv.Candidatures.ShowBasket(ctx, actor, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := site.srv.Candidatures.Validate(ctx, actor, acc.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
			AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
			t.Fatal(err)
		}
		var cand int64
		if err := d.W.QueryRow(`UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id, half_tariff_claim = FALSE
			WHERE account_id = $1 RETURNING id`, acc.ID).Scan(&cand); err != nil {
			t.Fatal(err)
		}
		cookie := site.session(t, acc)
		res, body := site.page(t, feesPath, cookie)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Candidature retenue") || !strings.Contains(body, expectedPath(cand)) {
			t.Fatalf("the fees page of an accepted candidate: %d\n%s", res.StatusCode, body)
		}
		if res, _ := site.post(t, expectedPath(cand), url.Values{}, cookie); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("asking the attestation: %d", res.StatusCode)
		}
		if res, body := site.page(t, expectedPath(cand), cookie); res.StatusCode != http.StatusOK ||
			!strings.Contains(body, "Attestation de coût de formation") || !strings.Contains(body, "ni un devis ni une facture") {
			t.Fatalf("the attestation's page: %d\n%s", res.StatusCode, body)
		}
		if res, body := site.get(t, expectedPath(cand)+".pdf", cookie); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("the attestation's PDF: %d", res.StatusCode)
		}
		if res, _ := site.get(t, expectedPath(cand), site.session(t, site.candidate(t, "cout-2"))); res.StatusCode != http.StatusForbidden {
			t.Fatalf("someone else's attestation: %d, want 403", res.StatusCode)
		}
	})
}
