package auth

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock safe to read from several goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 9, 1, 18, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLimiter_signin_burst_then_refused_with_retry_after(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(0.5, 5, clock.Now) // 5 at once, then one every 2 s
	for i := range 5 {
		if ok, _ := l.Allow("signin:203.0.113.7"); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, retryAfter := l.Allow("signin:203.0.113.7")
	if ok {
		t.Fatal("attempt 6 allowed beyond the burst")
	}
	if retryAfter != 2*time.Second {
		t.Errorf("retryAfter = %v, want 2s", retryAfter)
	}
}

func TestLimiter_signin_refills_with_time(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(0.5, 2, clock.Now)
	l.Allow("k")
	l.Allow("k")
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("allowed beyond the burst")
	}

	clock.Advance(1 * time.Second) // half a token
	ok, retryAfter := l.Allow("k")
	if ok {
		t.Fatal("allowed with half a token")
	}
	if retryAfter <= 0 || retryAfter > time.Second {
		t.Errorf("retryAfter = %v, want in (0, 1s]", retryAfter)
	}

	clock.Advance(retryAfter)
	if ok, _ := l.Allow("k"); !ok {
		t.Error("refused after waiting retryAfter")
	}
	if ok, _ := l.Allow("k"); ok {
		t.Error("second attempt allowed right after the refilled one")
	}

	// A long wait refills to the burst, never beyond.
	clock.Advance(time.Hour)
	for i := range 2 {
		if ok, _ := l.Allow("k"); !ok {
			t.Errorf("attempt %d after a long wait refused", i+1)
		}
	}
	if ok, _ := l.Allow("k"); ok {
		t.Error("bucket refilled beyond the burst")
	}
}

func TestLimiter_keys_are_independent(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(1, 1, clock.Now)
	if ok, _ := l.Allow("signin:marie@example.fr"); !ok {
		t.Fatal("first key refused")
	}
	if ok, _ := l.Allow("signin:marie@example.fr"); ok {
		t.Fatal("first key allowed twice")
	}
	if ok, _ := l.Allow("signin:paul@example.fr"); !ok {
		t.Error("second key refused because of the first one")
	}
}

func TestLimiter_clock_going_backwards_does_not_refill(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(1, 1, clock.Now)
	l.Allow("k")
	clock.Advance(-time.Hour)
	if ok, _ := l.Allow("k"); ok {
		t.Error("allowed after the clock stepped back")
	}
}

func TestLimiter_forgets_idle_keys(t *testing.T) {
	clock := newFakeClock()
	l := NewLimiter(1, 10, clock.Now) // an empty bucket refills in 10 s
	for i := range 50 {
		l.Allow(fmt.Sprintf("k%d", i))
	}
	if n := l.size(); n != 50 {
		t.Fatalf("size = %d, want 50", n)
	}
	clock.Advance(9 * time.Second)
	l.Allow("fresh")
	if n := l.size(); n != 51 {
		t.Errorf("size after 9 s = %d, want 51 (not idle yet)", n)
	}
	clock.Advance(1 * time.Second)
	l.Allow("fresh")
	if n := l.size(); n != 1 {
		t.Errorf("size after 10 s = %d, want 1 (only the fresh key)", n)
	}
}

func TestLimiter_memory_bounded_by_key_cap(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(1, 1, clock.Now, 3)
	// Three keys, all empty; "a" is then seen again so "b" is the oldest-seen.
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k)
	}
	l.Allow("a")
	l.Allow("d") // cap reached: evicts "b"
	if n := l.size(); n != 3 {
		t.Fatalf("size = %d, want 3", n)
	}
	if ok, _ := l.Allow("a"); ok {
		t.Error(`"a" was evicted although recently seen`)
	}
	if ok, _ := l.Allow("c"); ok {
		t.Error(`"c" was evicted instead of the oldest-seen "b"`)
	}
	// "b" comes back as a fresh bucket (and evicts the now oldest-seen "d").
	if ok, _ := l.Allow("b"); !ok {
		t.Error(`"b" was not evicted`)
	}

	for i := range 1000 {
		l.Allow(fmt.Sprintf("flood%d", i))
		if n := l.size(); n > 3 {
			t.Fatalf("size = %d after %d keys, want at most 3", n, i+1)
		}
	}
}

func TestLimiter_concurrent_allow_spends_exactly_the_burst(t *testing.T) {
	clock := newFakeClock() // frozen: no refill during the test
	const burst = 100
	l := newLimiter(1, burst, clock.Now, 50)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				if ok, _ := l.Allow("shared"); ok {
					allowed.Add(1)
				}
				// Other keys churn through the cap at the same time.
				l.Allow(fmt.Sprintf("g%d-%d", g, i))
			}
		})
	}
	wg.Wait()
	// "shared" may itself be evicted under churn and come back full, so the
	// count is at least the burst; without churn it would be exact.
	if n := allowed.Load(); n < burst {
		t.Errorf("allowed %d on the shared key, want at least %d", n, burst)
	}
	if n := l.size(); n > 50 {
		t.Errorf("size = %d, want at most 50", n)
	}

	// Without churn the count is exact.
	l2 := NewLimiter(1, burst, clock.Now)
	allowed.Store(0)
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if ok, _ := l2.Allow("shared"); ok {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != burst {
		t.Errorf("allowed %d, want exactly %d", n, burst)
	}
}

func TestLimiter_invalid_settings_panic(t *testing.T) {
	for _, tt := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {1, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%v, %d) did not panic", tt.rate, tt.burst)
				}
			}()
			NewLimiter(tt.rate, tt.burst, nil)
		}()
	}
}
