package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"cma/internal/candidature"
	"cma/internal/store"
)

// eraseProofsEvery is how often the leader queues the erasure of expired
// proofs. Retention is counted in months: a day late is of no consequence.
const eraseProofsEvery = 24 * time.Hour

// EraseProofsArgs is the periodic job that erases the proofs whose retention
// is over (candidature.ProofRetentionMonths). Only River's leader queues it; a
// new leader queues one at once (RunOnStart). It has no uniqueness key: a run
// is one query when nothing is due, and erasing twice erases nothing more.
type EraseProofsArgs struct{}

// Kind names the job for River.
func (EraseProofsArgs) Kind() string { return "erase_expired_proofs" }

// proofEraser is the one thing the worker needs.
type proofEraser func(ctx context.Context, now time.Time) (int, error)

// EraseProofs erases the expired proofs in one transaction.
type EraseProofs struct {
	river.WorkerDefaults[EraseProofsArgs]
	erase proofEraser
	now   func() time.Time
}

// Work erases them.
func (w *EraseProofs) Work(ctx context.Context, _ *river.Job[EraseProofsArgs]) error {
	_, err := w.erase(ctx, w.now())
	return err
}

// addRetention registers the worker and its daily schedule, the first run
// when the client starts.
func addRetention(workers *river.Workers, rc *river.Config, st *store.Store, now func() time.Time) {
	erase := func(ctx context.Context, at time.Time) (int, error) {
		// Validation drafts never validated hold a proof too: they go after a day.
		if _, err := candidature.EraseOldDrafts(ctx, st, at); err != nil {
			return 0, err
		}
		return candidature.EraseExpiredProofs(ctx, st, at)
	}
	river.AddWorker(workers, &EraseProofs{erase: erase, now: now})
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(eraseProofsEvery),
		func() (river.JobArgs, *river.InsertOpts) { return EraseProofsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "erase_expired_proofs", RunOnStart: true}))
}
