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

// TestCandidatureRecord_CAN4_history_and_validations_hold: what the foreign
// keys from candidature events to candidatures and from candidatures to
// validations guarded still holds on both engines, although PostgreSQL
// checks it without them (migration 00005): no event of a candidature that
// does not exist, and no validation or candidature that anything points at
// can be deleted or re-keyed.
func TestCandidatureRecord_CAN4_history_and_validations_hold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		at := time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)
		var candidature int64
		var key string
		if err := d.R.QueryRowContext(ctx, `SELECT id, validation_key FROM candidatures WHERE course_id = $1`, f.c2.ID).Scan(&candidature, &key); err != nil {
			t.Fatal(err)
		}
		events := func() int {
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM candidature_events`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := events()

		err := s.InTx(ctx, func(tx *sql.Tx) error {
			return s.InsertCandidatureEvent(ctx, tx, 999999, at, domain.CandidatureCancelled, 0, "annulée")
		})
		if err == nil {
			t.Error("an event of candidature 999999, which does not exist, was recorded")
		}
		if err := s.InTx(ctx, func(tx *sql.Tx) error {
			return s.InsertCandidatureEvent(ctx, tx, candidature, at, domain.CandidatureCancelled, 0, "annulée")
		}); err != nil {
			t.Fatalf("an event of candidature %d: %v", candidature, err)
		}
		if got := events(); got != before+1 {
			t.Errorf("%d events after one refused and one recorded, want %d", got, before+1)
		}

		for what, statement := range map[string]string{
			"delete the candidature": `DELETE FROM candidatures WHERE id = $1`,
			"re-key the candidature": `UPDATE candidatures SET id = 999999 WHERE id = $1`,
			"delete the validation":  `DELETE FROM validations WHERE key = (SELECT validation_key FROM candidatures WHERE id = $1)`,
			"re-key the validation":  `UPDATE validations SET key = 'autre' WHERE key = (SELECT validation_key FROM candidatures WHERE id = $1)`,
		} {
			err := s.InTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, statement, candidature)
				return err
			})
			if err == nil {
				t.Errorf("%s: allowed", what)
			}
		}
		var still int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM candidatures c JOIN validations v ON v.key = c.validation_key
			WHERE c.id = $1 AND v.key = $2`, candidature, key).Scan(&still); err != nil || still != 1 {
			t.Errorf("candidature %d with validation %q: %d rows, %v", candidature, key, still, err)
		}
	})
}
