package selection

import (
	"testing"

	"cma/internal/allocation"
)

// TestSameEncoding_PER1: the stale check's fast path recognises the kept
// input (gzip of gob) in the input read again, also once decoded (empty and
// nil lists encode alike), and sees any change, the seed included.
func TestSameEncoding_PER1(t *testing.T) {
	ri := &runInput{Pass: "main", Input: allocation.Input{Seed: 42,
		Formations: []allocation.Formation{{}}, Courses: []allocation.Course{{}, {}}}, FirstDay: []int64{}, Refs: []candRef{{Candidature: 7}}}
	kept, err := ri.encode()
	if err != nil {
		t.Fatal(err)
	}
	again, err := decodeInput(kept)
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]*runInput{"same": ri, "decoded": again} {
		if same, err := sameEncoding(kept, x); err != nil || !same {
			t.Errorf("%s: not recognised (%v)", name, err)
		}
	}
	again.Input.Seed = 43
	if same, _ := sameEncoding(kept, again); same {
		t.Error("another seed: recognised")
	}
	again.Input.Seed, again.Refs[0].Candidature = 42, 8
	if same, _ := sameEncoding(kept, again); same {
		t.Error("another candidature: recognised")
	}
}
