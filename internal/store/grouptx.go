package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"cma/internal/db"
)

// Group commit. SQLite has one writer: at a registration opening, every basket
// validation of the city waits for it, and each one's commit writes its own copy of
// the pages it touched to the write-ahead log. InGroupTx lets the validations that
// are waiting share one transaction and one commit, each inside its own savepoint,
// so that each still commits or rolls back on its own terms as far as its caller can
// tell.
//
// There is no background goroutine: the first caller to find no transaction running
// becomes the leader, runs one transaction for every caller queued at that moment,
// then hands the lead to the first caller queued since, if any.

// On PostgreSQL, dozens of validations at once on a few cores only contend for CPU,
// locks and the end of the same indexes: a handful at a time finish sooner, and
// waiting in order (a channel's senders queue first come, first served) keeps the
// slowest wait close to the average one. writeSlotsPerCPU was measured with the
// validation benchmark (bench/README.md).
const writeSlotsPerCPU = 3

// maxGroup bounds the work sharing one transaction, so that one commit's latency
// stays short under any queue.
const maxGroup = 64

type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupWork
	running bool // a leader is running a transaction or about to
}

type groupWork struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *sql.Tx) error
	err error
	// panicked is what fn panicked with, and where: the panic goes on in the
	// caller's goroutine, as it would without grouping.
	panicked any
	done     chan struct{} // closed once err is final: committed (nil) or not
	lead     chan struct{} // closed when this caller must run the next transaction
}

// SerializesWrites says whether write transactions run one at a time (SQLite), so
// that work done inside them delays every other writer.
func (s *Store) SerializesWrites() bool { return s.db.Dialect == db.SQLite }

// InGroupTx runs fn in a write transaction like InTx: fn's changes are committed if
// it returns nil and nothing of them is kept otherwise. On SQLite the transaction
// may be shared with other callers' work (group commit), so fn must not depend on
// running alone, which SQLite's single writer already prevents, and must use only tx
// for writes. On PostgreSQL at most a few such transactions run at once and the
// others wait their turn in order (see writeSlots). InGroupTx returns once fn's
// changes are committed or discarded.
//
// fn gets the context its statements should use. On SQLite it is not cancelled
// with ctx: fn starts only if ctx is still live and runs for well under a
// millisecond, whereas the driver watches every statement run with a cancellable
// context from a goroutine of its own, a cost paid by the one writer.
func (s *Store) InGroupTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if s.db.Dialect != db.SQLite {
		select {
		case s.writeSlots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.writeSlots }()
		return s.InTx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
	}
	g := s.group
	w := &groupWork{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	leader := !g.running
	g.running = true
	g.mu.Unlock()
	if !leader {
		select {
		case <-w.done:
			return w.result()
		case <-w.lead:
		}
	}
	// This caller leads: its own work is first in the queue.
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	s.runGroup(context.WithoutCancel(ctx), batch)
	for _, b := range batch {
		close(b.done)
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.running = false
	}
	g.mu.Unlock()
	return w.result()
}

func (w *groupWork) result() error {
	if w.panicked != nil {
		panic(w.panicked)
	}
	return w.err
}

// runGroup runs batch in one transaction, each work in a savepoint, and sets every
// work's err: its own failure, or the transaction's if nothing could be committed.
func (s *Store) runGroup(ctx context.Context, batch []*groupWork) {
	fail := func(err error) {
		for _, w := range batch {
			if w.err == nil {
				w.err = err
			}
		}
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin transaction: %w", err))
		return
	}
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT group_work"); err != nil {
			fail(errors.Join(fmt.Errorf("savepoint: %w", err), rollback(tx)))
			return
		}
		if err := runWork(w, tx); err != nil {
			w.err = err
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO group_work"); err != nil {
				fail(errors.Join(fmt.Errorf("roll back to savepoint: %w", err), rollback(tx)))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE group_work"); err != nil {
			fail(errors.Join(fmt.Errorf("release savepoint: %w", err), rollback(tx)))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
	}
}

// runWork runs w's function. A panic is kept for w's caller and rolls back w's
// work, so that the callers waiting for the same commit are still answered.
func runWork(w *groupWork, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.panicked = fmt.Sprintf("%v [in a grouped transaction]\n%s", r, debug.Stack())
			err = errors.New("panic in a grouped transaction")
		}
	}()
	return w.fn(context.WithoutCancel(w.ctx), tx)
}
