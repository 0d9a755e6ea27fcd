package auth

import (
	"container/list"
	"fmt"
	"math"
	"sync"
	"time"
)

// defaultLimiterMaxKeys caps the keys a Limiter remembers. At roughly 150 bytes
// a key this is about 15 MB per limiter, whatever an attacker sends.
const defaultLimiterMaxKeys = 100_000

// Limiter is a keyed token bucket kept in memory: each key (for example
// "signin:" + client IP, or "signin:" + e-mail) gets burst tokens that refill
// at rate per second, and each Allow spends one.
//
// State is per instance on purpose: with several instances behind the load
// balancer an attacker gets at most (instances × limit), which is still a hard
// bound, and sign-in does not need a database write per attempt.
//
// Memory is bounded: a key that has been quiet long enough to refill completely
// is forgotten (forgetting it changes nothing), and when the cap is reached the
// least recently seen key is evicted. Eviction under a flood of distinct keys
// does reset that key's bucket, which is why callers should limit by client IP
// as well as by account.
//
// A Limiter is safe for concurrent use.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	idleTTL time.Duration // time for an empty bucket to refill completely
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket
	recency *list.List               // *bucket, least recently seen at the front
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

// NewLimiter returns a Limiter allowing burst requests at once per key, refilled
// at rate tokens per second. now is the clock (time.Now if nil); tests pass a
// fake one. It panics on a non-positive rate or burst: that is a wiring mistake,
// not a runtime condition.
func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	return newLimiter(rate, burst, now, defaultLimiterMaxKeys)
}

// newLimiter is NewLimiter with a chosen key cap, so tests can exercise eviction
// without creating 100 000 keys.
func newLimiter(rate float64, burst int, now func() time.Time, maxKeys int) *Limiter {
	if !(rate > 0) || math.IsInf(rate, 0) {
		panic(fmt.Sprintf("auth: NewLimiter: rate must be a positive finite number, got %v", rate))
	}
	if burst < 1 {
		panic(fmt.Sprintf("auth: NewLimiter: burst must be at least 1, got %d", burst))
	}
	if maxKeys < 1 {
		panic(fmt.Sprintf("auth: NewLimiter: maxKeys must be at least 1, got %d", maxKeys))
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		rate:    rate,
		burst:   float64(burst),
		idleTTL: durationFromSeconds(float64(burst) / rate),
		maxKeys: maxKeys,
		now:     now,
		buckets: make(map[string]*list.Element),
		recency: list.New(),
	}
}

// Allow spends one token of key's bucket. When the bucket is empty it returns
// false and how long until a token is available, for a Retry-After header.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()

	l.mu.Lock()
	defer l.mu.Unlock()

	l.forgetIdle(now)

	var b *bucket
	if el, found := l.buckets[key]; found {
		b = el.Value.(*bucket)
		l.recency.MoveToBack(el)
		l.refill(b, now)
	} else {
		if len(l.buckets) >= l.maxKeys {
			l.evict(l.recency.Front())
		}
		b = &bucket{key: key, tokens: l.burst, last: now}
		l.buckets[key] = l.recency.PushBack(b)
	}

	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := durationFromSeconds((1 - b.tokens) / l.rate)
	if wait <= 0 {
		wait = time.Nanosecond // rounding must never turn a refusal into "retry now"
	}
	return false, wait
}

// size returns the number of keys remembered; for tests.
func (l *Limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	// A clock that steps backwards must not drain or overfill the bucket.
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
}

// forgetIdle drops keys unseen for idleTTL: their buckets are full again, so a
// fresh bucket behaves the same. The recency list is ordered by last use, so
// only its front needs looking at, which keeps Allow O(1) amortised without a
// background goroutine to stop.
func (l *Limiter) forgetIdle(now time.Time) {
	for el := l.recency.Front(); el != nil; el = l.recency.Front() {
		if now.Sub(el.Value.(*bucket).last) < l.idleTTL {
			return
		}
		l.evict(el)
	}
}

func (l *Limiter) evict(el *list.Element) {
	b := l.recency.Remove(el).(*bucket)
	delete(l.buckets, b.key)
}

// durationFromSeconds converts, rounding up and saturating instead of overflowing.
func durationFromSeconds(s float64) time.Duration {
	ns := math.Ceil(s * float64(time.Second))
	if ns >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}
