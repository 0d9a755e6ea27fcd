package domain

import (
	"testing"
	"time"
)

func h(course, formation int64, wd time.Weekday, start, end int) Holding {
	return Holding{CourseID: course, FormationID: formation, CourseCode: "C" + string(rune('0'+course)),
		FormationTitle: "F" + string(rune('0'+formation)), Weekday: wd, StartMinute: start, EndMinute: end}
}

func rules(rs []Refusal) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

func TestCheckAddition_CAN1_CAN2_CAN3(t *testing.T) {
	mon18 := h(1, 1, time.Monday, 18*60, 20*60)
	tue18 := h(2, 2, time.Tuesday, 18*60, 20*60)
	wed18 := h(3, 3, time.Wednesday, 18*60, 20*60)
	for _, tc := range []struct {
		name string
		held []Holding
		c    Holding
		want []string
	}{
		{"CAN-1 a first course", nil, mon18, nil},
		{"CAN-1 a third formation is fine", []Holding{mon18, tue18}, wed18, nil},
		{"CAN-1 a fourth formation is refused", []Holding{mon18, tue18, wed18}, h(4, 4, time.Thursday, 18*60, 20*60), []string{"CAN-1"}},
		{"CAN-2 the same formation in another establishment", []Holding{mon18}, h(5, 1, time.Friday, 9*60, 11*60), []string{"CAN-2"}},
		{"CAN-2 the very same course", []Holding{mon18}, mon18, []string{"CAN-2"}},
		{"CAN-3 overlapping slot on the same weekday", []Holding{mon18}, h(6, 6, time.Monday, 19*60, 21*60), []string{"CAN-3"}},
		{"CAN-3 back to back is not a clash", []Holding{mon18}, h(7, 7, time.Monday, 20*60, 22*60), nil},
		{"CAN-3 same hours another day", []Holding{mon18}, h(8, 8, time.Thursday, 18*60, 20*60), nil},
		{"CAN-1 and CAN-3 together", []Holding{mon18, tue18, wed18}, h(9, 9, time.Monday, 18*60, 19*60), []string{"CAN-3", "CAN-1"}},
	} {
		got := rules(CheckAddition(tc.held, tc.c))
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

func TestCheckCandidate_ACC1_ACC2(t *testing.T) {
	start := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	adult := Account{Email: "a@exemple.fr", BirthDate: time.Date(2009, 2, 1, 0, 0, 0, 0, time.UTC)} // 18 on the first day
	minor := Account{Email: "b@exemple.fr", BirthDate: time.Date(2009, 2, 2, 0, 0, 0, 0, time.UTC)} // 18 the day after
	if r := CheckCandidate(adult, "C1", start); len(r) != 0 {
		t.Errorf("ACC-1 18 on the first day refused: %v", r)
	}
	if r := rules(CheckCandidate(minor, "C1", start)); len(r) != 1 || r[0] != "ACC-1" {
		t.Errorf("ACC-1 17 on the first day: %v", r)
	}
	if r := rules(CheckCandidate(Account{Email: "c@exemple.fr"}, "C1", start)); len(r) != 1 || r[0] != "ACC-1" {
		t.Errorf("ACC-1 unknown birth date: %v", r)
	}
	noMail := adult
	noMail.Email = ""
	if r := rules(CheckCandidate(noMail, "C1", start)); len(r) != 1 || r[0] != "ACC-2" {
		t.Errorf("ACC-2 no email: %v", r)
	}
}

func TestProofValid_CAN9(t *testing.T) {
	reg := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		issued time.Time
		ok     bool
	}{
		{time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 8, 28, 0, 0, 0, 0, time.UTC), true},  // 2 months 30 days
		{time.Date(2026, 8, 27, 0, 0, 0, 0, time.UTC), false}, // exactly 3 months
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), false}, // in the future
	} {
		if got := ProofValid(tc.issued, reg); got != tc.ok {
			t.Errorf("proof issued %s: %v", tc.issued.Format(time.DateOnly), got)
		}
	}
}

// TestCheckAddition_CAN1_counts_basket_and_validated: the refusal of a fourth
// formation counts what holds the three, so that the message says whether to
// empty the basket or cancel a candidature.
func TestCheckAddition_CAN1_counts_basket_and_validated(t *testing.T) {
	basket := func(x Holding) Holding { x.InBasket = true; return x }
	mon, tue, wed := h(1, 1, time.Monday, 18*60, 20*60), h(2, 2, time.Tuesday, 18*60, 20*60), h(3, 3, time.Wednesday, 18*60, 20*60)
	thu := h(4, 4, time.Thursday, 18*60, 20*60)
	for _, tc := range []struct {
		name              string
		held              []Holding
		basket, validated int
	}{
		{"all validated", []Holding{mon, tue, wed}, 0, 3},
		{"all in the basket", []Holding{basket(mon), basket(tue), basket(wed)}, 3, 0},
		{"two validated, one in the basket", []Holding{mon, tue, basket(wed)}, 1, 2},
	} {
		r := CheckAddition(tc.held, thu)
		if len(r) != 1 || r[0].Rule != "CAN-1" || r[0].Basket != tc.basket || r[0].Validated != tc.validated {
			t.Errorf("%s: %+v, want CAN-1 with %d in the basket and %d validated", tc.name, r, tc.basket, tc.validated)
		}
	}
}

// TestCheckAddition_CAN2_the_same_course_says_where_it_is: adding a course
// already held says whether it is in the basket or already validated.
func TestCheckAddition_CAN2_the_same_course_says_where_it_is(t *testing.T) {
	mon := h(1, 1, time.Monday, 18*60, 20*60)
	inBasket := mon
	inBasket.InBasket = true
	if r := CheckAddition([]Holding{inBasket}, mon); len(r) != 1 || r[0].Rule != "CAN-2" || r[0].Detail != RefusalInBasket {
		t.Errorf("course in the basket: %+v", r)
	}
	if r := CheckAddition([]Holding{mon}, mon); len(r) != 1 || r[0].Rule != "CAN-2" || r[0].Detail != RefusalValidated {
		t.Errorf("course validated: %+v", r)
	}
	other := h(5, 1, time.Friday, 9*60, 11*60) // same formation, another course: no detail
	if r := CheckAddition([]Holding{inBasket}, other); len(r) != 1 || r[0].Rule != "CAN-2" || r[0].Detail != "" {
		t.Errorf("same formation, other course: %+v", r)
	}
}
