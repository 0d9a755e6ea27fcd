package domain

import (
	"testing"
	"time"
)

func TestFeeFor_PAY5_CAN9_half_only_with_an_accepted_proof(t *testing.T) {
	for _, c := range []struct {
		claim    bool
		decision HalfTariffDecision
		due      int64
		half     bool
		pending  bool
	}{
		{false, HalfTariffUnchecked, 9001, false, false}, // a job seeker without those allowances pays full
		{true, HalfTariffUnchecked, 9001, false, true},   // "sous réserve de vérification"
		{true, HalfTariffAccepted, 4500, true, false},    // half, rounded down to the cent
		{true, HalfTariffRefused, 9001, false, false},
		{false, HalfTariffAccepted, 9001, false, false}, // no claim, no half tariff
	} {
		f := FeeFor(9001, c.claim, c.decision)
		if f.DueCents != c.due || f.HalfTariff != c.half || f.Pending != c.pending || f.FullCents != 9001 {
			t.Errorf("FeeFor(9001, %v, %q) = %+v", c.claim, c.decision, f)
		}
	}
}

func TestPayUntil_PAY1_PAY3_the_learners_own_second_meeting(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	// Mondays, with the Toussaint holidays skipped (Oct 19 and 26 not held).
	meetings := []time.Time{day(9, 14), day(9, 21), day(9, 28), day(10, 5), day(10, 12), day(11, 2), day(11, 9)}
	for _, c := range []struct {
		joined, want time.Time
	}{
		{day(9, 1), day(9, 21)},   // accepted before the start: first and second meetings
		{day(9, 14), day(9, 21)},  // joined on the first day
		{day(9, 16), day(9, 28)},  // accepted an offer in week 1: their own first is the 21st
		{day(10, 13), day(11, 9)}, // across the holidays
		{day(11, 5), day(11, 16)}, // only one meeting left: a week after it
		{day(12, 1), day(12, 8)},  // none left: a week from joining
	} {
		if got := PayUntil(meetings, c.joined); !got.Equal(c.want) {
			t.Errorf("PayUntil(joined %s) = %s, want %s", c.joined.Format(time.DateOnly), got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
	// The window is the end of that day, Paris time.
	en := Enrolment{State: EnrolmentDue, Fee: Fee{DueCents: 100}, PayUntil: day(9, 21)}
	if !en.Payable(time.Date(2026, 9, 21, 21, 59, 0, 0, time.UTC)) || en.Payable(time.Date(2026, 9, 21, 22, 0, 0, 0, time.UTC)) {
		t.Error("the window does not end at midnight, Paris time")
	}
	if !en.Overdue(time.Date(2026, 9, 22, 8, 0, 0, 0, time.UTC)) {
		t.Error("not overdue the day after")
	}
	en.ExtendedUntil = day(9, 30)
	if !en.Payable(time.Date(2026, 9, 29, 8, 0, 0, 0, time.UTC)) {
		t.Error("the director's extension is not honoured")
	}
}

func TestCheckDeskPayment_PAY2_cash_at_most_300_exact_cheque_complete(t *testing.T) {
	key := func(errs []FieldError) string {
		if len(errs) == 0 {
			return ""
		}
		return errs[0].Key
	}
	for _, c := range []struct {
		p    DeskPayment
		due  int64
		want string
	}{
		{DeskPayment{Mode: PayInCash, AmountCents: 30000}, 30000, ""},
		{DeskPayment{Mode: PayInCash, AmountCents: 30001}, 30001, "payment.desk.cash_over_limit"},
		{DeskPayment{Mode: PayInCash, AmountCents: 30000}, 29999, "payment.desk.cash_exact"},
		{DeskPayment{Mode: PayByCheque, AmountCents: 30001, ChequeNumber: "123", ChequeBank: "B", ChequeDrawer: "D"}, 30001, ""},
		{DeskPayment{Mode: PayByCheque, AmountCents: 30001, ChequeBank: "B", ChequeDrawer: "D"}, 30001, "payment.desk.cheque_number_required"},
		{DeskPayment{Mode: PayByCheque, AmountCents: 30001, ChequeNumber: "12a", ChequeBank: "B", ChequeDrawer: "D"}, 30001, "payment.desk.cheque_number_invalid"},
		{DeskPayment{Mode: PayByCheque, AmountCents: 100, ChequeNumber: "1", ChequeBank: "B", ChequeDrawer: "D"}, 30001, "payment.desk.amount_not_due"},
		{DeskPayment{Mode: PayByCard, AmountCents: 100}, 100, "payment.desk.mode_required"},
	} {
		if got := key(CheckDeskPayment(c.p, c.due)); got != c.want {
			t.Errorf("CheckDeskPayment(%+v, %d) = %q, want %q", c.p, c.due, got, c.want)
		}
	}
}

func TestPermissions_PAY2_ROLE3_ROLE5_desk_is_the_establishments_director(t *testing.T) {
	director := Actor{AccountID: 1, Kind: AccountStaff, Grants: []Grant{{Role: RoleDirector, EstablishmentID: 7}}}
	central := Actor{AccountID: 2, Kind: AccountStaff, Grants: []Grant{{Role: RoleCentral}}}
	own, other := Resource{EstablishmentID: 7, CourseID: 1}, Resource{EstablishmentID: 8, CourseID: 2}
	for _, c := range []struct {
		a    Actor
		act  Action
		r    Resource
		want bool
	}{
		{director, ActRecordDeskPayment, own, true},
		{director, ActRecordDeskPayment, other, false},
		{central, ActRecordDeskPayment, own, false}, // no desk, no cash
		{director, ActConfirmEnrolment, own, true},
		{director, ActConfirmEnrolment, other, false},
		{central, ActConfirmEnrolment, other, true},
		{director, ActScanCard, other, true},
	} {
		if got := Can(c.a, c.act, c.r); got != c.want {
			t.Errorf("Can(%v, %s, %+v) = %v, want %v", c.a.Grants, c.act, c.r, got, c.want)
		}
	}
}

func TestDebtReference_is_a_valid_refdet(t *testing.T) {
	r := DebtReference(2026, 123)
	if len(r) < 6 || len(r) > 30 {
		t.Fatalf("%q: length %d", r, len(r))
	}
	for _, c := range r {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			t.Fatalf("%q: %q is not alphanumeric", r, c)
		}
	}
}
