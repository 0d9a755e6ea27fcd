package allocation

import (
	"cmp"
	"slices"
)

// Each eligible candidature gets an ordered list of courses, all of its own
// formation, that it proposes to in turn:
//
//  1. the course chosen — or, when a placement test put the candidate in
//     another level (SEL-3), the course of that level on the same weekday and
//     at the same start time, if there is one (the lowest course ID if there
//     are several). This first course is the "original" one: being accepted
//     there is not a redirect;
//  2. only if the candidate accepts redirects (SEL-5): every other course of
//     the same formation and the same level (the placed level, if any), in
//     this documented order — same weekday as the course chosen first, then
//     the closest start time to the chosen one, then weekday, start time and
//     course ID.
//
// A placement is ignored when the chosen course has no level (Level 0, "tous
// niveaux"). A placed candidate who does not accept redirects and has no
// course of their level on the chosen slot gets an empty list: the outcome is
// "ineligible" with GateNoCourseAtLevel.

// buildLists fills e.listOff, e.list and e.original, and sets
// GateNoCourseAtLevel where a list is empty.
func (e *engine) buildLists() {
	// Courses grouped by (formation, level), each group in slot order.
	group := make([]int32, len(e.courses))
	for i := range group {
		group[i] = int32(i)
	}
	slices.SortFunc(group, func(a, b int32) int {
		ca, cb := &e.courses[a], &e.courses[b]
		return cmp.Or(cmp.Compare(ca.Formation, cb.Formation), cmp.Compare(ca.Level, cb.Level),
			cmp.Compare(ca.Weekday, cb.Weekday), cmp.Compare(ca.StartMinute, cb.StartMinute), cmp.Compare(ca.ID, cb.ID))
	})
	findGroup := func(f FormationID, level int16) []int32 {
		lo, _ := slices.BinarySearchFunc(group, 0, func(g int32, _ int) int {
			c := &e.courses[g]
			return cmp.Or(cmp.Compare(c.Formation, f), cmp.Compare(c.Level, level))
		})
		hi := lo
		for hi < len(group) && e.courses[group[hi]].Formation == f && e.courses[group[hi]].Level == level {
			hi++
		}
		return group[lo:hi]
	}

	n := len(e.cands)
	e.listOff = make([]int32, n+1)
	e.original = make([]bool, n)
	e.list = make([]int32, 0, n+n/2)
	var redirects []int32
	for i := range e.cands {
		e.listOff[i] = int32(len(e.list))
		if e.gate[i] != GateNone {
			continue
		}
		c := &e.cands[i]
		chosen := e.chosen[i]
		c0 := &e.courses[chosen]
		level := c0.Level
		if c.PlacedLevel > 0 && c0.Level > 0 {
			level = c.PlacedLevel
		}
		first := int32(-1)
		if level == c0.Level {
			first = chosen
		}
		var same []int32
		if level != c0.Level || c.AcceptsRedirect {
			same = findGroup(c.Formation, level)
		}
		if first < 0 {
			for _, g := range same {
				if e.courses[g].Weekday == c0.Weekday && e.courses[g].StartMinute == c0.StartMinute {
					first = g
					break
				}
			}
		}
		if first >= 0 {
			e.list = append(e.list, first)
			e.original[i] = true
		}
		if c.AcceptsRedirect {
			redirects = redirects[:0]
			for _, g := range same {
				if g != first {
					redirects = append(redirects, g)
				}
			}
			slices.SortFunc(redirects, func(a, b int32) int {
				ca, cb := &e.courses[a], &e.courses[b]
				return cmp.Or(
					cmp.Compare(boolInt(ca.Weekday != c0.Weekday), boolInt(cb.Weekday != c0.Weekday)),
					cmp.Compare(absDiff(ca.StartMinute, c0.StartMinute), absDiff(cb.StartMinute, c0.StartMinute)),
					cmp.Compare(ca.Weekday, cb.Weekday), cmp.Compare(ca.StartMinute, cb.StartMinute),
					cmp.Compare(ca.ID, cb.ID))
			})
			e.list = append(e.list, redirects...)
		}
		if int32(len(e.list)) == e.listOff[i] {
			e.gate[i] = GateNoCourseAtLevel
		}
	}
	e.listOff[n] = int32(len(e.list))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func absDiff(a, b int16) int {
	d := int(a) - int(b)
	if d < 0 {
		return -d
	}
	return d
}
