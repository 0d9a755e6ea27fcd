package candidature

import (
	"context"
	"testing"
	"time"
)

// TestCheckProof_CAN9_a_few_at_a_time: when every slot is taken, a proof
// waits for one rather than decoding beside the others (a small file may
// decode to a large image); it gives up when its request does.
func TestCheckProof_CAN9_a_few_at_a_time(t *testing.T) {
	s := &Service{proofChecks: make(chan struct{}, 1)}
	s.proofChecks <- struct{}{} // the one slot is busy
	start := time.Now()         // before the deadline is set: a loaded machine cannot make the wait look shorter
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if ct, refusal := s.checkProof(ctx, []byte("%PDF-1.7")); ct != "" || refusal == "" {
		t.Fatalf("checked while every slot was busy: %q %q", ct, refusal)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond {
		t.Fatalf("gave up after %v without waiting for a slot", waited)
	}
	<-s.proofChecks // the slot is free: the check runs (and refuses this truncated PDF on its own)
	if _, refusal := s.checkProof(context.Background(), []byte("%PDF-1.7")); refusal != "basket.error.proof_damaged" && refusal != "basket.error.proof_type" {
		t.Fatalf("refusal %q, want the check's own", refusal)
	}
	if len(s.proofChecks) != 0 {
		t.Fatal("the slot was not given back")
	}
}
