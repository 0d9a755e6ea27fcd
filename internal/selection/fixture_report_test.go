package selection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// reportFixture is a session with one formation of two courses (one seat
// each), four candidates and a staff member, and a dry run whose outcomes
// are written by hand (the run itself is another file's business).
type reportFixture struct {
	st             *store.Store
	svc            *Service
	words          *i18n.Catalog
	est            domain.Establishment
	form           domain.Formation
	c1, c2         domain.Course
	staff          int64
	people         [4]int64 // accounts
	cands          [4]int64 // candidatures, all for c1
	runID          int64
	central, other domain.Actor
}

func newReportFixture(t *testing.T, d *db.DB, minSocial int) *reportFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &reportFixture{st: st, words: words}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	f.est = domain.Establishment{Code: "E11", Name: "École Parmentier", Address: "5 rue Parmentier", PostalCode: "75011",
		City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 1"}}}
	f.form = domain.Formation{Code: "ANG-1", Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
		Evaluation: domain.EvaluationNone, Kind: domain.KindGeneral}
	se := domain.Session{Code: "2026-ANNUEL", Name: "Année 2026-2027", Kind: domain.SessionAnnual,
		FirstDay: time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2027, 6, 19, 0, 0, 0, 0, time.UTC),
		CandidatureOpens: time.Date(2026, 9, 1, 10, 0, 0, 0, paris), CandidatureCloses: domain.DeadlineOn(2026, time.September, 15),
		AnswerOpens: time.Date(2026, 9, 20, 0, 0, 0, 0, paris), AnswerCloses: domain.DeadlineOn(2026, time.September, 26)}
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		if err := errors.Join(st.InsertEstablishment(ctx, tx, &f.est), st.InsertFormation(ctx, tx, &f.form),
			st.InsertSession(ctx, tx, &se)); err != nil {
			return err
		}
		course := func(code string, wd time.Weekday) domain.Course {
			return domain.Course{Code: code, FormationID: f.form.ID, EstablishmentID: f.est.ID, RoomID: f.est.Rooms[0].ID,
				SessionID: se.ID, Weekday: wd, StartMinute: 18 * 60, EndMinute: 20 * 60, Level: f.form.Level, Capacity: 1,
				Trainer: "Mme Dupont", PriceCents: 31200, ReducedCents: 15600}
		}
		f.c1, f.c2 = course("C1", time.Monday), course("C2", time.Tuesday)
		if err := errors.Join(st.InsertCourse(ctx, tx, &f.c1), st.InsertCourse(ctx, tx, &f.c2)); err != nil {
			return err
		}
		if _, err := st.SetFormationMinSocialTx(ctx, tx, f.form.ID, minSocial); err != nil {
			return err
		}
		if err := st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: now.Add(-time.Hour), Body: "Règlement"}); err != nil {
			return err
		}
		staff := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: "agent@ville.fr",
			FirstName: "Aline", LastName: "Agent", CreatedAt: now}
		if err := st.InsertAccount(ctx, tx, &staff); err != nil {
			return err
		}
		f.staff = staff.ID
		for i := range f.people {
			a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: fmt.Sprintf("p%d@exemple.fr", i),
				FirstName: "Prénom", LastName: fmt.Sprintf("Nom%d", i), CreatedAt: now}
			if err := st.InsertAccount(ctx, tx, &a); err != nil {
				return err
			}
			key := fmt.Sprintf("key-%d", i)
			if err := st.InsertValidation(ctx, tx, key, a.ID, now); err != nil {
				return err
			}
			c := domain.Candidature{AccountID: a.ID, CourseID: f.c1.ID, FormationID: f.form.ID, SessionID: se.ID,
				Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: "2026-1", CreatedAt: now}
			if err := st.InsertCandidature(ctx, tx, &c, key, a.ID); err != nil {
				return err
			}
			f.people[i], f.cands[i] = a.ID, c.ID
		}
		// Candidate 0 scored 15; candidate 3 was absent.
		_, err := tx.ExecContext(ctx, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at)
			VALUES ($1, 'score', 15, 0, $2, $3), ($4, 'absent', NULL, 0, $2, $3)`, f.cands[0], f.staff, now.Format(time.RFC3339), f.cands[3])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(st, words, "C", time.Minute, func() time.Time { return now })
	f.svc = New(Deps{Store: st, Catalogue: cat, Words: words, Now: func() time.Time { return now }, Paris: paris})
	f.central = domain.Actor{AccountID: f.staff, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	f.other = domain.Actor{AccountID: f.staff, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: f.est.ID + 1000}}}

	// The run: 0 accepted in c1 (RSA, 15), 1 accepted in c2 by a redirect
	// (14), 2 waiting on both (job seeker, 12) with c2... removed for a clash
	// elsewhere, 3 withdrawn (absent).
	f.runID, err = st.StartRun(ctx, se.ID, domain.PassMain, 42, f.staff, now, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	outs := []domain.RunOutcome{
		{CandidatureID: f.cands[0], Outcome: domain.OutcomeAccepted, CourseID: f.c1.ID, Evaluation: 15, Social: 1, Record: 2, Motivation: 1, Lottery: 7},
		{CandidatureID: f.cands[1], Outcome: domain.OutcomeAccepted, CourseID: f.c2.ID, Redirected: true, Evaluation: 14, Record: 1, Motivation: 2, Lottery: 3,
			Waiting: []domain.WaitingPlace{{CourseID: f.c1.ID, Position: 1}}},
		{CandidatureID: f.cands[2], Outcome: domain.OutcomeWaiting, Evaluation: 12, Social: 2, Lottery: 1, Removed: []int64{f.c2.ID},
			Waiting: []domain.WaitingPlace{{CourseID: f.c1.ID, Position: 2}, {CourseID: f.c2.ID, Position: 1}}},
		{CandidatureID: f.cands[3], Outcome: domain.OutcomeWithdrawn, Gate: "withdrawn", Lottery: 9},
	}
	if err := st.FinishRun(ctx, f.runID, "sha256:abc", "{}", outs, now); err != nil {
		t.Fatal(err)
	}
	return f
}

// publish marks the run published and gives the candidatures its outcomes,
// as the publishing (another file's business) does.
func (f *reportFixture) publish(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	d := f.st.DB()
	exec := func(q string, args ...any) {
		if _, err := d.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE selection_runs SET status = 'published', published_by = $1, published_at = finished_at WHERE id = $2`, f.staff, f.runID)
	for i, st := range []string{"accepted", "accepted", "waiting", "withdrawn"} {
		exec(`UPDATE candidatures SET status = $1, decided_run_id = $2 WHERE id = $3`, st, f.runID, f.cands[i])
	}
	exec(`UPDATE candidatures SET accepted_course_id = $1 WHERE id = $2`, f.c1.ID, f.cands[0])
	exec(`UPDATE candidatures SET accepted_course_id = $1 WHERE id = $2`, f.c2.ID, f.cands[1])
	// 1, accepted in c2 by a redirect, still waits for c1, which it
	// preferred (SEL-5), ahead of 2.
	exec(`INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES ($1, $5, 1, $3), ($1, $2, 2, $3), ($4, $2, 1, $3)`,
		f.c1.ID, f.cands[2], f.runID, f.c2.ID, f.cands[1])
}

func (f *reportFixture) candidate(i int) domain.Actor {
	return domain.Actor{AccountID: f.people[i], Kind: domain.AccountCandidate}
}

// worded words lines in French and fails on a key left unworded.
func (f *reportFixture) worded(t *testing.T, lines []Line) string {
	t.Helper()
	p := f.words.Printer(i18n.French)
	var out []string
	for _, l := range lines {
		s := p.WordKeyed(l)
		if strings.Contains(s, "selection.") || strings.Contains(s, "allocation.") || strings.Contains(s, "<no value>") {
			t.Errorf("line %s is not worded: %q", l.Key, s)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func keys(lines []Line) string {
	var out []string
	for _, l := range lines {
		out = append(out, l.Key)
	}
	return strings.Join(out, " ")
}
