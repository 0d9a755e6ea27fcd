// Package jobs runs the platform's background work with River: jobs are queued
// inside the business transaction that needs them (a transactional outbox), so
// a confirmation email exists exactly when its candidatures do, and River
// retries what fails. Its tables live next to the platform's, on SQLite (one
// writer shared with the application) or PostgreSQL.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"cma/internal/db"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Client is River's client over database/sql transactions.
type Client = river.Client[*sql.Tx]

func driver(d *db.DB) riverdriver.Driver[*sql.Tx] {
	if d.Dialect == db.Postgres {
		return riverdatabasesql.New(d.W)
	}
	return riversqlite.New(d.W)
}

// Migrate creates or updates River's tables.
func Migrate(ctx context.Context, d *db.DB) error {
	m, err := rivermigrate.New(driver(d), nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return nil
}

// Config says how many jobs run at once; zero workers gives an insert-only
// client (commands and tests that queue but do not work).
type Config struct {
	Workers int
	Log     *slog.Logger
	Now     func() time.Time
	// FetchCooldown and FetchPollInterval override DefaultFetchCooldown and
	// DefaultFetchPollInterval when set (benchmarks).
	FetchCooldown, FetchPollInterval time.Duration
	// Metrics counts the emails sent and failed (nil: counted nowhere).
	Metrics *outbox.Metrics
	// Timers are the capabilities' periodic work, run on their own queue
	// by a client that is started (timers.go).
	Timers []Timer
}

// How often the workers look for jobs. Neither driver listens for inserts (no
// LISTEN/NOTIFY through database/sql), so River polls on both engines, and it
// fetches again at most once per cooldown as workers free up: a queue works at
// most about Workers jobs per cooldown. River's 100 ms cooldown, with four
// workers, held the confirmations to about 40 a second. 25 ms with the default
// 4 workers, each job a group of up to 64 messages, allows about 10,000 a
// second, above what the relay takes; a fetch locks several jobs at once. The poll interval is how soon an email
// queued in an idle instance starts: a quarter of a second, one small query
// each time.
const (
	DefaultFetchCooldown     = 25 * time.Millisecond
	DefaultFetchPollInterval = 250 * time.Millisecond
)

// New returns a River client with the platform's workers: the outbox's email
// worker, reading its messages from st (through the narrow outbox.Store) and
// sending them with send, and the periodic erasure of expired proofs.
func New(d *db.DB, st *store.Store, send outbox.Sender, cfg Config) (*Client, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, outbox.NewWorker(st, send, cfg.Now).Observe(cfg.Log, cfg.Metrics))
	// A job whose instance died while working it is "running" until rescued: a
	// job may run 30 s at most, and after a minute it is taken up again, so a
	// confirmation interrupted by a crash goes out a minute later, not an hour.
	rc := &river.Config{Workers: workers, Logger: cfg.Log, JobTimeout: 30 * time.Second, RescueStuckJobsAfter: time.Minute}
	addRetention(workers, rc, st, cfg.Now)
	addTimers(workers, rc, cfg.Timers)
	if cfg.Workers > 0 || len(cfg.Timers) > 0 {
		rc.Queues = map[string]river.QueueConfig{}
		if cfg.Workers > 0 {
			rc.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: cfg.Workers}
		}
		if len(cfg.Timers) > 0 {
			rc.Queues[TimerQueue] = river.QueueConfig{MaxWorkers: 1}
		}
		rc.FetchCooldown = cmp.Or(cfg.FetchCooldown, DefaultFetchCooldown)
		rc.FetchPollInterval = cmp.Or(cfg.FetchPollInterval, DefaultFetchPollInterval)
	}
	c, err := river.NewClient(driver(d), rc)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return c, nil
}
