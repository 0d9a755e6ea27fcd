//go:build !race

package proof

// raceEnabled: the race detector multiplies allocations, so memory bounds are not checked.
const raceEnabled = false
