package domain

import (
	"testing"
	"time"
)

// TestOfferDeadline_SEL4_calendar_days_Paris: an offer sent late in the
// evening, Paris time, counts its days from that Paris day (not UTC's), and
// stays open to the end of its last day across the daylight-saving change.
func TestOfferDeadline_SEL4_calendar_days_Paris(t *testing.T) {
	sent := time.Date(2026, time.October, 23, 22, 30, 0, 0, time.UTC) // Saturday 24 October 00:30 in Paris
	d := OfferDeadline(sent, 2)
	if got := d.String(); got != "2026-10-26" {
		t.Fatalf("deadline %s, want 2026-10-26 (two days after Saturday 24 October, Paris)", got)
	}
	last := time.Date(2026, time.October, 26, 23, 59, 59, 0, paris)
	if !d.Open(last) || d.Open(last.Add(time.Second)) {
		t.Fatalf("open at %v: %v; at %v: %v", last, d.Open(last), last.Add(time.Second), d.Open(last.Add(time.Second)))
	}
}

// TestListsClosed_SEL4_from_the_22nd_day: a course whose first class is on
// Monday 21 September has its lists closed from Monday 12 October, Paris
// time (three weeks, the first class counted as the first day); a course
// without a first class is never closed.
func TestListsClosed_SEL4_from_the_22nd_day(t *testing.T) {
	first := time.Date(2026, time.September, 21, 0, 0, 0, 0, time.UTC)
	if got := ListsCloseOn(first).Format(time.DateOnly); got != "2026-10-12" {
		t.Fatalf("lists close on %s, want 2026-10-12", got)
	}
	eve := time.Date(2026, time.October, 11, 23, 59, 59, 0, paris)
	if ListsClosed(first, eve) || !ListsClosed(first, eve.Add(time.Second)) {
		t.Fatalf("closed on the eve: %v; at midnight: %v", ListsClosed(first, eve), ListsClosed(first, eve.Add(time.Second)))
	}
	if ListsClosed(time.Time{}, eve) {
		t.Fatal("a course without a first class is closed")
	}
}
