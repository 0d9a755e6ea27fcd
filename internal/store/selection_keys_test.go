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

// TestSelectionOutput_SEL1_what_runs_name_stays: a run's outcomes and
// waiting places, and the live waiting lists, name candidatures, courses and
// runs that stay, on both engines, although PostgreSQL checks it without
// per-row foreign keys (migration 00025): a course a run's waiting place
// names cannot be deleted, nor a run, while a course nothing names can.
func TestSelectionOutput_SEL1_what_runs_name_stays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		now := time.Date(2026, 9, 20, 10, 0, 0, 0, time.UTC)
		waited, free := f.course("C5", f.english, 0, 20), f.course("C6", f.english, 0, 20)
		if err := s.InTx(ctx, func(tx *sql.Tx) error {
			if err := s.InsertCourse(ctx, tx, &waited); err != nil {
				return err
			}
			return s.InsertCourse(ctx, tx, &free)
		}); err != nil {
			t.Fatal(err)
		}
		var candidature int64
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM candidatures WHERE course_id = $1`, f.c1.ID).Scan(&candidature); err != nil {
			t.Fatal(err)
		}
		run, err := s.StartRun(ctx, f.session.ID, domain.PassMain, 7, f.agent.ID, now, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		outcomes := []domain.RunOutcome{{RunID: run, CandidatureID: candidature, Outcome: domain.OutcomeWaiting,
			Waiting: []domain.WaitingPlace{{CourseID: waited.ID, Position: 1}}}}
		if err := s.FinishRun(ctx, run, "digest", "{}", outcomes, now); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) error {
			return s.InTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, q, args...)
				return err
			})
		}
		if err := exec(`DELETE FROM courses WHERE id = $1`, waited.ID); err == nil {
			t.Errorf("course %d, where run %d has a waiting place, was deleted", waited.ID, run)
		}
		if err := exec(`DELETE FROM selection_runs WHERE id = $1`, run); err == nil {
			t.Errorf("run %d, which has outcomes, was deleted", run)
		}
		if err := exec(`DELETE FROM courses WHERE id = $1`, free.ID); err != nil {
			t.Errorf("course %d, which nothing names, could not be deleted: %v", free.ID, err)
		}
		got, err := s.RunOutcomes(ctx, run)
		if err != nil || len(got) != 1 || len(got[0].Waiting) != 1 || got[0].Waiting[0].CourseID != waited.ID {
			t.Errorf("outcomes of run %d: %+v, %v", run, got, err)
		}
	})
}
