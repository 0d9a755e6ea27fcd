package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

// decide gives candidatures the state a published run leaves (the run's code
// is elsewhere): a published run of the session, each candidature's status
// and accepted course, the waiting list, convocations and results.
type decision struct {
	who      string // last name in the list fixture
	chosen   domain.Course
	status   domain.CandidatureStatus
	accepted *domain.Course
	waiting  int // position on chosen's waiting list; 0 for none
	convoked bool
	result   domain.ResultKind
	score    int
}

func decide(t *testing.T, s *store.Store, f listFixture, ds []decision) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 9, 20, 9, 0, 0, 0, time.UTC)
	run, err := s.StartRun(ctx, f.session.ID, domain.PassPlacement, 42, f.agent.ID, now, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, run, "sha256:x", "{}", nil, now); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE selection_runs SET status = 'published', published_by = $1, published_at = $2
			WHERE id = $3`, f.agent.ID, "2026-09-20T09:30:00Z", run); err != nil {
			return err
		}
		for _, d := range ds {
			var id int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM candidatures WHERE account_id = $1 AND course_id = $2`,
				f.people[d.who].ID, d.chosen.ID).Scan(&id); err != nil {
				return err
			}
			ids[d.who+" "+d.chosen.Code] = id
			var acc any
			if d.accepted != nil {
				acc = d.accepted.ID
			}
			if _, err := tx.ExecContext(ctx, `UPDATE candidatures SET status = $1, accepted_course_id = $2, decided_run_id = $3
				WHERE id = $4`, string(d.status), acc, run, id); err != nil {
				return err
			}
			if d.waiting > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO waiting_list (course_id, candidature_id, position, run_id)
					VALUES ($1, $2, $3, $4)`, d.chosen.ID, id, d.waiting, run); err != nil {
					return err
				}
			}
			if d.convoked {
				if _, err := tx.ExecContext(ctx, `INSERT INTO convocations (candidature_id, course_id, at, place, sent_at)
					VALUES ($1, $2, $3, $4, $5)`, id, d.chosen.ID, "2026-09-28T16:30:00Z", "École élémentaire Parmentier, Salle 1",
					"2026-09-16T08:00:00Z"); err != nil {
					return err
				}
			}
			if d.result != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at)
					VALUES ($1, $2, $3, 0, $4, $5)`, id, string(d.result), d.score, f.agent.ID, "2026-09-29T08:00:00Z"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestCourseLists_SEL2_PER2_acceptedWaitingAndFirstDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		// C1 (English, first-day test): Ezan accepted in C3 (placed elsewhere),
		// Éluard accepted in C1, Eyraud waiting 1st; Dubois chose C3 and was
		// accepted there without a test.
		ids := decide(t, s, f, []decision{
			{who: "Ezan", chosen: f.c1, status: domain.CandidatureAccepted, accepted: &f.c3, convoked: true, result: domain.ResultScore, score: 15},
			{who: "Éluard", chosen: f.c1, status: domain.CandidatureAccepted, accepted: &f.c1, convoked: true, result: domain.ResultPass},
			{who: "Eyraud", chosen: f.c1, status: domain.CandidatureWaiting, waiting: 1, convoked: true, result: domain.ResultScore, score: 9},
			{who: "Dubois", chosen: f.c3, status: domain.CandidatureAccepted, accepted: &f.c3},
		})

		acc, err := s.CourseAccepted(ctx, f.c1.ID)
		if err != nil || len(acc) != 1 || acc[0].LastName != "Éluard" {
			t.Fatalf("accepted in C1 = %+v, %v", acc, err)
		}
		if c := acc[0].Convocation; c == nil || c.Place == "" || !c.At.Equal(time.Date(2026, 9, 28, 16, 30, 0, 0, time.UTC)) || c.SittingID != 0 {
			t.Errorf("Éluard's convocation = %+v", c)
		}
		if r := acc[0].Result; r == nil || r.Kind != domain.ResultPass {
			t.Errorf("Éluard's result = %+v", r)
		}
		acc3, err := s.CourseAccepted(ctx, f.c3.ID)
		if err != nil || len(acc3) != 2 {
			t.Fatalf("accepted in C3 = %+v, %v", acc3, err)
		}
		for _, l := range acc3 {
			if l.LastName == "Dubois" && (l.Convocation != nil || l.Result != nil) {
				t.Errorf("Dubois had no test: %+v", l)
			}
			if l.LastName == "Ezan" && (l.CourseID != f.c1.ID || l.Result == nil || l.Result.Score != 15) {
				t.Errorf("Ezan placed in C3 = %+v", l)
			}
		}
		w, err := s.CourseWaiting(ctx, f.c1.ID)
		if err != nil || len(w) != 1 || w[0].LastName != "Eyraud" || w[0].Position != 1 {
			t.Fatalf("waiting for C1 = %+v, %v", w, err)
		}

		posted, err := s.CourseFirstDayTested(ctx, f.c1.ID)
		if err != nil || len(posted) != 3 {
			t.Fatalf("first-day tested in C1 = %+v, %v", posted, err)
		}
		for _, p := range posted {
			if p.CandidatureID == ids["Eyraud C1"] && (len(p.Waiting) != 1 || p.Waiting[0] != (domain.WaitingPlace{CourseID: f.c1.ID, Position: 1})) {
				t.Errorf("Eyraud's waiting places = %+v", p.Waiting)
			}
			if p.ValidationKey == "" {
				t.Errorf("%s: no validation key", p.LastName)
			}
		}
		if none, err := s.CourseFirstDayTested(ctx, f.c2.ID); err != nil || len(none) != 0 {
			t.Errorf("C2 had no first-day test: %+v, %v", none, err)
		}
	})
}

// A candidature on a waiting list but decided otherwise since (moved to
// accepted by the waiting-list capability) is not listed as waiting, and
// those behind it move up: the position shown is the rank among those still
// in line.
func TestCourseWaiting_PER2_byPositionOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		// Filed Ezan, Eyraud, Éluard: the positions say otherwise.
		decide(t, s, f, []decision{
			{who: "Ezan", chosen: f.c1, status: domain.CandidatureWaiting, waiting: 3},
			{who: "Eyraud", chosen: f.c1, status: domain.CandidatureWaiting, waiting: 1},
			{who: "Éluard", chosen: f.c1, status: domain.CandidatureAccepted, accepted: &f.c1, waiting: 2},
		})
		w, err := s.CourseWaiting(ctx, f.c1.ID)
		if err != nil || len(w) != 2 || w[0].LastName != "Eyraud" || w[1].LastName != "Ezan" || w[1].Position != 2 {
			t.Fatalf("waiting for C1 = %+v, %v", w, err)
		}
	})
}
