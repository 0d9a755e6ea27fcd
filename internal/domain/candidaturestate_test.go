package domain

import (
	"testing"
	"time"
)

// TestSession_CAT1_candidature_state: the state the catalogue shows agrees
// with CandidatureOpen, the basket's rule, at both ends of the period.
func TestSession_CAT1_candidature_state(t *testing.T) {
	s := Session{CandidatureOpens: time.Date(2026, 11, 2, 10, 0, 0, 0, Paris()), CandidatureCloses: DeadlineOn(2026, time.December, 15)}
	for _, tc := range []struct {
		at   time.Time
		want CandidatureState
	}{
		{time.Date(2026, 11, 2, 9, 59, 59, 0, Paris()), CandidatureNotYetOpen},
		{time.Date(2026, 11, 2, 10, 0, 0, 0, Paris()), CandidatureIsOpen},
		{time.Date(2026, 12, 15, 23, 59, 59, 0, Paris()), CandidatureIsOpen},
		{time.Date(2026, 12, 16, 0, 0, 0, 0, Paris()), CandidatureClosed},
		{time.Date(2027, 3, 1, 12, 0, 0, 0, Paris()), CandidatureClosed},
	} {
		got := s.CandidatureStateAt(tc.at)
		if got != tc.want {
			t.Errorf("at %s: state %d, want %d", tc.at, got, tc.want)
		}
		if (got == CandidatureIsOpen) != s.CandidatureOpen(tc.at) {
			t.Errorf("at %s: state %d disagrees with CandidatureOpen", tc.at, got)
		}
	}
}
