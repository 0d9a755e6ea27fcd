package domain

import (
	"testing"
	"time"
)

// A read token reads, a write token also changes, an unknown scope nothing;
// a token works until its expiry instant excluded, never once revoked (ROLE-5).
func TestAPIToken_ROLE5_scope_and_validity(t *testing.T) {
	for _, tc := range []struct {
		scope  TokenScope
		method string
		want   bool
	}{
		{ScopeRead, "GET", true}, {ScopeRead, "HEAD", true}, {ScopeRead, "POST", false}, {ScopeRead, "PATCH", false},
		{ScopeRead, "DELETE", false}, {ScopeRead, "PUT", false},
		{ScopeWrite, "GET", true}, {ScopeWrite, "POST", true}, {ScopeWrite, "PATCH", true},
		{"admin", "GET", false}, {"", "POST", false},
	} {
		if got := tc.scope.Allows(tc.method); got != tc.want {
			t.Errorf("%q allows %s: %v, want %v", tc.scope, tc.method, got, tc.want)
		}
	}
	end := DeadlineOn(2026, 12, 22).End() // midnight in Paris after 22 December
	tok := APIToken{ExpiresAt: end}
	if !tok.Active(end.Add(-time.Second)) || tok.Active(end) || !tok.Expired(end) {
		t.Error("a token expires at midnight after its last day, Paris time")
	}
	if !(APIToken{}).Active(end.AddDate(10, 0, 0)) {
		t.Error("a token without expiry stays valid")
	}
	tok.RevokedAt = end.Add(-time.Hour)
	if tok.Active(end.Add(-2 * time.Hour)) {
		t.Error("a revoked token authenticates")
	}
}
