package evaluation_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/evaluation"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/signedtoken"
	"cma/internal/store"
)

// t0 is in the demo's annual session, in November: its courses run, the
// second semester's candidatures are open.
var t0 = time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)

type env struct {
	d        *db.DB
	st       *store.Store
	cat      *catalogue.Service
	svc      *evaluation.Service
	cands    *candidature.Service
	clock    atomic.Int64
	course   *catalogue.Entry
	central  domain.Actor
	learners []int64 // candidatures accepted in the course
	accounts map[int64]int64
	day      time.Time // a meeting of the course after t0: the evaluation's
	n        int
}

func (e *env) now() time.Time { return time.Unix(0, e.clock.Load()) }

func newEnv(t testing.TB, d *db.DB) *env {
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
	e := &env{d: d, st: st, accounts: map[int64]int64{}}
	e.clock.Store(t0.UnixNano())
	client, err := jobs.New(d, st, nil, jobs.Config{Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	e.cat = catalogue.NewService(st, words, "C", 0, e.now)
	box := outbox.New(st, client, "cours.exemple")
	e.svc = evaluation.New(evaluation.Deps{Store: st, Catalogue: e.cat, Outbox: box, Words: words, Now: e.now,
		PublicURL: "https://cours.exemple", Log: slog.New(slog.DiscardHandler)})
	e.cands = candidature.New(st, e.cat, box, candidature.ConfirmationMailer{Words: words, Paris: domain.Paris(), SpaceURL: "https://cours.exemple/mes-candidatures"},
		e.now, domain.Paris())
	ix, err := e.cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ix.All() {
		if c.Session.Code == demo.SessionAnnualCode && e.count(t, `SELECT COUNT(*) FROM candidatures WHERE course_id = $1`, c.ID) >= 4 {
			e.course = c
			break
		}
	}
	if e.course == nil {
		t.Fatal("the demo's annual session has no course with four candidatures")
	}
	rows, err := d.R.Query(`SELECT id, account_id FROM candidatures WHERE course_id = $1 ORDER BY id LIMIT 4`, e.course.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, account int64
		if err := rows.Scan(&id, &account); err != nil {
			t.Fatal(err)
		}
		e.learners = append(e.learners, id)
		e.accounts[id] = account
	}
	rows.Close()
	for _, id := range e.learners {
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id = $1`, id)
	}
	for _, m := range ix.Meetings(e.course, domain.Paris()) {
		if !m.Skipped && m.Date.After(t0) {
			e.day = m.Date
			break
		}
	}
	e.central = e.staff(t, domain.Grant{Role: domain.RoleCentral})
	return e
}

func (e *env) staff(t testing.TB, g domain.Grant) domain.Actor {
	t.Helper()
	e.n++
	a, _, err := accounts.New(e.st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil))).AddStaff(context.Background(),
		accounts.NewStaff{Email: "eval" + string(rune('a'+e.n)) + "@paris.exemple", FirstName: "Équipe", LastName: "Test", Grants: []domain.Grant{g}})
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

func (e *env) messages(t testing.TB, kind string) int {
	return e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = $1`, kind)
}

func refusedWith(err error, key string) bool {
	var r *evaluation.Refusal
	return errors.As(err, &r) && r.Key == key
}

// engines runs f on SQLite and, when configured, on PostgreSQL.
func engines(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newEnv(t, dbtest.SQLite(t))) })
	t.Run("postgres", func(t *testing.T) { f(t, newEnv(t, dbtest.Postgres(t))) })
}

// the evaluation is set and its day has come, every learner's result given.
func (e *env) evaluated(t *testing.T, results ...domain.EvaluationResult) {
	t.Helper()
	ctx := context.Background()
	if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day); err != nil {
		t.Fatal(err)
	}
	e.clock.Store(e.day.Add(20 * time.Hour).UnixNano())
	var entries []evaluation.Entry
	for i, r := range results {
		entries = append(entries, evaluation.Entry{CandidatureID: e.learners[i], Result: r})
	}
	if _, err := e.svc.Enter(ctx, e.central, e.course.ID, entries); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluationDate_CER1_fixed_and_convoked(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		coordinator := e.staff(t, domain.Grant{Role: domain.RoleCoordinator, FormationID: e.course.FormationID})
		if err := e.svc.SetDate(ctx, coordinator, e.course.ID, e.day); !errors.Is(err, evaluation.ErrForbidden) {
			t.Fatalf("a coordinator sets the catalogue's evaluation date: %v", err)
		}
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day.AddDate(0, 0, 1)); !refusedWith(err, "evaluation.date.not_a_meeting") {
			t.Fatalf("a day without a meeting: %v", err)
		}
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)); !refusedWith(err, "evaluation.date.past") {
			t.Fatalf("a past day: %v", err)
		}
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day); err != nil {
			t.Fatal(err)
		}
		if n := e.messages(t, "evaluation_convocation"); n != len(e.learners) {
			t.Fatalf("%d convocations for %d learners", n, len(e.learners))
		}
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day); err != nil {
			t.Fatalf("the same day again: %v", err)
		}
		if n := e.messages(t, "evaluation_convocation"); n != len(e.learners) {
			t.Fatalf("setting the same day again convoked again: %d", n)
		}
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day.AddDate(0, 0, 7)); !refusedWith(err, "evaluation.date.fixed") {
			t.Fatalf("the date moved once convoked: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditEvaluationScheduled); n != 1 {
			t.Fatalf("%d audit lines for the date", n)
		}
	})
}

// TestConvokeLate_CER1_a_learner_joining_after_the_date: a learner accepted
// in the course after its evaluation's date was set (an offer from the
// waiting list) is convoked by the timer, once, even when it runs twice;
// the others are not convoked again, and nobody is once the day has passed.
func TestConvokeLate_CER1_a_learner_joining_after_the_date(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		late := e.learners[len(e.learners)-1]
		e.exec(t, `UPDATE candidatures SET status = 'waiting', accepted_course_id = NULL WHERE id = $1`, late)
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day); err != nil {
			t.Fatal(err)
		}
		if n := e.messages(t, "evaluation_convocation"); n != len(e.learners)-1 {
			t.Fatalf("%d convocations for %d learners", n, len(e.learners)-1)
		}
		if n, err := e.svc.ConvokeLate(ctx); err != nil || n != 0 {
			t.Fatalf("the timer with everyone convoked: %d, %v", n, err)
		}
		e.exec(t, `UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id WHERE id = $1`, late)
		for range 2 { // the timer may run twice
			if _, err := e.svc.ConvokeLate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'evaluation_convocation' AND account_id = $1`, e.accounts[late]); n != 1 {
			t.Fatalf("CER-1: the learner who joined late got %d convocations, want 1", n)
		}
		if n := e.messages(t, "evaluation_convocation"); n != len(e.learners) {
			t.Fatalf("%d convocations in all, want %d", n, len(e.learners))
		}
		// After the day, nobody is convoked to it any more.
		e.exec(t, `DELETE FROM evaluation_convocations WHERE candidature_id = $1`, e.learners[0])
		e.clock.Store(e.day.AddDate(0, 0, 1).UnixNano())
		if n, err := e.svc.ConvokeLate(ctx); err != nil || n != 0 {
			t.Fatalf("the timer after the day convoked %d (%v)", n, err)
		}
	})
}

func TestResults_CER1_ROLE4_entered_by_the_coordinator_or_director(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		trainer := e.staff(t, domain.Grant{Role: domain.RoleTrainer, CourseID: e.course.ID})
		coordinator := e.staff(t, domain.Grant{Role: domain.RoleCoordinator, FormationID: e.course.FormationID})
		otherCoordinator := e.staff(t, domain.Grant{Role: domain.RoleCoordinator, FormationID: e.course.FormationID + 1})
		director := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID})
		if err := e.svc.SetDate(ctx, e.central, e.course.ID, e.day); err != nil {
			t.Fatal(err)
		}
		one := []evaluation.Entry{{CandidatureID: e.learners[0], Result: domain.ResultPassed, Grade: "15/20"}}
		if _, err := e.svc.Enter(ctx, coordinator, e.course.ID, one); !refusedWith(err, "evaluation.results.too_early") {
			t.Fatalf("results before the day: %v", err)
		}
		e.clock.Store(e.day.Add(20 * time.Hour).UnixNano())
		for name, a := range map[string]domain.Actor{"the trainer (ROLE-2)": trainer, "another formation's coordinator": otherCoordinator} {
			if _, err := e.svc.Enter(ctx, a, e.course.ID, one); !errors.Is(err, evaluation.ErrForbidden) {
				t.Errorf("%s enters results: %v", name, err)
			}
		}
		if _, err := e.svc.Enter(ctx, coordinator, e.course.ID, []evaluation.Entry{{CandidatureID: e.learners[0], Result: "bof"}}); !refusedWith(err, "evaluation.result.invalid") {
			t.Fatalf("an unknown result: %v", err)
		}
		saved, err := e.svc.Enter(ctx, coordinator, e.course.ID, append(one,
			evaluation.Entry{CandidatureID: e.learners[1], Result: domain.ResultFailed},
			evaluation.Entry{CandidatureID: e.learners[2], Result: domain.ResultAbsentFromEvaluation}))
		if err != nil || saved.Entered != 3 {
			t.Fatalf("entered %+v, %v", saved, err)
		}
		if n := e.messages(t, "evaluation_result"); n != 3 {
			t.Fatalf("%d learners told their result, want 3", n)
		}
		if saved, err := e.svc.Enter(ctx, director, e.course.ID, one); err != nil || saved != (evaluation.Saved{}) {
			t.Fatalf("the same result again changed %+v (%v)", saved, err)
		}
		saved, err = e.svc.Enter(ctx, director, e.course.ID, []evaluation.Entry{{CandidatureID: e.learners[1], Result: domain.ResultPassed}})
		if err != nil || saved.Changed != 1 {
			t.Fatalf("the director's correction: %+v, %v", saved, err)
		}
		var details string
		if err := e.d.R.QueryRow(`SELECT details FROM audit_events WHERE action = $1`, domain.AuditFinalResultChanged).Scan(&details); err != nil {
			t.Fatalf("the correction is not audited: %v", err)
		}
		if want := "non réussi → réussi"; !contains(details, want) {
			t.Fatalf("the correction's audit says %q, want the previous result %q", details, want)
		}
		if n := e.messages(t, "evaluation_result"); n != 4 {
			t.Fatalf("the corrected learner is not told: %d emails", n)
		}
		sh, err := e.svc.Sheet(ctx, trainer, e.course.ID)
		if !errors.Is(err, evaluation.ErrForbidden) {
			t.Fatalf("the trainer reads the results sheet: %v", err)
		}
		if sh, err = e.svc.Sheet(ctx, coordinator, e.course.ID); err != nil || len(sh.Learners) != len(e.learners) || !sh.Open {
			t.Fatalf("the sheet: %d learners, open %v, %v", len(sh.Learners), sh.Open, err)
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestCertificates_CER2_issued_in_bulk_once(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.evaluated(t, domain.ResultPassed, domain.ResultPassed, domain.ResultFailed, domain.ResultPassed)
		director := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID})
		if _, err := e.svc.IssueAll(ctx, director, nil); !errors.Is(err, evaluation.ErrForbidden) {
			t.Fatalf("a director issues certificates: %v", err)
		}
		d, err := e.svc.Dashboard(ctx, e.central)
		if err != nil || len(d.ToIssue) != 3 || d.Issued != 0 || d.Late != 0 {
			t.Fatalf("dashboard before: %d to issue, %d issued, %d late (%v)", len(d.ToIssue), d.Issued, d.Late, err)
		}
		// Two months after the course's last day, none delivered: all late.
		e.clock.Store(domain.CertificateDue(e.course.Session.LastDay).AddDate(0, 0, 1).Add(12 * time.Hour).UnixNano())
		if d, _ = e.svc.Dashboard(ctx, e.central); d.Late != 3 {
			t.Fatalf("%d late after the two months, want 3", d.Late)
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts { // two runs at once, or a run started twice
			wg.Add(1)
			go func() {
				defer wg.Done()
				var steps int
				n, err := e.svc.IssueAll(ctx, e.central, func(done, total int) { steps++ })
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 3 {
			t.Fatalf("issued %v, want 3 in all", counts)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM certificates`); n != 3 {
			t.Fatalf("%d certificates", n)
		}
		if n := e.messages(t, "certificate_issued"); n != 3 {
			t.Fatalf("%d learners told of their certificate, want 3", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditCertificateIssued); n != 3 {
			t.Fatalf("%d certificates audited", n)
		}
		if n, err := e.svc.IssueAll(ctx, e.central, nil); err != nil || n != 0 {
			t.Fatalf("a second run issued %d (%v)", n, err)
		}
		// The runs are recorded, finished with what each issued; none is
		// shown as under way.
		if n := e.count(t, `SELECT COUNT(*) FROM certificate_issuances WHERE finished_at IS NOT NULL AND error = ''`); n != 3 {
			t.Fatalf("%d bulk issuances recorded as finished, want 3", n)
		}
		if n := e.count(t, `SELECT SUM(issued) FROM certificate_issuances`); n != 3 {
			t.Fatalf("the issuances recorded %d certificates, want 3", n)
		}
		if d, err := e.svc.Dashboard(ctx, e.central); err != nil || d.Running != nil {
			t.Fatalf("a finished issuance shown as under way: %+v (%v)", d.Running, err)
		}
		// An issuance under way on another instance shows on this one's
		// dashboard, until its progress stops beating (the instance died).
		if _, err := e.st.StartIssuance(ctx, 2000, e.central.AccountID, e.now()); err != nil {
			t.Fatal(err)
		}
		if d, err := e.svc.Dashboard(ctx, e.central); err != nil || d.Running == nil || d.Running.Total != 2000 {
			t.Fatalf("CER-2: another instance's issuance is not shown: %+v (%v)", d.Running, err)
		}
		e.clock.Store(e.now().Add(evaluation.IssuanceAlive + time.Second).UnixNano())
		if d, err := e.svc.Dashboard(ctx, e.central); err != nil || d.Running != nil {
			t.Fatalf("an issuance whose instance died is still shown as under way: %+v (%v)", d.Running, err)
		}
		d, _ = e.svc.Dashboard(ctx, e.central)
		if len(d.ToIssue) != 0 || d.Issued != 3 || d.IssuedLate != 3 {
			t.Fatalf("dashboard after: %d to issue, %d issued, %d late", len(d.ToIssue), d.Issued, d.IssuedLate)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM certificates WHERE candidature_id = $1`, e.learners[2]); n != 0 {
			t.Fatal("a failed learner got a certificate")
		}
	})
}

// anotherCourse finds a second-semester course, open to candidatures, that
// the person may add to their basket as things stand.
func (e *env) anotherCourse(t *testing.T, person domain.Actor) *catalogue.Entry {
	t.Helper()
	// Their other candidatures of the year out of the way (CAN-1).
	e.exec(t, `UPDATE candidatures SET status = 'cancelled' WHERE account_id = $1 AND status = 'submitted'`, person.AccountID)
	e.exec(t, `DELETE FROM basket_items WHERE account_id = $1`, person.AccountID)
	ix, err := e.cat.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, c := range ix.All() {
		if c.Session.Code != demo.SessionSemester2Code || c.FormationID == e.course.FormationID {
			continue
		}
		if last = e.cands.Add(context.Background(), person, person.AccountID, c.ID); last == nil {
			if err := e.cands.Remove(context.Background(), person, person.AccountID, c.ID); err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("no second-semester course the learner may add: %v", last)
	return nil
}

func refusedRules(err error) []string {
	var r candidature.Refusals
	if !errors.As(err, &r) {
		return nil
	}
	var out []string
	for _, x := range r {
		out = append(out, x.Rule)
	}
	return out
}

func TestBasket_CER2_next_level_needs_the_certificate(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		person := domain.Actor{AccountID: e.accounts[e.learners[0]], Kind: domain.AccountCandidate}
		next := e.anotherCourse(t, person)
		// next's formation becomes the level after the course's.
		e.exec(t, `UPDATE formations SET prerequisite_formation_id = $1 WHERE id = $2`, e.course.FormationID, next.FormationID)
		e.exec(t, `UPDATE catalogue_state SET revision = revision + 1`)
		if rules := refusedRules(e.cands.Add(ctx, person, person.AccountID, next.ID)); len(rules) != 1 || rules[0] != "CER-2" {
			t.Fatalf("the next level without the certificate: refused by %v, want CER-2", rules)
		}
		e.evaluated(t, domain.ResultPassed)
		if _, err := e.svc.IssueAll(ctx, e.central, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.cands.Add(ctx, person, person.AccountID, next.ID); err != nil {
			t.Fatalf("the next level with the certificate: %v", err)
		}
	})
}

func TestBasket_SEL7_one_repeat_only(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cand := e.learners[1]
		person := domain.Actor{AccountID: e.accounts[cand], Kind: domain.AccountCandidate}
		e.evaluated(t, domain.ResultPassed, domain.ResultFailed)
		// The failed year ends; the learner applies again to the same
		// formation, in the second semester's course of it if any.
		e.exec(t, `UPDATE candidatures SET status = 'given_up' WHERE id = $1`, cand)
		ix, _ := e.cat.Index(ctx)
		var again *catalogue.Entry
		for _, c := range ix.All() {
			if c.Session.Code == demo.SessionSemester2Code && c.FormationID == e.course.FormationID {
				again = c
				break
			}
		}
		if again == nil {
			e.exec(t, `UPDATE courses SET formation_id = $1 WHERE id = $2`, e.course.FormationID, e.anotherCourse(t, person).ID)
			e.exec(t, `UPDATE catalogue_state SET revision = revision + 1`)
			ix, _ = e.cat.Index(ctx)
			for _, c := range ix.All() {
				if c.Session.Code == demo.SessionSemester2Code && c.FormationID == e.course.FormationID {
					again = c
				}
			}
		}
		if err := e.cands.Add(ctx, person, person.AccountID, again.ID); err != nil {
			t.Fatalf("the one repeat after a failure: %v", err)
		}
		if err := e.cands.Remove(ctx, person, person.AccountID, again.ID); err != nil {
			t.Fatal(err)
		}
		// A second failure, in an earlier year's candidature of the formation.
		e.exec(t, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective, motivation, rsa, job_seeker,
			subsidised, rules_version, half_tariff_claim, validation_key, created_at)
			SELECT account_id, course_id, formation_id, session_id, 'given_up', objective, motivation, rsa, job_seeker, subsidised,
			rules_version, half_tariff_claim, validation_key, created_at FROM candidatures WHERE id = $1`, cand)
		e.exec(t, `INSERT INTO evaluation_results (candidature_id, course_id, result, entered_at, entered_by)
			SELECT MAX(id), $1, 'failed', $2, $3 FROM candidatures WHERE account_id = $4`,
			e.course.ID, "2026-06-20T10:00:00.000000Z", e.central.AccountID, person.AccountID)
		if rules := refusedRules(e.cands.Add(ctx, person, person.AccountID, again.ID)); len(rules) != 1 || rules[0] != "SEL-7" {
			t.Fatalf("a third attempt: refused by %v, want SEL-7", rules)
		}
	})
}

func pngProof(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestExemption_CER4_recorded_with_its_proof(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		req := evaluation.ExemptionRequest{CandidatureID: e.learners[0], DiplomaHeld: "Baccalauréat", Proof: pngProof(t)}
		if !e.course.Formation.Diploma {
			if err := e.svc.Exempt(ctx, e.central, e.course.ID, req); !refusedWith(err, "exemption.not_diploma") {
				t.Fatalf("an exemption in a course preparing no diploma: %v", err)
			}
		}
		e.exec(t, `UPDATE formations SET diploma = TRUE, diploma_name = 'CAP' WHERE id = $1`, e.course.FormationID)
		e.exec(t, `UPDATE catalogue_state SET revision = revision + 1`)
		trainer := e.staff(t, domain.Grant{Role: domain.RoleTrainer, CourseID: e.course.ID})
		if err := e.svc.Exempt(ctx, trainer, e.course.ID, req); !errors.Is(err, evaluation.ErrForbidden) {
			t.Fatalf("a trainer records an exemption: %v", err)
		}
		for key, bad := range map[string]evaluation.ExemptionRequest{
			"exemption.diploma_missing": {CandidatureID: e.learners[0], Proof: req.Proof},
			"exemption.proof_missing":   {CandidatureID: e.learners[0], DiplomaHeld: "Baccalauréat"},
			"exemption.proof_invalid":   {CandidatureID: e.learners[0], DiplomaHeld: "Baccalauréat", Proof: []byte("<script>alert(1)</script>")},
		} {
			if err := e.svc.Exempt(ctx, e.central, e.course.ID, bad); !refusedWith(err, key) {
				t.Errorf("%s: %v", key, err)
			}
		}
		coordinator := e.staff(t, domain.Grant{Role: domain.RoleCoordinator, FormationID: e.course.FormationID})
		if err := e.svc.Exempt(ctx, coordinator, e.course.ID, req); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Exempt(ctx, coordinator, e.course.ID, req); !refusedWith(err, "exemption.already") {
			t.Fatalf("a second exemption: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM exam_exemptions x JOIN proofs p ON p.id = x.proof_id WHERE x.account_id = $1`, e.accounts[e.learners[0]]); n != 1 {
			t.Fatalf("%d exemptions with their proof", n)
		}
		if n := e.messages(t, "exam_exemption"); n != 1 {
			t.Fatalf("%d learners told", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditExemptionRecorded); n != 1 {
			t.Fatalf("%d audit lines", n)
		}
		// The proof outlives the retention of candidatures' proofs.
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error {
			_, err := e.st.EraseProofsEndedBefore(ctx, tx, t0.AddDate(5, 0, 0), t0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM exam_exemptions x JOIN proofs p ON p.id = x.proof_id WHERE p.erased_at IS NULL`); n != 1 {
			t.Fatal("the exemption's proof was erased with the candidatures' ones")
		}
		sh, err := e.svc.Sheet(ctx, coordinator, e.course.ID)
		if err != nil || sh.Learners[0].Exemption == nil && sh.Learners[1].Exemption == nil && sh.Learners[2].Exemption == nil && sh.Learners[3].Exemption == nil {
			t.Fatalf("the sheet does not show the exemption (%v)", err)
		}
	})
}

func TestCertificateDocument_CER2_verifiable_by_its_QR_code(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.evaluated(t, domain.ResultPassed, domain.ResultFailed)
		if _, err := e.svc.IssueAll(ctx, e.central, nil); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := e.d.R.QueryRow(`SELECT id FROM certificates WHERE candidature_id = $1`, e.learners[0]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		owner := domain.Actor{AccountID: e.accounts[e.learners[0]], Kind: domain.AccountCandidate}
		other := domain.Actor{AccountID: e.accounts[e.learners[1]], Kind: domain.AccountCandidate}
		d, err := e.svc.OwnCertificateDocument(ctx, owner, owner.AccountID, id)
		if err != nil || d.Formation != e.course.Formation.Title || d.CourseCode != e.course.Code || !d.EvaluationDate.Equal(e.day) {
			t.Fatalf("the certificate: %+v, %v", d, err)
		}
		if _, err := e.svc.OwnCertificateDocument(ctx, other, other.AccountID, id); !errors.Is(err, evaluation.ErrNotFound) {
			t.Fatalf("another learner reads it: %v", err)
		}
		if _, err := e.svc.OwnCertificateDocument(ctx, other, owner.AccountID, id); !errors.Is(err, evaluation.ErrForbidden) {
			t.Fatalf("another learner reads it as its owner: %v", err)
		}
		if pdf, err := documents.CertificatePDF(d, t0); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("the PDF: %v", err)
		}
		token := d.VerifyURL[len("https://cours.exemple"+evaluation.CertificateVerifyPath):]
		if c, err := e.svc.VerifyCertificate(ctx, token); err != nil || !c.Valid || c.Document.Number != d.Number {
			t.Fatalf("its own token: %+v, %v", c, err)
		}
		forged := []byte(token)
		forged[3] ^= 1
		key, err := e.st.SigningKey(ctx, "attendance_attestation", t0)
		if err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{"forged": string(forged), "garbage": "x",
			"an attestation's": signedtoken.Sign(key, "cma attendance attestation", id)} {
			if c, err := e.svc.VerifyCertificate(ctx, tok); err != nil || c.Valid {
				t.Errorf("%s token verified: %+v, %v", name, c, err)
			}
		}
	})
}
