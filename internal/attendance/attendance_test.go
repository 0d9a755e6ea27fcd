package attendance_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/attendance"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/payment"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// t0 is in the demo's annual session, six weeks after its first classes
// (September 28th), the Toussaint holidays past.
var t0 = time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)

type env struct {
	d        *db.DB
	st       *store.Store
	svc      *attendance.Service
	course   *catalogue.Entry
	trainer  domain.Actor
	other    domain.Actor // a trainer of another course
	learners []int64      // candidatures accepted in the course
	days     []time.Time  // its meetings held so far
	n        int
	at       time.Time // the services' clock, t0 unless a test moves it
	wl       *waitlist.Service
}

// newEnv loads the demo and accepts the candidatures of its first annual
// course with four of them (that pick accepts, when given).
func newEnv(t testing.TB, d *db.DB, pick ...func(*catalogue.Entry) bool) *env {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: t0.In(domain.Paris()), RulesVersion: "2026-1"}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, st: st, at: t0}
	now := func() time.Time { return e.at }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, client, "cours.exemple")
	e.wl = waitlist.New(waitlist.Deps{Store: st, Catalogue: cat, Outbox: box, Words: words, Now: now, PublicURL: "https://cours.exemple",
		Log: slog.New(slog.DiscardHandler)})
	pay := payment.New(payment.Deps{Store: st, Catalogue: cat, Outbox: box, Words: words, Now: now, PublicURL: "https://cours.exemple",
		Log: slog.New(slog.DiscardHandler), Waitlist: e.wl})
	e.svc = attendance.New(attendance.Deps{Store: st, Catalogue: cat, Outbox: box, Words: words,
		Now: now, PublicURL: "https://cours.exemple", Log: slog.New(slog.DiscardHandler), Waitlist: e.wl, Left: pay.Left})
	ix, err := cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The demo leaves its annual candidatures submitted: the first course
	// with four of them has them accepted, as the published selection would
	// have on September 1st.
	var other *catalogue.Entry
	for _, c := range ix.All() {
		if c.Session.Code != demo.SessionAnnualCode {
			continue
		}
		if e.course == nil && (len(pick) == 0 || pick[0](c)) && e.count(t, `SELECT COUNT(*) FROM candidatures WHERE course_id = $1`, c.ID) >= 4 {
			e.course = c
		} else if other == nil {
			other = c
		}
	}
	if e.course == nil || other == nil {
		t.Fatal("the demo's annual session has no course with four candidatures")
	}
	rows, err := d.R.Query(`SELECT id FROM candidatures WHERE course_id = $1 ORDER BY id LIMIT 6`, e.course.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		e.learners = append(e.learners, id)
	}
	rows.Close()
	for _, id := range e.learners {
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id = $1`, id)
		e.exec(t, `INSERT INTO candidature_events (candidature_id, at, status, note) VALUES ($1, $2, 'accepted', 'sélection publiée')`,
			id, "2026-09-01T10:00:00.000000Z")
	}
	e.trainer = e.staff(t, domain.Grant{Role: domain.RoleTrainer, CourseID: e.course.ID})
	e.other = e.staff(t, domain.Grant{Role: domain.RoleTrainer, CourseID: other.ID})
	r, err := e.svc.Registers(ctx, e.trainer, e.course.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Meetings {
		if m.Holiday == "" && m.Day.Before(t0) {
			e.days = append(e.days, m.Day)
		}
	}
	if len(e.days) < 4 {
		t.Fatalf("%d meetings held by %v, want 4 at least", len(e.days), t0)
	}
	return e
}

func (e *env) staff(t testing.TB, g domain.Grant) domain.Actor {
	t.Helper()
	e.n++
	a, _, err := accounts.New(e.st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil))).AddStaff(context.Background(),
		accounts.NewStaff{Email: "staff" + string(rune('a'+e.n)) + "@paris.exemple", FirstName: "Équipe", LastName: "Test", Grants: []domain.Grant{g}})
	if err != nil {
		t.Fatal(err)
	}
	return domain.Actor{AccountID: a.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{g}}
}

func (e *env) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := e.d.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// save marks every learner present but those given, on meeting i.
func (e *env) save(t *testing.T, i int, key string, marks map[int64]domain.Mark) attendance.Saved {
	t.Helper()
	sub := attendance.Submission{Key: key}
	for _, c := range e.learners {
		m, ok := marks[c]
		if !ok {
			m = domain.MarkPresent
		}
		en := attendance.Entry{CandidatureID: c, Mark: m}
		if m == domain.MarkExcused {
			en.Reason = "certificat médical"
		}
		sub.Marks = append(sub.Marks, en)
	}
	s, err := e.svc.Save(context.Background(), e.trainer, e.course.ID, e.days[i], sub)
	if err != nil {
		t.Fatalf("save meeting %d: %v", i, err)
	}
	return s
}

func (e *env) learner(t *testing.T, cand int64) attendance.LearnerLine {
	t.Helper()
	r, err := e.svc.Registers(context.Background(), e.trainer, e.course.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Learners {
		if l.CandidatureID == cand {
			return l
		}
	}
	t.Fatalf("candidature %d not on the registers", cand)
	return attendance.LearnerLine{}
}

func refusedWith(t *testing.T, err error, key string) {
	t.Helper()
	var r *attendance.Refusal
	if !errors.As(err, &r) || r.Key != key {
		t.Fatalf("want refusal %s, got %v", key, err)
	}
}

// ATT-1, ROLE-2: the trainer's register starts with everyone present; a form
// sent again records once; a mark changed afterwards is audited with the
// previous one; a trainer cannot see or save another course's register; no
// register for a day without a meeting or to come.
func TestRegister_ATT1_ROLE2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		reg, err := e.svc.Register(ctx, e.trainer, e.course.ID, e.days[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(reg.Rows) != len(e.learners) || reg.Key == "" || !reg.MayMark {
			t.Fatalf("register of %d rows (key %q, may mark %v), want %d", len(reg.Rows), reg.Key, reg.MayMark, len(e.learners))
		}
		for _, r := range reg.Rows {
			if r.Mark != domain.MarkPresent || r.Marked {
				t.Fatalf("a register not taken starts with %s (marked %v), want present", r.Mark, r.Marked)
			}
		}
		a := e.learners[0]
		if s := e.save(t, 0, "k1", map[int64]domain.Mark{a: domain.MarkAbsent}); s.Already || s.Changed != 0 {
			t.Fatalf("first save: %+v", s)
		}
		// The same form again, after a lost connection, with other marks: nothing changes.
		if s := e.save(t, 0, "k1", map[int64]domain.Mark{a: domain.MarkLate}); !s.Already {
			t.Fatalf("the same key saved twice: %+v, want already", s)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks WHERE candidature_id = $1 AND mark = 'absent'`, a); n != 1 {
			t.Fatalf("after a resubmission %d absent marks, want 1", n)
		}
		// A correction, the next day: audited with the previous mark.
		if s := e.save(t, 0, "k2", map[int64]domain.Mark{a: domain.MarkExcused}); s.Changed != 1 {
			t.Fatalf("a correction: %+v, want 1 change", s)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND details LIKE '%absent(e) → absent(e) justifié(e)%'`,
			domain.AuditAttendanceCorrected); n != 1 {
			t.Fatalf("%d audited corrections, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks`); n != len(e.learners) {
			t.Fatalf("%d marks, want one per learner (%d)", n, len(e.learners))
		}
		if _, err := e.svc.Register(ctx, e.other, e.course.ID, e.days[0]); !errors.Is(err, attendance.ErrForbidden) {
			t.Fatalf("ROLE-2 another course's trainer reads the register: %v", err)
		}
		if _, err := e.svc.Save(ctx, e.other, e.course.ID, e.days[0], attendance.Submission{Key: "k3"}); !errors.Is(err, attendance.ErrForbidden) {
			t.Fatalf("ROLE-2 another course's trainer saves the register: %v", err)
		}
		_, err = e.svc.Save(ctx, e.trainer, e.course.ID, e.days[0].AddDate(0, 0, 1), attendance.Submission{Key: "k4"})
		refusedWith(t, err, "attendance.day.not_meeting")
		future := e.days[len(e.days)-1].AddDate(0, 0, 7)
		for future.Before(t0) {
			future = future.AddDate(0, 0, 7)
		}
		_, err = e.svc.Save(ctx, e.trainer, e.course.ID, future, attendance.Submission{Key: "k5",
			Marks: []attendance.Entry{{CandidatureID: a, Mark: domain.MarkPresent}}})
		refusedWith(t, err, "attendance.day.future")
		_, err = e.svc.Save(ctx, e.trainer, e.course.ID, e.days[1], attendance.Submission{Key: "k6",
			Marks: []attendance.Entry{{CandidatureID: a, Mark: "maybe"}}})
		refusedWith(t, err, "attendance.mark")
	})
}

// ATT-2: late counts as present; the rate is over the meetings held; 75 %
// exactly reaches the threshold; a cancelled meeting counts for nobody and
// its learners are told (REF-4).
func TestRate_ATT2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a, b := e.learners[0], e.learners[1]
		e.save(t, 0, "m0", map[int64]domain.Mark{a: domain.MarkLate, b: domain.MarkAbsent})
		e.save(t, 1, "m1", map[int64]domain.Mark{b: domain.MarkAbsent})
		e.save(t, 2, "m2", map[int64]domain.Mark{a: domain.MarkAbsent})
		e.save(t, 3, "m3", nil)
		la, lb := e.learner(t, a), e.learner(t, b)
		if la.Attendance.RateBP() != 7500 || !la.Attendance.Reaches() {
			t.Fatalf("3 of 4 (one late): %d bp, reaches %v", la.Attendance.RateBP(), la.Attendance.Reaches())
		}
		if lb.Attendance.RateBP() != 5000 || lb.Attendance.Reaches() {
			t.Fatalf("2 of 4: %d bp, reaches %v", lb.Attendance.RateBP(), lb.Attendance.Reaches())
		}
		if !lb.Attendance.Reachable() {
			t.Fatalf("2 of 4 with the year to come: 75 %% is still reachable (%+v)", lb.Attendance)
		}
		// Meeting 3 cancelled after the fact: it counts for nobody.
		if _, err := e.svc.Save(context.Background(), e.trainer, e.course.ID, e.days[3], attendance.Submission{Key: "c3",
			Cancelled: true, CancelReason: "salle fermée"}); err != nil {
			t.Fatal(err)
		}
		if la := e.learner(t, a); la.Attendance.HeldMeetings != 3 || la.Attendance.RateBP() != 6666 {
			t.Fatalf("with meeting 3 cancelled: %+v, want 2 of 3", la.Attendance)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'meeting_cancelled'`); n != len(e.learners) {
			t.Fatalf("%d learners told of the cancellation, want %d", n, len(e.learners))
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditMeetingCancelled); n != 1 {
			t.Fatalf("%d cancellations audited, want 1", n)
		}
	})
}

// ATT-3: three consecutive absences without a valid reason report the
// learner to the central service once, and tell them with the days;
// "absent, absent, justified, absent" does not.
func TestStreak_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a, b := e.learners[0], e.learners[1]
		e.save(t, 0, "s0", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		e.save(t, 1, "s1", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		s := e.save(t, 2, "s2", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkExcused})
		if len(s.Flagged) != 1 || s.Flagged[0] != a {
			t.Fatalf("the third absence in a row reports %v, want [%d]", s.Flagged, a)
		}
		s = e.save(t, 3, "s3", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		if len(s.Flagged) != 0 {
			t.Fatalf("a fourth absence reports again: %v", s.Flagged)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_flags WHERE candidature_id = $1 AND decision = ''`, a); n != 1 {
			t.Fatalf("%d open reports of the learner, want 1", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_flags WHERE candidature_id = $1`, b); n != 0 {
			t.Fatalf("absent, absent, justified, absent reported %d times, want 0", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages m JOIN candidatures c ON c.account_id = m.account_id
			WHERE c.id = $1 AND m.kind = 'attendance_flagged'`, a); n != 1 {
			t.Fatalf("the learner reported was told %d times, want 1", n)
		}
		if l := e.learner(t, a); !l.AtRisk || !l.Attendance.Flagged() {
			t.Fatalf("the learner reported is not shown at risk: %+v", l)
		}
		if l := e.learner(t, b); !l.Attendance.MayExclude() || l.Attendance.Flagged() {
			t.Fatalf("ATT-4 four absences in a row, one justified: %+v, want may exclude, not flagged", l.Attendance)
		}
	})
}

// ATT-1: two devices saving the same register at once keep one mark per
// learner and meeting; the other device's marks are in the audit trail.
func TestConcurrentRegisters_ATT1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a := e.learners[0]
		for round := range 3 {
			var wg sync.WaitGroup
			marks := []domain.Mark{domain.MarkAbsent, domain.MarkLate}
			for i, m := range marks {
				wg.Go(func() {
					e.save(t, round, "dev"+string(rune('a'+i))+string(rune('0'+round)), map[int64]domain.Mark{a: m})
				})
			}
			wg.Wait()
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_marks WHERE candidature_id = $1`, a); n != 3 {
			t.Fatalf("%d marks over 3 meetings, want 3", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditAttendanceCorrected); n != 3 {
			t.Fatalf("%d audited replacements, want 3 (one per meeting: the second device's)", n)
		}
	})
}
