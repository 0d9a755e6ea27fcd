package domain

import (
	"testing"
	"time"
)

// TestDeadline_CAN5_PER1_open_until_the_end_of_the_day_in_Paris is the one
// deadline rule of the platform: a deadline is a calendar date, open until the
// end of that day in Europe/Paris, summer and winter, on the 23-hour and
// 25-hour days of the daylight-saving changes, whatever zone the clock gives.
func TestDeadline_CAN5_PER1_open_until_the_end_of_the_day_in_Paris(t *testing.T) {
	paris := Paris()
	at := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, paris) }
	utc := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	summer := DeadlineOn(2026, time.September, 6)
	dstEnds := DeadlineOn(2026, time.October, 25)  // 25 hours: 03:00 CEST becomes 02:00 CET
	dstStarts := DeadlineOn(2026, time.March, 29)  // 23 hours: 02:00 CET becomes 03:00 CEST
	eveOfEnd := DeadlineOn(2026, time.October, 24) // its end is still summer time
	winter := DeadlineOn(2026, time.December, 15)
	for _, tc := range []struct {
		name string
		d    Deadline
		now  time.Time
		open bool
	}{
		{"long before", summer, at(2026, time.June, 1, 10, 0, 0), true},
		{"the morning of the day", summer, at(2026, time.September, 6, 0, 0, 0), true},
		{"23:59:30 on the day", summer, at(2026, time.September, 6, 23, 59, 30), true},
		{"the last nanosecond of the day", summer, at(2026, time.September, 7, 0, 0, 0).Add(-time.Nanosecond), true},
		{"00:00:00 the next day", summer, at(2026, time.September, 7, 0, 0, 0), false},
		{"the next day", summer, at(2026, time.September, 8, 12, 0, 0), false},
		{"UTC clock, 21:59:59Z is 23:59:59 in Paris", summer, utc(2026, time.September, 6, 21, 59, 59), true},
		{"UTC clock, 22:00Z is midnight in Paris", summer, utc(2026, time.September, 6, 22, 0, 0), false},
		{"winter 23:59:30", winter, at(2026, time.December, 15, 23, 59, 30), true},
		{"winter 22:59:59Z", winter, utc(2026, time.December, 15, 22, 59, 59), true},
		{"winter 23:00Z is midnight in Paris", winter, utc(2026, time.December, 15, 23, 0, 0), false},
		{"summer time ends: 23:59:30 CET", dstEnds, at(2026, time.October, 25, 23, 59, 30), true},
		{"summer time ends: 22:59:59Z", dstEnds, utc(2026, time.October, 25, 22, 59, 59), true},
		{"summer time ends: midnight CET", dstEnds, at(2026, time.October, 26, 0, 0, 0), false},
		{"summer time starts: 23:59:30 CEST", dstStarts, at(2026, time.March, 29, 23, 59, 30), true},
		{"summer time starts: midnight CEST is 22:00Z", dstStarts, utc(2026, time.March, 29, 22, 0, 0), false},
		{"eve of the change: 23:59:59 CEST", eveOfEnd, at(2026, time.October, 24, 23, 59, 59), true},
		{"eve of the change: midnight CEST", eveOfEnd, utc(2026, time.October, 24, 22, 0, 0), false},
		{"no deadline is never open", Deadline{}, at(2026, time.June, 1, 10, 0, 0), false},
	} {
		if got := tc.d.Open(tc.now); got != tc.open {
			t.Errorf("%s: %s Open(%s) = %v, want %v", tc.name, tc.d, tc.now.In(paris).Format("2006-01-02 15:04:05 MST"), got, tc.open)
		}
		if tc.d.Passed(tc.now) == tc.open {
			t.Errorf("%s: Passed = Open", tc.name)
		}
	}
	for _, tc := range []struct {
		d    Deadline
		end  time.Time
		name string
	}{
		{summer, utc(2026, time.September, 6, 22, 0, 0), "summer"},
		{winter, utc(2026, time.December, 15, 23, 0, 0), "winter"},
		{dstEnds, utc(2026, time.October, 25, 23, 0, 0), "summer time ends"},
		{dstStarts, utc(2026, time.March, 29, 22, 0, 0), "summer time starts"},
		{eveOfEnd, utc(2026, time.October, 24, 22, 0, 0), "eve of the change"},
	} {
		if !tc.d.End().Equal(tc.end) {
			t.Errorf("%s: End = %s, want %s", tc.name, tc.d.End().UTC(), tc.end)
		}
	}
	// DeadlineOf reads the date in the time's own zone: a civil date stays its
	// day, an instant just after midnight in Paris is the next day there.
	if got := DeadlineOf(utc(2026, time.September, 6, 0, 0, 0)); got != summer || got.String() != "2026-09-06" {
		t.Errorf("DeadlineOf(civil date) = %s", got)
	}
	if got := DeadlineOf(utc(2026, time.September, 6, 22, 30, 0).In(paris)); got.String() != "2026-09-07" {
		t.Errorf("DeadlineOf(00:30 in Paris) = %s, want 2026-09-07", got)
	}
	if !DeadlineOf(time.Time{}).IsZero() {
		t.Error("DeadlineOf(zero) is a date")
	}
}
