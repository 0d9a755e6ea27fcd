package allocation_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"cma/internal/allocation"
)

func ceilPct(pct, k int) int { return (pct*k + 99) / 100 }

// drawRanking draws candidates in merit order: evaluations never increase.
func drawRanking(t *rapid.T) (social []bool, eval []int16) {
	n := rapid.IntRange(0, 30).Draw(t, "n")
	social = rapid.SliceOfN(rapid.Bool(), n, n).Draw(t, "social")
	ev := rapid.SliceOfN(rapid.IntRange(1, 3), n, n).Draw(t, "evaluations")
	slices.SortFunc(ev, func(a, b int) int { return b - a })
	for _, e := range ev {
		eval = append(eval, int16(e))
	}
	return social, eval
}

// TestCallOrderSEL1 checks the order of calls against its definition
// (calls.go, after Parcoursup's « ordre d'appel »):
//   - it is a permutation that never calls a lower evaluation before a higher one;
//   - social-criteria candidates keep their merit order among themselves, and so do the others;
//   - rate: whenever fewer than ceil(rate × k) of the first k are social, the
//     k-th is not social only because no social-criteria candidate of its
//     evaluation was left (moving one up would invert the evaluation order);
//   - smallest change: a social-criteria candidate is only called before a
//     better-ranked candidate when the rate needs it at that step.
func TestCallOrderSEL1(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		social, eval := drawRanking(t)
		pct := rapid.SampledFrom([]int{0, 1, 10, 20, 25, 33, 50, 75, 100}).Draw(t, "rate")
		order := allocation.CallOrder(social, eval, pct)
		if len(order) != len(social) {
			t.Fatalf("order %v has %d entries for %d candidates", order, len(order), len(social))
		}
		seen := make([]bool, len(order))
		lastSocial, lastOther := -1, -1
		calledSocial := 0
		for k, m := range order {
			if m < 0 || m >= len(order) || seen[m] {
				t.Fatalf("order %v is not a permutation", order)
			}
			seen[m] = true
			if k > 0 && eval[m] > eval[order[k-1]] {
				t.Fatalf("order %v calls evaluation %d after %d", order, eval[m], eval[order[k-1]])
			}
			need := ceilPct(pct, k+1)
			bestRemaining := slices.IndexFunc(seen, func(b bool) bool { return !b })
			if social[m] {
				if m < lastSocial {
					t.Fatalf("order %v: social candidates out of merit order", order)
				}
				lastSocial = m
				if bestRemaining >= 0 && bestRemaining < m && calledSocial >= need {
					t.Fatalf("order %v (rate %d%%): social candidate %d moved up at call %d without need", order, pct, m, k+1)
				}
				calledSocial++
			} else {
				if m < lastOther {
					t.Fatalf("order %v: other candidates out of merit order", order)
				}
				lastOther = m
				if bestRemaining >= 0 && bestRemaining < m {
					t.Fatalf("order %v: candidate %d called before better-ranked %d without being social", order, m, bestRemaining)
				}
				if calledSocial < need {
					for _, later := range order[k+1:] {
						if social[later] && eval[later] >= eval[m] {
							t.Fatalf("order %v (rate %d%%): call %d is not social though social candidate %d has the same evaluation",
								order, pct, k+1, later)
						}
					}
				}
			}
		}
		if pct == 0 {
			for k, m := range order {
				if k != m {
					t.Fatalf("without a rate the order is merit order, got %v", order)
				}
			}
		}
	})
}

// TestCourseChoiceIsSubstitutable: a course keeps the first `capacity` of its
// order of calls among the candidates asking for it. Deferred acceptance stays
// stable with such a choice because it is substitutable: a candidate chosen
// from a set is still chosen from any subset containing them. (The
// whole-engine property tests check stability directly too.)
func TestCourseChoiceIsSubstitutable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		social, eval := drawRanking(t)
		pct := rapid.SampledFrom([]int{10, 25, 34, 50, 100}).Draw(t, "rate")
		capacity := rapid.IntRange(0, 8).Draw(t, "capacity")
		keep := rapid.SliceOfN(rapid.Bool(), len(social), len(social)).Draw(t, "subset")
		choose := func(ids []int) map[int]bool {
			var s []bool
			var e []int16
			for _, i := range ids {
				s = append(s, social[i])
				e = append(e, eval[i])
			}
			chosen := map[int]bool{}
			for k, m := range allocation.CallOrder(s, e, pct) {
				if k < capacity {
					chosen[ids[m]] = true
				}
			}
			return chosen
		}
		var all, sub []int
		for i := range social {
			all = append(all, i)
			if keep[i] {
				sub = append(sub, i)
			}
		}
		fromAll, fromSub := choose(all), choose(sub)
		for _, i := range sub {
			if fromAll[i] && !fromSub[i] {
				t.Fatalf("candidate %d chosen from the set %v but not from the subset %v (rate %d%%, capacity %d)", i, all, sub, pct, capacity)
			}
		}
	})
}

// TestCallOrderParcoursupExamples: hand-checked orders.
func TestCallOrderParcoursupExamples(t *testing.T) {
	N, S := false, true
	for _, tc := range []struct {
		name   string
		social []bool
		eval   []int16
		pct    int
		want   []int
	}{
		{"no rate: merit order", []bool{N, N, S, N}, []int16{3, 3, 3, 3}, 0, []int{0, 1, 2, 3}},
		// k=1 needs 1 social: 3; k=2 needs 1: best 0; k=3 needs 2: 4; k=4 needs 2: 1; then no social left.
		{"50%: socials move up only as needed", []bool{N, N, N, S, S, N}, []int16{3, 3, 3, 3, 3, 3}, 50, []int{3, 0, 4, 1, 2, 5}},
		// 20%: k=1 needs 1 → 2; k=2..5 need 1 → 0, 1, 3, 4; k=6 needs 2 → 5.
		{"20%", []bool{N, N, S, N, N, S, N}, []int16{2, 2, 2, 2, 2, 2, 2}, 20, []int{2, 0, 1, 3, 4, 5, 6}},
		{"the evaluation prevails over the rate", []bool{N, S}, []int16{5, 4}, 100, []int{0, 1}},
		{"shortfall made up in the next band", []bool{N, N, S, N, S}, []int16{5, 5, 4, 4, 4}, 50, []int{0, 1, 2, 4, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allocation.CallOrder(tc.social, tc.eval, tc.pct); !slices.Equal(got, tc.want) {
				t.Fatalf("CallOrder = %v, want %v", got, tc.want)
			}
		})
	}
}
