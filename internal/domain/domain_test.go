package domain

import (
	"strings"
	"testing"
	"time"
)

func TestCheckCapacity_CAT4(t *testing.T) {
	ordinary := Room{Name: "101"}
	lab := Room{Name: "Informatique", Workstations: 12}
	bigLab := Room{Name: "Informatique 2", Workstations: 20}
	workshop := Room{Name: "Atelier bois", Workstations: 10}
	for _, tc := range []struct {
		kind     FormationKind
		room     Room
		capacity int
		ok       bool
	}{
		{KindGeneral, ordinary, 20, true},
		{KindGeneral, ordinary, 25, true},
		{KindGeneral, ordinary, 26, false},
		{KindGeneral, ordinary, 0, false},
		{KindComputer, bigLab, 15, true},
		{KindComputer, bigLab, 16, false}, // 15 even with more workstations
		{KindComputer, lab, 13, false},    // one per workstation
		{KindComputer, lab, 12, true},
		{KindTechnical, workshop, 10, true},
		{KindTechnical, workshop, 11, false},
	} {
		err := CheckCapacity(tc.kind, tc.room, tc.capacity)
		if (err == nil) != tc.ok {
			t.Errorf("%s in %s with %d: err = %v", tc.kind, tc.room.Name, tc.capacity, err)
		}
	}
	if got := DefaultCapacity(KindGeneral, ordinary); got != 25 {
		t.Errorf("general default = %d", got)
	}
	if got := DefaultCapacity(KindComputer, lab); got != 12 {
		t.Errorf("computer default in a 12-post room = %d", got)
	}
	if got := DefaultCapacity(KindComputer, bigLab); got != 15 {
		t.Errorf("computer default in a 20-post room = %d", got)
	}
	if got := DefaultCapacity(KindTechnical, workshop); got != 10 {
		t.Errorf("technical default = %d", got)
	}
}

func TestSessionPeriods_PER1(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	s := Session{Code: "S", Name: "Session", Kind: SessionAnnual,
		FirstDay: time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2027, 6, 19, 0, 0, 0, 0, time.UTC),
		CandidatureOpens:  time.Date(2026, 9, 1, 10, 0, 0, 0, paris),
		CandidatureCloses: DeadlineOn(2026, time.September, 15),
		AnswerOpens:       time.Date(2026, 9, 20, 0, 0, 0, 0, paris),
		AnswerCloses:      DeadlineOn(2026, time.September, 26)}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		open bool
	}{
		{s.CandidatureOpens.Add(-time.Second), false},
		{s.CandidatureOpens, true},
		{time.Date(2026, 9, 15, 23, 59, 30, 0, paris), true}, // the whole closing day
		{time.Date(2026, 9, 16, 0, 0, 0, 0, paris), false},
	} {
		if got := s.CandidatureOpen(tc.now); got != tc.open {
			t.Errorf("open at %s = %v", tc.now, got)
		}
		if got := s.MayCancel(tc.now); got != (tc.open || tc.now.Before(s.CandidatureOpens)) {
			t.Errorf("CAN-5 may cancel at %s = %v", tc.now, got)
		}
	}
	breakers := map[string]func(*Session){
		"réponse":      func(s *Session) { s.AnswerOpens = s.CandidatureOpens },
		"réponse de":   func(s *Session) { s.AnswerCloses = DeadlineOf(s.AnswerOpens.AddDate(0, 0, -1)) },
		"candidature":  func(s *Session) { s.CandidatureCloses = DeadlineOf(s.CandidatureOpens.AddDate(0, 0, -1)) },
		"candidature ": func(s *Session) { s.CandidatureCloses = Deadline{} },
		"commencer":    func(s *Session) { s.LastDay = s.FirstDay.AddDate(0, 0, -1) },
		"type":         func(s *Session) { s.Kind = "weekly" },
	}
	for want, breakIt := range breakers {
		b := s
		breakIt(&b)
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("broken session (%s): err = %v", want, err)
		}
	}
}

func TestCourseValidate_CAT3(t *testing.T) {
	ok := Course{Code: "C", Weekday: time.Monday, StartMinute: 18 * 60, EndMinute: 20 * 60, Level: LevelAll, PriceCents: 100, ReducedCents: 50}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, breakIt := range map[string]func(*Course){
		"ends before it starts": func(c *Course) { c.EndMinute = c.StartMinute },
		"after midnight":        func(c *Course) { c.EndMinute = 25 * 60 },
		"half tariff above":     func(c *Course) { c.ReducedCents = 200 },
		"negative price":        func(c *Course) { c.PriceCents = -1 },
		"unknown level":         func(c *Course) { c.Level = "expert" },
		"bad weekday":           func(c *Course) { c.Weekday = 7 },
	} {
		c := ok
		breakIt(&c)
		if c.Validate() == nil {
			t.Errorf("%s accepted", name)
		}
	}
	full := Course{Capacity: 20, Enrolled: 22}
	if full.PlacesLeft() != 0 {
		t.Errorf("places left of an over-full course = %d", full.PlacesLeft())
	}
}

func TestSearchKey(t *testing.T) {
	for in, want := range map[string]string{
		"Œnologie — Café":           "oenologie cafe",
		"  ÉLÉMENTAIRE  ":           "elementaire",
		"Français langue étrangère": "francais langue etrangere",
		"CAP Petite-enfance (AEPE)": "cap petite enfance aepe",
		"":                          "",
	} {
		if got := SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlotOf(t *testing.T) {
	if SlotOf(9*60) != Morning || SlotOf(12*60) != Afternoon || SlotOf(17*60+59) != Afternoon || SlotOf(18*60) != Evening {
		t.Fatal("time-of-day boundaries wrong")
	}
	if FormatClock(18*60+5) != "18h05" || FormatClock(9*60) != "9h00" {
		t.Fatal("FormatClock")
	}
}
