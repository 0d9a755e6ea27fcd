package allocation

// The order of calls with a minimum rate of social-criteria candidates.
//
// Reference: Ministère de l'Enseignement supérieur, « Document de présentation
// des algorithmes de Parcoursup » (updated 8 May 2021), section 4 « Calcul de
// l'ordre d'appel » (4.1: one minimum rate, the rate of "boursiers"), with its
// published, proved Java implementation (framagit.org/parcoursup/
// algorithmes-de-parcoursup, class AlgoOrdreAppel). Parcoursup builds the order
// of calls from the formation's pedagogical ranking step by step: when
// calling the next candidate, if fewer than ceil(rate × k) of the first k
// called would be "boursiers", it calls the best-ranked remaining boursier;
// otherwise it calls the best-ranked remaining candidate. Every prefix of the
// order then holds at least ceil(rate × k) boursiers while any remain, and the
// ranking is changed as little as possible: boursiers move up only as far as
// the rate needs, boursiers keep their order among themselves and so do
// non-boursiers.
//
// Adaptations here:
//
//   - "Boursier" becomes "has a social criterion" (RSA, job seeker,
//     subsidised contract), the rate is the formation's MinSocialPercent.
//   - The evaluation prevails over everything (SEL-1): a social-criteria
//     candidate is moved up only within the evaluation band of the best
//     remaining candidate — never above someone with a better evaluation. When
//     the band holds no social-criteria candidate left, the best remaining
//     candidate is called and the shortfall is made up as soon as the next
//     bands allow. So the rate is met in every prefix whenever it can be met
//     without inverting the evaluation order.
//   - Parcoursup computes the order once over all the candidates of a
//     formation, so its rate holds among those called, not among those
//     admitted. Here each course applies the order to the candidates who are
//     asking for it at that point of the deferred acceptance (allocate.go) and
//     keeps the first ones up to its capacity, so the rate holds among the
//     accepted themselves — the "minority reserve" choice of Hafalir, Yenmez
//     and Yildirim (2013), which keeps deferred acceptance stable and
//     strategy-proof. The property tests check both the rate and stability.

// callOrder walks candidates given in merit order (0 = best) and calls emit
// with each merit index in call order. social(i) says whether candidate i has
// a social criterion, band(i) is their evaluation band (equal bands = equal
// evaluations; bands never increase along the merit order).
func callOrder(n int, percent int, social func(int) bool, band func(int) uint64, emit func(int)) {
	if percent <= 0 {
		for i := range n {
			emit(i)
		}
		return
	}
	nextSocial := func(from int) int {
		for from < n && !social(from) {
			from++
		}
		return from
	}
	nextOther := func(from int) int {
		for from < n && social(from) {
			from++
		}
		return from
	}
	s, o := nextSocial(0), nextOther(0) // best remaining of each kind
	called := 0                         // social-criteria candidates among those called
	for k := 0; k < n; k++ {
		need := ceilPercent(percent, k+1)
		best := min(s, o)
		if called < need && s < n && band(s) == band(best) {
			best = s
		}
		emit(best)
		if best == s {
			called++
			s = nextSocial(s + 1)
		} else {
			o = nextOther(o + 1)
		}
	}
}

// ceilPercent is ceil(percent × k / 100) in integers.
func ceilPercent(percent, k int) int {
	return (percent*k + 99) / 100
}

// CallOrder is the order of calls for candidates given in merit order: social
// and evaluation describe candidate i (0 = best in merit order; evaluations
// must not increase along it). It returns the merit indices in the order they
// are called. It is the function each course applies (see the comment above);
// exported for tests, documentation and the back office's what-if views.
func CallOrder(social []bool, evaluation []int16, minPercent int) []int {
	out := make([]int, 0, len(social))
	callOrder(len(social), minPercent,
		func(i int) bool { return social[i] },
		func(i int) uint64 { return uint64(^(uint16(evaluation[i]) ^ 0x8000)) },
		func(i int) { out = append(out, i) })
	return out
}
