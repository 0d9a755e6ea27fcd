package attendance_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"cma/internal/attendance"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

func (e *env) status(t *testing.T, cand int64) domain.CandidatureStatus {
	t.Helper()
	var st string
	if err := e.d.R.QueryRow(`SELECT status FROM candidatures WHERE id = $1`, cand).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return domain.CandidatureStatus(st)
}

func (e *env) flagOf(t *testing.T, cand int64) attendance.FlagRef {
	t.Helper()
	var day string
	if err := e.d.R.QueryRow(`SELECT CAST(streak_start AS TEXT) FROM attendance_flags WHERE candidature_id = $1`, cand).Scan(&day); err != nil {
		t.Fatalf("the flag of candidature %d: %v", cand, err)
	}
	start, err := time.Parse(time.DateOnly, day[:10])
	if err != nil {
		t.Fatal(err)
	}
	return attendance.FlagRef{CandidatureID: cand, CourseID: e.course.ID, Start: start}
}

// enrol records candidature cand's enrolment in the course in state, with a
// learner card when paid (PAY-1, PAY-6).
func (e *env) enrol(t *testing.T, cand int64, state domain.EnrolmentState) {
	t.Helper()
	var account, by int64
	if err := e.d.R.QueryRow(`SELECT account_id, (SELECT MIN(id) FROM accounts) FROM candidatures WHERE id = $1`, cand).Scan(&account, &by); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO enrolments (id, candidature_id, account_id, course_id, full_cents, due_cents, half_tariff, joined_on, pay_until,
		state, confirmed_at, confirmed_by) VALUES ($1, $1, $2, $3, 20000, 20000, FALSE, '2026-09-28', '2026-10-12', $4,
		'2026-09-28T10:00:00.000000Z', $5)`, cand, account, e.course.ID, string(state), by)
	if state == domain.EnrolmentPaid {
		e.exec(t, `INSERT INTO learner_cards (enrolment_id, course_id, number, issued_at) VALUES ($1, $2, $3, '2026-10-01T10:00:00.000000Z')`,
			cand, e.course.ID, "T-"+strconv.FormatInt(cand, 10))
	}
}

func (e *env) messages(t *testing.T, cand int64, kind string) int {
	t.Helper()
	return e.count(t, `SELECT COUNT(*) FROM messages m JOIN candidatures c ON c.account_id = m.account_id
		WHERE c.id = $1 AND m.kind = $2`, cand, kind)
}

// wait puts candidature cand back on the course's waiting list, first, and
// makes the course full, so that a seat freed goes to it.
func (e *env) wait(t *testing.T, cand int64) {
	t.Helper()
	var session, by int64
	if err := e.d.R.QueryRow(`SELECT c.session_id, (SELECT MIN(id) FROM accounts) FROM courses c WHERE c.id = $1`, e.course.ID).
		Scan(&session, &by); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO selection_runs (id, session_id, pass, status, seed, started_by, started_at, heartbeat_at)
		VALUES (9000, $1, 'main', 'published', 's', $2, '2026-09-01T10:00:00.000000Z', '2026-09-01T10:00:00.000000Z')`, session, by)
	e.exec(t, `UPDATE candidatures SET status = 'waiting', accepted_course_id = NULL WHERE id = $1`, cand)
	e.exec(t, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES ($1, $2, 1, 9000)`, e.course.ID, cand)
	accepted := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE accepted_course_id = $1 AND status = 'accepted'`, e.course.ID)
	e.exec(t, `UPDATE courses SET capacity = $1 WHERE id = $2`, accepted, e.course.ID)
	e.learners = slices.DeleteFunc(e.learners, func(c int64) bool { return c == cand })
}

// ATT-3, ROLE-5: "absent, absent, justified, absent" is not reported and
// cannot be struck off; three in a row are, and only the central service
// strikes off, with a motive: the candidature ends struck off, its marks
// stay, it leaves the registers to come, the decision is recorded, audited
// and told by email and in the space (CON-2); the same decision again does
// nothing twice. Once "en manque de place" has passed (SEL-4) the seat
// freed goes to nobody.
func TestStrikeOff_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		a, b, w := e.learners[0], e.learners[1], e.learners[len(e.learners)-1]
		e.wait(t, w)
		e.save(t, 0, "x0", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		e.save(t, 1, "x1", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		e.save(t, 2, "x2", map[int64]domain.Mark{a: domain.MarkExcused, b: domain.MarkAbsent})
		e.save(t, 3, "x3", map[int64]domain.Mark{a: domain.MarkAbsent})
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_flags WHERE candidature_id = $1`, a); n != 0 {
			t.Fatalf("u, u, j, u reported %d times, want 0", n)
		}
		central := e.staff(t, domain.Grant{Role: domain.RoleCentral})
		director := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID})
		_, err := e.svc.StrikeOff(ctx, central, attendance.FlagRef{CandidatureID: a, CourseID: e.course.ID, Start: e.days[0]}, "absences")
		if !errors.Is(err, attendance.ErrNotFound) {
			t.Fatalf("u, u, j, u struck off: %v, want not found (no report)", err)
		}
		e.enrol(t, b, domain.EnrolmentPaid)
		ref := e.flagOf(t, b)
		for _, who := range []domain.Actor{e.trainer, director} {
			if _, err := e.svc.StrikeOff(ctx, who, ref, "absences"); !errors.Is(err, attendance.ErrForbidden) {
				t.Fatalf("ROLE-5 a trainer or a director strikes off: %v", err)
			}
			if _, err := e.svc.Flags(ctx, who); !errors.Is(err, attendance.ErrForbidden) {
				t.Fatalf("ROLE-5 a trainer or a director reads the queue: %v", err)
			}
		}
		flags, err := e.svc.Flags(ctx, central)
		if err != nil || len(flags) != 1 || flags[0].CandidatureID != b || !flags[0].Stands || len(flags[0].Days) != 3 {
			t.Fatalf("the queue: %+v, %v; want b's report standing, with its 3 days", flags, err)
		}
		_, err = e.svc.StrikeOff(ctx, central, ref, "  ")
		refusedWith(t, err, "attendance.decision.reason")
		dec, err := e.svc.StrikeOff(ctx, central, ref, "aucune nouvelle malgré deux relances")
		if err != nil || dec.Already {
			t.Fatalf("strike off: %+v, %v", dec, err)
		}
		if dec.Offered != 0 || e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1`, w) != 0 {
			t.Fatalf("SEL-4 lists closed: the seat went to %d", dec.Offered)
		}
		if st := e.status(t, b); st != domain.CandidatureStruckOff {
			t.Fatalf("status %s, want struck_off", st)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks WHERE candidature_id = $1`, b); n != 4 {
			t.Fatalf("%d marks kept, want 4", n)
		}
		// No refund: the fee stays paid; the card no longer opens the doors (PAY-6).
		if n := e.count(t, `SELECT COUNT(*) FROM enrolments WHERE candidature_id = $1 AND state = 'paid'`, b); n != 1 {
			t.Fatal("the enrolment struck off is no longer paid")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM learner_cards WHERE enrolment_id = $1 AND revoked_at IS NULL`, b); n != 0 {
			t.Fatal("the learner card of a learner struck off is still valid")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_flags WHERE candidature_id = $1 AND decision = 'struck_off'
			AND reason = 'aucune nouvelle malgré deux relances' AND decided_by = $2`, b, central.AccountID); n != 1 {
			t.Fatalf("the decision recorded %d times, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_account_id = $2`, domain.AuditStruckOff,
			central.AccountID); n != 1 {
			t.Fatalf("%d strike-offs audited, want 1", n)
		}
		if n := e.messages(t, b, "attendance_struck_off"); n != 1 {
			t.Fatalf("the learner told %d times (email and space), want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_email'`); n == 0 {
			t.Fatal("no email queued")
		}
		again, err := e.svc.StrikeOff(ctx, central, ref, "aucune nouvelle malgré deux relances")
		if err != nil || !again.Already {
			t.Fatalf("a second strike-off: %+v, %v, want already", again, err)
		}
		if n := e.messages(t, b, "attendance_struck_off"); n != 1 {
			t.Fatalf("after a second strike-off the learner was told %d times, want 1", n)
		}
		if flags, _ := e.svc.Flags(ctx, central); len(flags) != 0 {
			t.Fatalf("the queue after the decision: %+v", flags)
		}
		// The registers to come no longer list the learner; past ones do.
		future := e.days[len(e.days)-1]
		reg, err := e.svc.Register(ctx, e.trainer, e.course.ID, future)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reg.Rows {
			if r.CandidatureID == b && !r.Marked {
				t.Fatalf("the learner struck off is on a register not taken yet")
			}
		}
		if l := e.learner(t, b); l.InCourse || l.Attendance.HeldMeetings != 4 {
			t.Fatalf("the learner struck off on the registers: %+v", l)
		}
		own, err := e.svc.Own(ctx, domain.Actor{AccountID: l(e, t, b), Kind: domain.AccountCandidate}, l(e, t, b))
		if err != nil || len(own) != 1 || own[0].Status != domain.CandidatureStruckOff || own[0].Ended == nil ||
			own[0].Ended.Reason != "aucune nouvelle malgré deux relances" {
			t.Fatalf("mon parcours: %+v, %v", own, err)
		}
	})
}

// l is the account of candidature cand.
func l(e *env, t *testing.T, cand int64) int64 {
	t.Helper()
	var id int64
	if err := e.d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, cand).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// ATT-3, SEL-4: a seat freed by a strike-off while the waiting lists are
// open is offered at once to the first waiting candidature.
func TestStrikeOffOffersTheSeat_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// A course whose first three meetings come before the lists close.
		e := newEnv(t, d, func(c *catalogue.Entry) bool {
			return !c.FirstClass.IsZero() && c.FirstClass.Before(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		})
		ctx := context.Background()
		if len(e.learners) < 3 {
			t.Skip("the course has too few candidatures")
		}
		b, w := e.learners[0], e.learners[len(e.learners)-1]
		e.wait(t, w)
		e.at = time.Date(e.days[2].Year(), e.days[2].Month(), e.days[2].Day(), 21, 0, 0, 0, time.UTC)
		if domain.ListsClosed(e.course.FirstClass, e.at) {
			t.Fatalf("the lists close before the third meeting (%v)", e.days[2])
		}
		for i := range 3 {
			e.save(t, i, "o"+string(rune('0'+i)), map[int64]domain.Mark{b: domain.MarkAbsent})
		}
		central := e.staff(t, domain.Grant{Role: domain.RoleCentral})
		dec, err := e.svc.StrikeOff(ctx, central, e.flagOf(t, b), "absences répétées")
		if err != nil || dec.Offered != 1 {
			t.Fatalf("strike off: %+v, %v; want the seat offered once", dec, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_offers WHERE candidature_id = $1 AND state = 'pending' AND freed_by = $2`,
			w, domain.FreedStruckOff); n != 1 {
			t.Fatalf("the first waiting candidature has %d offers, want 1", n)
		}
	})
}

// ATT-3: a correction that justifies one of the streak's absences before
// the strike-off is decided makes it refused.
func TestStrikeOffAfterCorrection_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		b := e.learners[0]
		for i := range 3 {
			e.save(t, i, "c"+string(rune('0'+i)), map[int64]domain.Mark{b: domain.MarkAbsent})
		}
		ref := e.flagOf(t, b)
		e.save(t, 1, "c1bis", map[int64]domain.Mark{b: domain.MarkExcused})
		central := e.staff(t, domain.Grant{Role: domain.RoleCentral})
		if flags, err := e.svc.Flags(context.Background(), central); err != nil || len(flags) != 1 || flags[0].Stands {
			t.Fatalf("the queue after the correction: %+v, %v; want the report, not standing", flags, err)
		}
		_, err := e.svc.StrikeOff(context.Background(), central, ref, "absences")
		refusedWith(t, err, "attendance.strike.broken")
		if st := e.status(t, b); st != domain.CandidatureAccepted {
			t.Fatalf("status %s after a refused strike-off", st)
		}
		// Kept instead: the report leaves the queue, audited.
		if dec, err := e.svc.KeepFlag(context.Background(), central, ref, "absence justifiée depuis"); err != nil || dec.Already {
			t.Fatalf("keep: %+v, %v", dec, err)
		}
		if dec, err := e.svc.KeepFlag(context.Background(), central, ref, "absence justifiée depuis"); err != nil || !dec.Already {
			t.Fatalf("keep again: %+v, %v", dec, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditFlagKept); n != 1 {
			t.Fatalf("%d keeps audited, want 1", n)
		}
		if _, err := e.svc.KeepFlag(context.Background(), e.trainer, ref, "x"); !errors.Is(err, attendance.ErrForbidden) {
			t.Fatalf("ROLE-5 a trainer keeps: %v", err)
		}
	})
}

// ATT-3 reliability: a strike-off and a correction of one of the streak's
// marks, at once, many times, resolve consistently: the correction is
// always recorded, and the learner is struck off only when the strike-off
// came first; otherwise it is refused as the streak no longer stands.
func TestStrikeOffRacesCorrection_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		b := e.learners[0]
		central := e.staff(t, domain.Grant{Role: domain.RoleCentral})
		struck, refused := 0, 0
		for round := range 12 {
			r := string(rune('a' + round))
			e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id = $1`, b)
			e.exec(t, `DELETE FROM attendance_flags WHERE candidature_id = $1`, b)
			for i := range 3 {
				e.save(t, i, r+"set"+string(rune('0'+i)), map[int64]domain.Mark{b: domain.MarkAbsent})
			}
			ref := e.flagOf(t, b)
			var strikeErr, fixErr error
			var wg sync.WaitGroup
			wg.Go(func() { _, strikeErr = e.svc.StrikeOff(ctx, central, ref, "absences") })
			wg.Go(func() {
				_, fixErr = e.svc.Save(ctx, e.trainer, e.course.ID, e.days[1], attendance.Submission{Key: r + "fix",
					Marks: []attendance.Entry{{CandidatureID: b, Mark: domain.MarkExcused, Reason: "certificat"}}})
			})
			wg.Wait()
			if fixErr != nil {
				t.Fatalf("round %d: the correction failed: %v", round, fixErr)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id
				WHERE k.candidature_id = $1 AND m.day = $2 AND k.mark = 'excused'`, b, e.days[1].Format(time.DateOnly)); n != 1 {
				t.Fatalf("round %d: the correction is not recorded", round)
			}
			st := e.status(t, b)
			decided := e.count(t, `SELECT COUNT(*) FROM attendance_flags WHERE candidature_id = $1 AND decision = 'struck_off'`, b)
			switch {
			case strikeErr == nil && st == domain.CandidatureStruckOff && decided == 1:
				// Landed first: its audit line, with the three days it read,
				// was written before the correction's, under the same lock.
				struckAt := e.count(t, `SELECT MAX(id) FROM audit_events WHERE action = $1`, domain.AuditStruckOff)
				fixedAt := e.count(t, `SELECT MAX(id) FROM audit_events WHERE action = $1`, domain.AuditAttendanceCorrected)
				if struckAt > fixedAt {
					t.Fatalf("round %d: the strike-off stands though the correction came first", round)
				}
				if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE id = $1 AND details LIKE '%, %, %'`, struckAt); n != 1 {
					t.Fatalf("round %d: the strike-off read fewer than three absences", round)
				}
				struck++
			case strikeErr != nil && st == domain.CandidatureAccepted && decided == 0:
				refusedWith(t, strikeErr, "attendance.strike.broken")
				refused++
			default:
				t.Fatalf("round %d: strike-off %v, status %s, decisions %d: inconsistent", round, strikeErr, st, decided)
			}
		}
		t.Logf("%d struck off first, %d refused after the correction", struck, refused)
	})
}

// ATT-4, ROLE-2, ROLE-3: an exclusion for absences needs more than three
// consecutive absences, whatever their reason; for conduct it is always
// possible; the course's trainer may, a trainer of another course may not;
// the director gets a copy when the trainer excludes; the learner is told;
// excluding again does nothing twice.
func TestExclude_ATT4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		a, b := e.learners[0], e.learners[1]
		director := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID})
		e.save(t, 0, "e0", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		e.save(t, 1, "e1", map[int64]domain.Mark{a: domain.MarkExcused, b: domain.MarkExcused})
		e.save(t, 2, "e2", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		e.save(t, 3, "e3", map[int64]domain.Mark{b: domain.MarkExcused})
		e.enrol(t, a, domain.EnrolmentDue)
		_, err := e.svc.Exclude(ctx, e.trainer, e.course.ID, a, attendance.ExcludeAbsences, "trois absences")
		refusedWith(t, err, "attendance.exclude.absences")
		if _, err := e.svc.Exclude(ctx, e.other, e.course.ID, b, attendance.ExcludeAbsences, "absences"); !errors.Is(err, attendance.ErrForbidden) {
			t.Fatalf("ROLE-2 a trainer of another course excludes: %v", err)
		}
		_, err = e.svc.Exclude(ctx, e.trainer, e.course.ID, b, attendance.ExcludeAbsences, "")
		refusedWith(t, err, "attendance.decision.reason")
		dec, err := e.svc.Exclude(ctx, e.trainer, e.course.ID, b, attendance.ExcludeAbsences, "quatre absences de suite")
		if err != nil || dec.Already {
			t.Fatalf("exclude for absences: %+v, %v", dec, err)
		}
		if st := e.status(t, b); st != domain.CandidatureExcluded {
			t.Fatalf("status %s, want excluded", st)
		}
		if again, err := e.svc.Exclude(ctx, e.trainer, e.course.ID, b, attendance.ExcludeAbsences, "quatre absences de suite"); err != nil || !again.Already {
			t.Fatalf("exclude again: %+v, %v", again, err)
		}
		if dec, err := e.svc.Exclude(ctx, e.trainer, e.course.ID, a, attendance.ExcludeConduct, "propos insultants"); err != nil || dec.Already {
			t.Fatalf("exclude for conduct: %+v, %v", dec, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM enrolments WHERE candidature_id = $1 AND state = 'freed'`, a); n != 1 {
			t.Fatal("the fee still due of a learner excluded is still asked")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_exclusions WHERE course_id = $1`, e.course.ID); n != 2 {
			t.Fatalf("%d exclusions recorded, want 2", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditExcluded); n != 2 {
			t.Fatalf("%d exclusions audited, want 2", n)
		}
		for _, c := range []int64{a, b} {
			if n := e.messages(t, c, "attendance_excluded"); n != 1 {
				t.Fatalf("learner %d told %d times, want 1", c, n)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'attendance_excluded_copy'`); n != 2 {
			t.Fatalf("the director got %d copies, want 2", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks WHERE candidature_id = $1`, b); n != 4 {
			t.Fatalf("%d marks kept, want 4", n)
		}
		_, err = e.svc.Exclude(ctx, e.trainer, e.course.ID, a, attendance.ExcludeConduct, "propos insultants")
		if err != nil {
			t.Fatalf("exclude for conduct again: %v", err)
		}
		// ROLE-3: the establishment's director may too.
		if dec, err := e.svc.Exclude(ctx, director, e.course.ID, e.learners[2], attendance.ExcludeConduct, "menaces"); err != nil || dec.Already {
			t.Fatalf("the director excludes: %+v, %v", dec, err)
		}
		other := domain.Actor{AccountID: director.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID + 1000}}}
		if _, err := e.svc.Exclude(ctx, other, e.course.ID, e.learners[3], attendance.ExcludeConduct, "x"); !errors.Is(err, attendance.ErrForbidden) {
			t.Fatalf("ROLE-3 another establishment's director excludes: %v", err)
		}
	})
}
