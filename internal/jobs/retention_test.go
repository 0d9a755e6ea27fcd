package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/store"
)

// TestEraseProofs_CAN9_retention runs the periodic job in a real River
// client on both engines: it erases the bytes of exactly the proofs whose
// candidatures were all cancelled more than three months ago, and of proofs
// no candidature uses uploaded more than three months ago, records each in
// the audit trail as the platform's action, and leaves every other proof
// whole. A second run erases nothing more; the next day's erases the proof
// whose three months ended in between.
func TestEraseProofs_CAN9_retention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := store.New(d)
		now := time.Date(2027, 6, 1, 3, 0, 0, 0, time.UTC)
		if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: now.AddDate(0, -6, 0)}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		var courses []domain.Course
		rows, err := d.R.QueryContext(ctx, `SELECT id, formation_id, session_id FROM courses ORDER BY id LIMIT 2`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c domain.Course
			if err := rows.Scan(&c.ID, &c.FormationID, &c.SessionID); err != nil {
				t.Fatal(err)
			}
			courses = append(courses, c)
		}
		rows.Close()
		if len(courses) < 2 {
			t.Fatal("demo without courses")
		}

		months := func(n int) time.Time { return now.AddDate(0, -n, 0) }
		type use struct {
			course      int       // index in courses
			cancelledAt time.Time // zero: still submitted
		}
		cases := []struct {
			name     string
			uploaded time.Time
			uses     []use
			erased   bool
			nextDay  bool // erased by the run of the day after
		}{
			{"cancelled four months ago", months(5), []use{{0, months(4)}}, true, false},
			{"cancelled two months ago", months(5), []use{{0, months(2)}}, false, false},
			{"cancelled a day short of three months", months(5), []use{{0, months(3).Add(24 * time.Hour)}}, false, true},
			{"still submitted, uploaded a year ago", months(12), []use{{0, time.Time{}}}, false, false},
			{"one of two cancelled long ago, one submitted", months(8), []use{{0, months(7)}, {1, time.Time{}}}, false, false},
			{"both cancelled long ago", months(8), []use{{0, months(7)}, {1, months(6)}}, true, false},
			{"used by nothing, uploaded four months ago", months(4), nil, true, false},
			{"used by nothing, uploaded a month ago", months(1), nil, false, false},
		}
		proofs := make([]int64, len(cases))
		people := make([]int64, len(cases))
		err = st.InTx(ctx, func(tx *sql.Tx) error {
			if err := st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: months(24), Body: "Règlement."}); err != nil {
				return err
			}
			for i, c := range cases {
				a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: fmt.Sprintf("p%d@exemple.fr", i),
					FirstName: "Personne", LastName: fmt.Sprint(i), CreatedAt: c.uploaded}
				if err := st.InsertAccount(ctx, tx, &a); err != nil {
					return err
				}
				people[i] = a.ID
				p := &domain.Proof{AccountID: a.ID, ContentType: "application/pdf", Data: []byte("%PDF-1.4 justificatif"),
					SHA256: "x", IssueDate: c.uploaded.AddDate(0, 0, -7), UploadedAt: c.uploaded}
				if err := st.InsertProof(ctx, tx, p); err != nil {
					return err
				}
				proofs[i] = p.ID
				if len(c.uses) == 0 {
					continue
				}
				key := fmt.Sprintf("key-%d", i)
				if err := st.InsertValidation(ctx, tx, key, a.ID, c.uploaded); err != nil {
					return err
				}
				for _, u := range c.uses {
					course := courses[u.course]
					cand := domain.Candidature{AccountID: a.ID, CourseID: course.ID, FormationID: course.FormationID, SessionID: course.SessionID,
						Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: "2026-1",
						HalfTariffClaim: true, ProofID: p.ID, CreatedAt: c.uploaded}
					if err := st.InsertCandidature(ctx, tx, &cand, key, a.ID); err != nil {
						return err
					}
					if !u.cancelledAt.IsZero() {
						if _, err := st.CancelCandidature(ctx, tx, cand.ID, u.cancelledAt, a.ID); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		runJob(t, d, st, now)
		check := func(run string, dayAfter bool) {
			t.Helper()
			for i, c := range cases {
				var size int
				var erasedAt sql.NullString
				if err := d.R.QueryRowContext(ctx, `SELECT length(data), CAST(erased_at AS TEXT) FROM proofs WHERE id = $1`, proofs[i]).Scan(&size, &erasedAt); err != nil {
					t.Fatal(err)
				}
				want := c.erased || dayAfter && c.nextDay
				if erased := size == 0 && erasedAt.Valid; erased != want || !erased && (size == 0 || erasedAt.Valid) {
					t.Errorf("%s: %s: %d bytes left, erased at %v; want erased %v", run, c.name, size, erasedAt, want)
				}
				var audits int
				if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'proof.erased'
					AND subject_account_id = $1 AND actor_account_id IS NULL`, people[i]).Scan(&audits); err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int{true: 1}[want]; audits != want {
					t.Errorf("%s: %s: %d audit events, want %d", run, c.name, audits, want)
				}
			}
		}
		check("first run", false)
		runJob(t, d, st, now.Add(time.Hour))
		check("second run, an hour later", false)
		runJob(t, d, st, now.Add(25*time.Hour))
		check("run of the day after", true)
	})
}

// runJob starts a River client with the platform's workers at the given
// clock, waits until the erasure job it queues at start has completed, and
// stops it.
func runJob(t *testing.T, d *db.DB, st *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	var before int
	count := func() int {
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'erase_expired_proofs' AND state = 'completed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before = count()
	client, err := jobs.New(d, st, nil, jobs.Config{Workers: 1, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer client.Stop(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for count() == before {
		if time.Now().After(deadline) {
			var state string
			_ = d.R.QueryRowContext(ctx, `SELECT state FROM river_job WHERE kind = 'erase_expired_proofs' ORDER BY id DESC LIMIT 1`).Scan(&state)
			t.Fatalf("the erasure job did not complete (last state %q)", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
