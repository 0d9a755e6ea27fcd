package batch_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/batch"
)

type batchReq struct {
	key   int64
	seq   int // order of Do calls for the same key
	batch int // which batch ran it (set by run)
	runs  int
}

// TestBatcher_runs_each_request_once_in_bounded_batches fires concurrent requests,
// several per key, through batchers of one and of three leaders: every request is
// run exactly once, no batch holds two requests of one key or more than the
// maximum, and no more batches run at once than allowed.
func TestBatcher_runs_each_request_once_in_bounded_batches(t *testing.T) {
	for _, leaders := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d leaders", leaders), func(t *testing.T) {
			const keys, perKey, maxBatch = 40, 5, 8
			var mu sync.Mutex
			var batches, running, mostRunning int
			b := batch.NewBatcher(maxBatch, leaders, func(r *batchReq) int64 { return r.key }, func(batch []*batchReq) {
				mu.Lock()
				batches++
				n := batches
				running++
				mostRunning = max(mostRunning, running)
				mu.Unlock()
				if len(batch) > maxBatch {
					t.Errorf("batch of %d requests, at most %d wanted", len(batch), maxBatch)
				}
				seen := map[int64]bool{}
				for _, r := range batch {
					if seen[r.key] {
						t.Errorf("key %d twice in one batch", r.key)
					}
					seen[r.key] = true
					r.batch = n
					r.runs++
				}
				time.Sleep(time.Millisecond) // long enough for requests to queue meanwhile
				mu.Lock()
				running--
				mu.Unlock()
			})
			var wg sync.WaitGroup
			var reqs []*batchReq
			for k := range keys {
				for i := range perKey {
					r := &batchReq{key: int64(k), seq: i}
					reqs = append(reqs, r)
					wg.Add(1)
					go func() { defer wg.Done(); b.Do(r) }()
				}
			}
			wg.Wait()
			for _, r := range reqs {
				if r.runs != 1 {
					t.Fatalf("request %d/%d ran %d times, once wanted", r.key, r.seq, r.runs)
				}
			}
			if mostRunning > leaders {
				t.Errorf("%d batches ran at once, at most %d wanted", mostRunning, leaders)
			}
			if batches >= len(reqs) {
				t.Errorf("%d batches for %d requests: nothing was batched", batches, len(reqs))
			}
		})
	}
}

// TestBatcher_same_key_waits_for_the_next_batch: a request whose key is already in
// the batch being taken waits for the next one, and runs after it.
func TestBatcher_same_key_waits_for_the_next_batch(t *testing.T) {
	holding, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var ran [][]int
	b := batch.NewBatcher(10, 1, func(r *batchReq) int64 { return r.key }, func(batch []*batchReq) {
		if batch[0].seq == 0 {
			close(holding)
			<-release // hold the first batch so that the others queue behind it
		}
		mu.Lock()
		var seqs []int
		for _, r := range batch {
			seqs = append(seqs, r.seq)
		}
		ran = append(ran, seqs)
		mu.Unlock()
	})
	var wg sync.WaitGroup
	do := func(r *batchReq) {
		wg.Add(1)
		go func() { defer wg.Done(); b.Do(r) }()
	}
	do(&batchReq{key: 1, seq: 0})
	waitQueued := func(n int) {
		for b.Queued() != n {
			runtime.Gosched()
		}
	}
	<-holding // the first request runs in a batch of its own
	do(&batchReq{key: 2, seq: 1})
	waitQueued(1)
	do(&batchReq{key: 2, seq: 2}) // same key as seq 1: not in the same batch
	waitQueued(2)
	do(&batchReq{key: 3, seq: 3})
	waitQueued(3)
	close(release)
	wg.Wait()
	got := fmt.Sprint(ran)
	if got != "[[0] [1 3] [2]]" {
		t.Fatalf("batches ran %s, want [[0] [1 3] [2]]", got)
	}
}

// TestBatcher_panic_goes_on_in_every_caller_of_the_batch, and the batcher still
// serves the requests after it.
func TestBatcher_panic_goes_on_in_every_caller_of_the_batch(t *testing.T) {
	var calls atomic.Int32
	b := batch.NewBatcher(64, 1, func(r *batchReq) int64 { return r.key }, func(batch []*batchReq) {
		calls.Add(1)
		for _, r := range batch {
			if r.seq < 0 {
				panic("boom")
			}
			r.runs++
		}
	})
	recovered := func(r *batchReq) (p any) {
		defer func() { p = recover() }()
		b.Do(r)
		return nil
	}
	if p := recovered(&batchReq{key: 1, seq: -1}); p == nil || !strings.Contains(fmt.Sprint(p), "boom") {
		t.Fatalf("panic %v, want boom", p)
	}
	var wg sync.WaitGroup
	reqs := make([]*batchReq, 20)
	for i := range reqs {
		reqs[i] = &batchReq{key: int64(i)}
		wg.Add(1)
		go func() { defer wg.Done(); b.Do(reqs[i]) }()
	}
	wg.Wait()
	for _, r := range reqs {
		if r.runs != 1 {
			t.Fatalf("after a panic, request %d ran %d times", r.key, r.runs)
		}
	}
}
