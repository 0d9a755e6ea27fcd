package domain

import (
	"testing"
	"time"
)

func meetings(minutes int, marks ...Mark) []MeetingRecord {
	day := time.Date(2026, 9, 21, 0, 0, 0, 0, time.UTC)
	var out []MeetingRecord
	for i, m := range marks {
		out = append(out, MeetingRecord{Day: day.AddDate(0, 0, 7*i), Minutes: minutes, Marked: true, Mark: m})
	}
	return out
}

// ATT-2: the rate is minutes present (late counts) over minutes held,
// rounded down; 75 % exactly reaches the threshold, 74.9 % does not.
func TestAttendanceRate_ATT2(t *testing.T) {
	a := ComputeAttendance(meetings(120, MarkPresent, MarkLate, MarkPresent, MarkAbsent), 0)
	if a.RateBP() != 7500 || !a.Reaches() {
		t.Fatalf("3 of 4 meetings (one late): rate %d bp, reaches %v; want 7500, true", a.RateBP(), a.Reaches())
	}
	// 899 minutes of 1199: 74.98 %, shown 74,9 %, not 75 %.
	r := meetings(150, MarkPresent, MarkPresent, MarkPresent, MarkPresent, MarkPresent, MarkAbsent, MarkExcused)
	r = append(r, MeetingRecord{Day: r[len(r)-1].Day.AddDate(0, 0, 7), Minutes: 149, Marked: true, Mark: MarkPresent})
	b := ComputeAttendance(r, 0)
	if b.HeldMinutes != 1199 || b.PresentMinutes != 899 || b.Reaches() || FormatRate(b.RateBP(), ",") != "74,9\u00a0%" {
		t.Fatalf("899 of 1199 minutes: %+v, rate %s, reaches %v; want 74,9 %% and not reached", b, FormatRate(b.RateBP(), ","), b.Reaches())
	}
	if (Attendance{}).Reaches() || (Attendance{}).RateBP() != 0 {
		t.Fatal("nothing held yet reaches 75 %")
	}
}

// ATT-2: cancelled meetings count for nobody; meetings taken before the
// learner joined (no mark) do not count for them.
func TestAttendanceCancelledAndBeforeJoining_ATT2(t *testing.T) {
	r := meetings(120, MarkPresent, MarkPresent, MarkPresent)
	r = append(r, MeetingRecord{Day: r[2].Day.AddDate(0, 0, 7), Minutes: 120, Cancelled: true},
		MeetingRecord{Day: r[0].Day.AddDate(0, 0, -7), Minutes: 120}) // before joining: taken, no mark
	a := ComputeAttendance(r, 0)
	if a.HeldMeetings != 3 || a.RateBP() != 10000 {
		t.Fatalf("3 meetings attended, 1 cancelled, 1 before joining: %+v, want 3 held at 100 %%", a)
	}
}

// ATT-2 (★): whether 75 % can still be reached if the learner comes to
// every meeting still to come.
func TestAttendanceReachable_ATT2(t *testing.T) {
	r := meetings(120, MarkAbsent, MarkAbsent, MarkPresent, MarkPresent) // 240 of 480
	if a := ComputeAttendance(r, 4*120); !a.Reachable() {
		t.Fatalf("240+480 of 960 = 75 %%: %+v should be reachable", a)
	}
	if a := ComputeAttendance(r, 3*120); a.Reachable() {
		t.Fatalf("240+360 of 840 < 75 %%: %+v should not be reachable", a)
	}
}

// ATT-3: three consecutive absences without a valid reason flag the
// learner; a justified absence breaks the streak. ATT-4: more than three
// consecutive absences whatever the reason allow an exclusion.
func TestConsecutiveAbsences_ATT3_ATT4(t *testing.T) {
	cases := []struct {
		name       string
		marks      []Mark
		flagged    bool
		mayExclude bool
	}{
		{"absent ×3", []Mark{MarkPresent, MarkAbsent, MarkAbsent, MarkAbsent}, true, false},
		{"unjustified, unjustified, justified, unjustified", []Mark{MarkAbsent, MarkAbsent, MarkExcused, MarkAbsent}, false, true},
		{"late breaks it", []Mark{MarkAbsent, MarkAbsent, MarkLate, MarkAbsent, MarkAbsent}, false, false},
		{"justified ×4", []Mark{MarkExcused, MarkExcused, MarkExcused, MarkExcused}, false, true},
		{"justified ×3", []Mark{MarkExcused, MarkExcused, MarkExcused}, false, false},
		{"absent ×3 then present", []Mark{MarkAbsent, MarkAbsent, MarkAbsent, MarkPresent}, true, false},
	}
	for _, c := range cases {
		a := ComputeAttendance(meetings(90, c.marks...), 0)
		if a.Flagged() != c.flagged || a.MayExclude() != c.mayExclude {
			t.Errorf("%s: flagged %v, may exclude %v; want %v, %v (%+v)", c.name, a.Flagged(), a.MayExclude(), c.flagged, c.mayExclude, a)
		}
	}
	a := ComputeAttendance(meetings(90, MarkPresent, MarkAbsent, MarkAbsent, MarkAbsent, MarkAbsent, MarkPresent), 0)
	start, end := time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC)
	if len(a.Streaks) != 1 || !a.Streaks[0].Start.Equal(start) || !a.Streaks[0].End.Equal(end) || a.Streaks[0].Length != 4 || a.Run != 0 {
		t.Fatalf("streaks %+v (current run %d), want one of 4 from %v to %v, and 0", a.Streaks, a.Run, start, end)
	}
}

// ROLE-2: a trainer keeps the registers of their own courses only; the
// director those of the establishment (ROLE-3); the central service every
// one (ROLE-5); a coordinator none (ROLE-4: placement, not registers).
func TestKeepRegister_ROLE2(t *testing.T) {
	own := Resource{CourseID: 7, EstablishmentID: 3, FormationID: 5}
	other := Resource{CourseID: 8, EstablishmentID: 4, FormationID: 5}
	staff := func(g Grant) Actor { return Actor{AccountID: 1, Kind: AccountStaff, Grants: []Grant{g}} }
	cases := []struct {
		name string
		a    Actor
		r    Resource
		want bool
	}{
		{"trainer, own course", staff(Grant{Role: RoleTrainer, CourseID: 7}), own, true},
		{"trainer, another course", staff(Grant{Role: RoleTrainer, CourseID: 7}), other, false},
		{"director, own establishment", staff(Grant{Role: RoleDirector, EstablishmentID: 3}), own, true},
		{"director, another", staff(Grant{Role: RoleDirector, EstablishmentID: 3}), other, false},
		{"coordinator", staff(Grant{Role: RoleCoordinator, FormationID: 5}), own, false},
		{"central", staff(Grant{Role: RoleCentral}), other, true},
		{"candidate", Actor{AccountID: 2, Kind: AccountCandidate}, own, false},
	}
	for _, c := range cases {
		if got := Can(c.a, ActKeepRegister, c.r); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// ATT-2, ROLE-3, ROLE-5: a course's attestations d'assiduité are read by the
// director of its establishment and the central service; not by its
// trainer, a coordinator or a learner (who reads their own through ROLE-1).
func TestAttendanceDocuments_ATT2_ROLE3(t *testing.T) {
	own := Resource{CourseID: 7, EstablishmentID: 3, FormationID: 5}
	other := Resource{CourseID: 8, EstablishmentID: 4, FormationID: 5}
	staff := func(g Grant) Actor { return Actor{AccountID: 1, Kind: AccountStaff, Grants: []Grant{g}} }
	for _, c := range []struct {
		name string
		a    Actor
		r    Resource
		want bool
	}{
		{"director, own establishment", staff(Grant{Role: RoleDirector, EstablishmentID: 3}), own, true},
		{"director, another", staff(Grant{Role: RoleDirector, EstablishmentID: 3}), other, false},
		{"central", staff(Grant{Role: RoleCentral}), other, true},
		{"trainer, own course", staff(Grant{Role: RoleTrainer, CourseID: 7}), own, false},
		{"coordinator", staff(Grant{Role: RoleCoordinator, FormationID: 5}), own, false},
		{"candidate", Actor{AccountID: 2, Kind: AccountCandidate}, own, false},
	} {
		if got := Can(c.a, ActAttendanceDocuments, c.r); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The period an attestation covers: the first and last meetings counted,
// cancelled ones and those without the learner's mark left out.
func TestAttendancePeriod_ATT2(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	a := ComputeAttendance([]MeetingRecord{
		{Day: day(1), Minutes: 120},
		{Day: day(5), Minutes: 120, Marked: true, Mark: MarkLate},
		{Day: day(8), Minutes: 90, Marked: true, Mark: MarkAbsent},
		{Day: day(12), Minutes: 120, Marked: true, Cancelled: true},
	}, 0)
	if !a.FirstHeld.Equal(day(5)) || !a.LastHeld.Equal(day(8)) || a.HeldMinutes != 210 || a.PresentMinutes != 120 {
		t.Errorf("period %v–%v, %d of %d minutes", a.FirstHeld, a.LastHeld, a.PresentMinutes, a.HeldMinutes)
	}
}
