package catalogue

import (
	mbits "math/bits"

	"cma/internal/domain"
)

// facetKind names a search filter whose courses are kept as a bitset per value.
type facetKind uint8

const (
	facetSubject facetKind = iota
	facetLevel
	facetEstablishment
	facetDistrict
	facetWeekday
	facetTimeOfDay
	facetDiploma
	facetRemote
	facetPlacesLeft
	facetSession
)

// facet is one value of one filter: a subject, a weekday, a session's ID...
// Values are numbers: IDs, the district, the weekday, 1 for yes and 0 for no,
// and for subjects, levels and times of day their place in their list
// (valueOf), so that the key hashes fast.
type facet struct {
	kind facetKind
	num  int64
}

// valueOf is a subject's, level's or time of day's number in a facet: its
// place in list, or -1.
func valueOf[T comparable](list []T, v T) int64 {
	for i, x := range list {
		if x == v {
			return int64(i)
		}
	}
	return -1
}

var timesOfDay = []domain.TimeOfDay{domain.Morning, domain.Afternoon, domain.Evening}

// facetIndex holds, for every facet value that some course has, the bitset of
// the display positions of the courses having it (bit i of word i/64 for
// Index.entries[i]), and the courses' prices for the price ceiling. At 20,000
// courses a bitset is 313 words: a filter costs that many ANDs.
type facetIndex struct {
	sets   map[facet][]uint64
	prices []int64 // by display position
}

func buildFacets(entries []*Entry) facetIndex {
	words := (len(entries) + 63) / 64
	fx := facetIndex{sets: map[facet][]uint64{}, prices: make([]int64, len(entries))}
	set := func(f facet, pos int) {
		b := fx.sets[f]
		if b == nil {
			b = make([]uint64, words)
			fx.sets[f] = b
		}
		b[pos/64] |= 1 << (pos % 64)
	}
	yes := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	for i, e := range entries {
		set(facet{kind: facetSubject, num: valueOf(domain.Subjects, e.Formation.Subject)}, i)
		set(facet{kind: facetLevel, num: valueOf(domain.Levels, e.Level)}, i)
		set(facet{kind: facetEstablishment, num: e.EstablishmentID}, i)
		set(facet{kind: facetDistrict, num: int64(e.Establishment.District)}, i)
		set(facet{kind: facetWeekday, num: int64(e.Weekday)}, i)
		set(facet{kind: facetTimeOfDay, num: valueOf(timesOfDay, domain.SlotOf(e.StartMinute))}, i)
		set(facet{kind: facetDiploma, num: yes(e.Formation.Diploma)}, i)
		set(facet{kind: facetRemote, num: yes(e.RemoteNow)}, i)
		set(facet{kind: facetPlacesLeft, num: yes(e.PlacesLeft() > 0)}, i)
		set(facet{kind: facetSession, num: e.SessionID}, i)
		fx.prices[i] = e.PriceCents
	}
	return fx
}

// narrow returns the bitset of the n courses matching f's filters among those
// of keyword (nil: every course), and, when open is not nil, in one of the
// sessions it lists. It may return keyword itself, changed.
func (fx facetIndex) narrow(keyword []uint64, f Filter, open []int64, n int) []uint64 {
	bits := keyword
	if bits == nil {
		bits = make([]uint64, (n+63)/64)
		for k := range bits {
			bits[k] = ^uint64(0)
		}
		if r := n % 64; r != 0 {
			bits[len(bits)-1] = 1<<r - 1
		}
	}
	and := func(fc facet) {
		b := fx.sets[fc]
		if b == nil { // no course has that value
			clear(bits)
			return
		}
		for k := range bits {
			bits[k] &= b[k]
		}
	}
	yes := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	if f.Subject != "" {
		and(facet{kind: facetSubject, num: valueOf(domain.Subjects, f.Subject)})
	}
	if f.Level != "" {
		and(facet{kind: facetLevel, num: valueOf(domain.Levels, f.Level)})
	}
	if f.EstablishmentID != 0 {
		and(facet{kind: facetEstablishment, num: f.EstablishmentID})
	}
	if f.District != 0 {
		and(facet{kind: facetDistrict, num: int64(f.District)})
	}
	if f.Weekday != nil {
		and(facet{kind: facetWeekday, num: int64(*f.Weekday)})
	}
	if f.TimeOfDay != "" {
		and(facet{kind: facetTimeOfDay, num: valueOf(timesOfDay, f.TimeOfDay)})
	}
	if f.Diploma != nil {
		and(facet{kind: facetDiploma, num: yes(*f.Diploma)})
	}
	if f.Remote != nil {
		and(facet{kind: facetRemote, num: yes(*f.Remote)})
	}
	if f.PlacesLeft {
		and(facet{kind: facetPlacesLeft, num: 1})
	}
	if f.SessionID != 0 {
		and(facet{kind: facetSession, num: f.SessionID})
	}
	if open != nil {
		union := make([]uint64, len(bits))
		for _, id := range open {
			for k, w := range fx.sets[facet{kind: facetSession, num: id}] {
				union[k] |= w
			}
		}
		for k := range bits {
			bits[k] &= union[k]
		}
	}
	if f.MaxPriceCents != 0 {
		for k, w := range bits {
			for v := w; v != 0; v &= v - 1 {
				if b := mbits.TrailingZeros64(v); fx.prices[k*64+b] > f.MaxPriceCents {
					bits[k] &^= 1 << b
				}
			}
		}
	}
	return bits
}
