// Package batch runs requests that arrive together as one batch: the
// validations of a registration opening share one transaction (see Batcher).
package batch

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Batcher gathers the requests that arrive while earlier ones are being run, so
// that one transaction, one set of statements and one commit serve them all. At a
// registration opening every candidate of the city validates at once: answering
// them one transaction each spends most of the database's time on round trips and
// commits, not on the rows.
//
// There is no background goroutine. A caller that finds fewer than the allowed
// number of batches running runs one itself (it leads): its own request and those
// queued, up to a maximum. When a batch is done, its leader hands the lead to the
// first request queued since, if any. Requests with the same key (the same person)
// never share a batch: the later one waits for the next batch, so each request
// sees what the one before it committed.
type Batcher[T any] struct {
	max     int              // requests in one batch
	leaders int              // batches allowed at once
	key     func(T) int64    // requests with equal keys never share a batch
	run     func(batch []T)  // runs a batch and records each request's outcome in it
	mu      sync.Mutex       // guards queue and running
	queue   []*batchEntry[T] // waiting, first come first served
	running int              // batches running, or whose leader is about to run one
}

type batchEntry[T any] struct {
	req        T
	panicked   any           // what the batch panicked with: it goes on in every caller
	done       chan struct{} // closed once the request's batch has run
	lead       chan struct{} // receives once each time this caller must run a batch
	designated bool          // a lead is waiting in lead (guarded by the batcher's mu)
}

// NewBatcher returns a batcher that runs at most leaders batches at once, each of
// at most max requests with distinct keys, with run.
func NewBatcher[T any](max, leaders int, key func(T) int64, run func(batch []T)) *Batcher[T] {
	return &Batcher[T]{max: max, leaders: leaders, key: key, run: run}
}

// Do returns once req has been run as part of a batch. Its outcome is whatever run
// recorded in it. A panic in run goes on in the caller of every request of the
// batch, after the lead has been handed on.
func (b *Batcher[T]) Do(req T) {
	e := &batchEntry[T]{req: req, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, e)
	if b.running < b.leaders {
		b.running++
		b.designate(e)
	}
	b.mu.Unlock()
	for {
		select {
		case <-e.lead:
			b.lead(e)
		case <-e.done:
			// A lead given before the request was taken into someone else's
			// batch is still owed: nobody else will run the queue in its place.
			select {
			case <-e.lead:
				b.lead(e)
			default:
			}
			e.result()
			return
		}
	}
}

// designate gives e the next lead. The caller holds b.mu.
func (b *Batcher[T]) designate(e *batchEntry[T]) {
	e.designated = true
	e.lead <- struct{}{}
}

// lead runs one batch taken from the queue as e's caller, then hands the lead to
// the first waiting request that has none, or gives up its place.
func (b *Batcher[T]) lead(e *batchEntry[T]) {
	b.mu.Lock()
	e.designated = false
	batch := b.take()
	b.mu.Unlock()

	if len(batch) > 0 { // the queue may have been taken by other leaders meanwhile
		panicked := b.runBatch(batch)
		for _, x := range batch {
			x.panicked = panicked
			close(x.done)
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, next := range b.queue {
		if !next.designated {
			b.designate(next)
			return
		}
	}
	b.running--
}

// take removes from the queue the first requests with distinct keys, up to max; the
// others keep their places. The caller holds b.mu.
func (b *Batcher[T]) take() []*batchEntry[T] {
	var batch []*batchEntry[T]
	keys := make(map[int64]bool, min(len(b.queue), b.max))
	rest := b.queue[:0]
	for _, e := range b.queue {
		k := b.key(e.req)
		if len(batch) == b.max || keys[k] {
			rest = append(rest, e)
			continue
		}
		keys[k] = true
		batch = append(batch, e)
	}
	clear(b.queue[len(rest):]) // no dangling references behind the kept ones
	b.queue = rest
	return batch
}

// runBatch runs the batch and returns what it panicked with, if it did.
func (b *Batcher[T]) runBatch(batch []*batchEntry[T]) (panicked any) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprintf("%v [in a batch of %d requests]\n%s", r, len(batch), debug.Stack())
		}
	}()
	reqs := make([]T, len(batch))
	for i, e := range batch {
		reqs[i] = e.req
	}
	b.run(reqs)
	return nil
}

func (e *batchEntry[T]) result() {
	if e.panicked != nil {
		panic(e.panicked)
	}
}
