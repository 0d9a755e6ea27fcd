package selection_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/selection"
	"cma/internal/store"
)

// listsCity is one establishment, a first-day-tested formation with two
// courses (beginners, intermediate), another establishment's course, and
// candidates filed in the reverse order of their names.
type listsCity struct {
	svc             *selection.Service
	est, other      domain.Establishment
	c1, c2, foreign domain.Course
	cand            map[string]int64 // last name → candidature in c1
	run             int64
}

func newListsCity(t *testing.T, d *db.DB) listsCity {
	t.Helper()
	ctx := context.Background()
	s := store.New(d)
	now := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	c := listsCity{cand: map[string]int64{}}
	c.est = domain.Establishment{Code: "E11", Name: "École Parmentier", Address: "5 rue Parmentier", PostalCode: "75011",
		City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 1"}}}
	c.other = domain.Establishment{Code: "E12", Name: "Lycée Voltaire", Address: "101 avenue de la République",
		PostalCode: "75011", City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 2"}}}
	english := domain.Formation{Code: "ANG", Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
		Evaluation: domain.EvaluationFirstDayTest, Kind: domain.KindGeneral}
	session := domain.Session{Code: "2026-ANNUEL", Name: "Année 2026-2027", Kind: domain.SessionAnnual,
		FirstDay: time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2027, 6, 19, 0, 0, 0, 0, time.UTC),
		CandidatureOpens: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), CandidatureCloses: domain.DeadlineOn(2026, time.September, 15),
		AnswerOpens: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), AnswerCloses: domain.DeadlineOn(2026, time.September, 26)}
	var agent int64
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		if err := errors.Join(s.InsertEstablishment(ctx, tx, &c.est), s.InsertEstablishment(ctx, tx, &c.other),
			s.InsertFormation(ctx, tx, &english), s.InsertSession(ctx, tx, &session)); err != nil {
			return err
		}
		course := func(code string, e domain.Establishment, day time.Weekday) domain.Course {
			return domain.Course{Code: code, FormationID: english.ID, EstablishmentID: e.ID, RoomID: e.Rooms[0].ID,
				SessionID: session.ID, Weekday: day, StartMinute: 18*60 + 30, EndMinute: 20*60 + 30,
				Level: english.Level, Capacity: 2, Trainer: "Mme Dupont", PriceCents: 31200, ReducedCents: 15600}
		}
		c.c1, c.c2, c.foreign = course("ANG-A", c.est, time.Monday), course("ANG-B", c.est, time.Tuesday), course("ANG-V", c.other, time.Monday)
		for _, co := range []*domain.Course{&c.c1, &c.c2, &c.foreign} {
			if err := s.InsertCourse(ctx, tx, co); err != nil {
				return err
			}
		}
		if err := s.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: now.Add(-time.Hour), Body: "Règlement"}); err != nil {
			return err
		}
		staff := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: "agent@ville.fr",
			FirstName: "Aline", LastName: "Agent", CreatedAt: now}
		if err := s.InsertAccount(ctx, tx, &staff); err != nil {
			return err
		}
		agent = staff.ID
		for i, p := range [][2]string{{"Paul", "Ezan"}, {"Anne", "Eyraud"}, {"Zoé", "Éluard"}, {"Léa", "dubois"}, {"Marc", "Zola"}} {
			a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: fmt.Sprintf("p%d@exemple.fr", i),
				FirstName: p[0], LastName: p[1], CreatedAt: now}
			if err := s.InsertAccount(ctx, tx, &a); err != nil {
				return err
			}
			key := fmt.Sprintf("key-%d", i)
			if err := s.InsertValidation(ctx, tx, key, a.ID, now); err != nil {
				return err
			}
			cand := domain.Candidature{AccountID: a.ID, CourseID: c.c1.ID, FormationID: english.ID, SessionID: session.ID,
				Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: "2026-1", CreatedAt: now}
			if err := s.InsertCandidature(ctx, tx, &cand, key, a.ID); err != nil {
				return err
			}
			c.cand[p[1]] = cand.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.run, err = s.StartRun(ctx, session.ID, domain.PassPlacement, 7, agent, now, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, c.run, "sha256:x", "{}", nil, now); err != nil {
		t.Fatal(err)
	}
	// What the published placement pass left: every candidature convoked to
	// c1's first class and tested; Zola, Éluard and dubois accepted (Zola
	// placed in c2), Ezan waiting 2nd and Eyraud 1st, nobody not retained.
	state := map[string]struct {
		status   domain.CandidatureStatus
		accepted int64
		position int
	}{
		"Ezan": {domain.CandidatureWaiting, 0, 2}, "Eyraud": {domain.CandidatureWaiting, 0, 1},
		"Éluard": {domain.CandidatureAccepted, c.c1.ID, 0}, "dubois": {domain.CandidatureAccepted, c.c1.ID, 0},
		"Zola": {domain.CandidatureAccepted, c.c2.ID, 0},
	}
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		for who, st := range state {
			id := c.cand[who]
			var acc any
			if st.accepted != 0 {
				acc = st.accepted
			}
			if _, err := tx.ExecContext(ctx, `UPDATE candidatures SET status = $1, accepted_course_id = $2, decided_run_id = $3 WHERE id = $4`,
				string(st.status), acc, c.run, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO convocations (candidature_id, course_id, at, place, sent_at) VALUES ($1, $2, $3, $4, $5)`,
				id, c.c1.ID, "2026-09-28T16:30:00Z", "École Parmentier, Salle 1", "2026-09-16T08:00:00Z"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at)
				VALUES ($1, 'score', 12, 0, $2, $3)`, id, agent, "2026-09-29T08:00:00Z"); err != nil {
				return err
			}
			if st.position > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES ($1, $2, $3, $4)`,
					c.c1.ID, id, st.position, c.run); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE selection_runs SET status = 'published' WHERE id = $1`, c.run)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(s, words, "C", time.Minute, func() time.Time { return now })
	c.svc = selection.New(selection.Deps{Store: s, Catalogue: cat, Now: func() time.Time { return now }})
	return c
}

func director(est int64) domain.Actor {
	return domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: est}}}
}

func TestCourseLists_SEL2_PER2_ROLE3_acceptedByFrenchNameWaitingByPosition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newListsCity(t, d)
		l, err := c.svc.CourseLists(ctx, director(c.est.ID), c.c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range l.Accepted {
			names = append(names, a.LastName)
		}
		// French order, case and accents aside: dubois, Éluard (not after Zola).
		if fmt.Sprint(names) != "[dubois Éluard]" {
			t.Errorf("accepted in c1 = %v", names)
		}
		if len(l.Accepted) > 0 && (l.Accepted[0].Convocation == nil || l.Accepted[0].Result == nil) {
			t.Errorf("accepted without convocation or result: %+v", l.Accepted[0])
		}
		names = nil
		for _, w := range l.Waiting {
			names = append(names, fmt.Sprintf("%d %s", w.Position, w.LastName))
		}
		if fmt.Sprint(names) != "[1 Eyraud 2 Ezan]" {
			t.Errorf("waiting for c1 = %v", names)
		}
		l2, err := c.svc.CourseLists(ctx, director(c.est.ID), c.c2.ID)
		if err != nil || len(l2.Accepted) != 1 || l2.Accepted[0].LastName != "Zola" || len(l2.Waiting) != 0 {
			t.Errorf("c2 lists = %+v, %v", l2, err)
		}
	})
}

func TestCourseLists_ROLE3_ROLE4_ROLE2_ROLE5_scope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newListsCity(t, d)
		for _, tc := range []struct {
			name  string
			actor domain.Actor
			want  error
		}{
			{"own director", director(c.est.ID), nil},
			{"another establishment's director", director(c.other.ID), selection.ErrForbidden},
			{"coordinator of the formation", domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: c.c1.FormationID}}}, nil},
			{"trainer of another course", domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: c.c2.ID}}}, selection.ErrForbidden},
			{"trainer of the course", domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: c.c1.ID}}}, nil},
			{"central", domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}, nil},
			{"candidate", domain.Actor{AccountID: 1, Kind: domain.AccountCandidate}, selection.ErrForbidden},
		} {
			if _, err := c.svc.CourseLists(ctx, tc.actor, c.c1.ID); !errors.Is(err, tc.want) {
				t.Errorf("%s: lists: %v, want %v", tc.name, err, tc.want)
			}
			if _, err := c.svc.ResultsPosting(ctx, tc.actor, c.c1.ID); !errors.Is(err, tc.want) {
				t.Errorf("%s: posting: %v, want %v", tc.name, err, tc.want)
			}
		}
		if _, err := c.svc.CourseLists(ctx, director(c.est.ID), 999999); !errors.Is(err, selection.ErrNotFound) {
			t.Errorf("no such course: %v", err)
		}
	})
}

func TestResultsPosting_SEL2_SEL3_everyTestedCandidatureOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newListsCity(t, d)
		p, err := c.svc.ResultsPosting(ctx, director(c.est.ID), c.c1.ID)
		if err != nil || len(p.Results) != 5 {
			t.Fatalf("posting = %+v, %v", p, err)
		}
		got := map[int64]selection.PostedResult{}
		for _, r := range p.Results {
			got[r.CandidatureID] = r
			if r.ValidationKey == "" {
				t.Errorf("%d: no validation key", r.CandidatureID)
			}
		}
		if r := got[c.cand["Zola"]]; r.Status != domain.CandidatureAccepted || r.AcceptedIn == nil || r.AcceptedIn.ID != c.c2.ID {
			t.Errorf("Zola placed in c2 (SEL-3): %+v", r)
		}
		if r := got[c.cand["Ezan"]]; r.Status != domain.CandidatureWaiting || r.Waiting != 2 || r.WaitingFor != nil {
			t.Errorf("Ezan waiting 2nd: %+v", r)
		}
		if p2, err := c.svc.ResultsPosting(ctx, director(c.est.ID), c.c2.ID); err != nil || len(p2.Results) != 0 {
			t.Errorf("c2 had no first-day convocation: %+v, %v", p2, err)
		}
	})
}
