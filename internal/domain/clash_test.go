package domain

import (
	"testing"
	"time"
)

func TestSlotClashes_CAT3_trainer_or_room_in_two_places(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 0, 0, 0, 0, time.UTC) }
	base := Slot{Weekday: time.Monday, StartMinute: 18 * 60, EndMinute: 20 * 60, FirstDay: day(2, 1), LastDay: day(6, 19)}
	for _, c := range []struct {
		name  string
		other Slot
		want  bool
	}{
		{"same hours", base, true},
		{"overlapping hours", Slot{time.Monday, 19 * 60, 21 * 60, day(2, 1), day(6, 19)}, true},
		{"one ends when the other starts", Slot{time.Monday, 20 * 60, 22 * 60, day(2, 1), day(6, 19)}, false},
		{"another weekday", Slot{time.Tuesday, 18 * 60, 20 * 60, day(2, 1), day(6, 19)}, false},
		{"sessions that do not overlap", Slot{time.Monday, 18 * 60, 20 * 60, day(7, 5), day(7, 23)}, false},
		{"sessions sharing one day", Slot{time.Monday, 18 * 60, 20 * 60, day(6, 19), day(7, 23)}, true},
	} {
		if got := base.Clashes(c.other); got != c.want {
			t.Errorf("%s: Clashes = %v, want %v", c.name, got, c.want)
		}
		if got := c.other.Clashes(base); got != c.want {
			t.Errorf("%s (swapped): Clashes = %v, want %v", c.name, got, c.want)
		}
	}
}
