package waitlist

import (
	"testing"

	"cma/internal/store"
)

// TestNextBatch: a batch is at most the free seats' count, and ends before a
// person already in it (an offer made in the batch changes what they hold).
func TestNextBatch(t *testing.T) {
	q := []store.WaitingEntry{{CandidatureID: 1, AccountID: 10}, {CandidatureID: 2, AccountID: 20}, {CandidatureID: 3, AccountID: 10},
		{CandidatureID: 4, AccountID: 30}}
	for _, c := range []struct{ free, want int }{{1, 1}, {2, 2}, {3, 2}, {10, 2}} {
		if got := nextBatch(q, c.free); len(got) != c.want {
			t.Errorf("nextBatch(free %d) = %d entries, want %d", c.free, len(got), c.want)
		}
	}
	if got := nextBatch(q[2:], 5); len(got) != 2 {
		t.Errorf("nextBatch of the rest = %d entries, want 2", len(got))
	}
}
