package domain

import (
	"net/http"
	"time"
)

// APIToken is a personal access token of the staff API (ROLE-5): a
// central-service member creates one for themselves, for another of the city's
// systems to act in their name under /api/v1. Only the SHA-256 of the secret is
// kept, with its first characters (Prefix) to recognise it in lists. A token
// acts with its owner's current grants: an owner who loses the central role
// takes its power away with it.
type APIToken struct {
	ID         int64
	AccountID  int64 // the owner, whose grants the token acts with
	OwnerName  string
	Name       string // what it is for, as its creator wrote it ("Annuaire des équipements")
	Scope      TokenScope
	Prefix     string // the secret's first characters, shown in lists
	CreatedAt  time.Time
	CreatedBy  int64
	ExpiresAt  time.Time // the first instant it no longer works; zero: never expires
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
	RevokedBy  int64
}

// TokenScope is what a token may do: read only, or read and change.
type TokenScope string

const (
	ScopeRead  TokenScope = "read"  // GET and HEAD only
	ScopeWrite TokenScope = "write" // every method
)

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// Allows reports whether a token of scope s may send a request with that
// method: a read token reads (GET, HEAD), a write token also changes.
func (s TokenScope) Allows(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead:
		return s.Valid()
	}
	return s == ScopeWrite
}

// Active reports whether the token still authenticates at now: not revoked,
// not expired.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// Expired reports whether the token's expiry has come.
func (t APIToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}
