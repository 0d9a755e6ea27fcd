package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Timer is periodic work of a capability (the waiting lists' offer expiry,
// reminders and SEL-4's closing): River's leader queues it every Every, and
// once at once when it becomes leader, so that an instance started after a
// stop catches up. Run must be safe to run twice or late: only one instance
// is leader at a time, but a job may be retried.
type Timer struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// TimerQueue is the queue the timers are worked on, one at a time per
// instance, apart from the emails so that a burst of emails never delays an
// expiry.
const TimerQueue = "timers"

// TimerArgs is a timer's job: its name says which.
type TimerArgs struct {
	Name string `json:"name"`
}

// Kind names the job for River.
func (TimerArgs) Kind() string { return "timer" }

// timerWorker runs a timer's job.
type timerWorker struct {
	river.WorkerDefaults[TimerArgs]
	timers map[string]Timer
}

// Work runs the named timer; an unknown name (a timer removed since it was
// queued) is done.
func (w *timerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	t, ok := w.timers[job.Args.Name]
	if !ok {
		return nil
	}
	if err := t.Run(ctx); err != nil {
		return fmt.Errorf("timer %s: %w", t.Name, err)
	}
	return nil
}

// addTimers registers the timers' worker and their schedules.
func addTimers(workers *river.Workers, rc *river.Config, timers []Timer) {
	if len(timers) == 0 {
		return
	}
	byName := map[string]Timer{}
	for _, t := range timers {
		byName[t.Name] = t
		name := t.Name
		rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(t.Every),
			func() (river.JobArgs, *river.InsertOpts) {
				return TimerArgs{Name: name}, &river.InsertOpts{Queue: TimerQueue, MaxAttempts: 3}
			},
			&river.PeriodicJobOpts{ID: "timer_" + name, RunOnStart: true}))
	}
	river.AddWorker(workers, &timerWorker{timers: byName})
}
