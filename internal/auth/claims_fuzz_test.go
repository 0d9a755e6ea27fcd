package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// claimsBench signs ID tokens with a key of its own and verifies them the
// way Exchange does, without an identity provider: the fuzz target reaches
// the claims decoding through the real signature, issuer, audience, expiry
// and nonce checks.
type claimsBench struct {
	provider *Provider
	found    *discovered
	signer   jose.Signer
	now      time.Time
}

const (
	benchIssuer = "https://idp.example/realms/paris"
	benchClient = "cma"
	benchNonce  = "nonce-of-this-sign-in"
)

func newClaimsBench(t testing.TB) *claimsBench {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &claimsBench{signer: signer, now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	b.provider = NewProvider(ProviderConfig{Issuer: benchIssuer, ClientID: benchClient})
	b.provider.now = func() time.Time { return b.now }
	keys := &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{key.Public()}}
	b.found = &discovered{verifier: oidc.NewVerifier(benchIssuer, keys, &oidc.Config{
		ClientID: benchClient, SupportedSigningAlgs: []string{oidc.ES256}, Now: b.provider.clock})}
	return b
}

// payload is the ID token's claims: the fuzzed JSON object, with the claims
// a valid token needs added where it lacks them. Input that is not a JSON
// object is signed as it is.
func (b *claimsBench) payload(claims []byte) []byte {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(claims, &fields); err != nil || fields == nil {
		return claims
	}
	defaults := map[string]any{"iss": benchIssuer, "aud": benchClient, "sub": "sujet-1", "nonce": benchNonce,
		"iat": b.now.Add(-time.Minute).Unix(), "exp": b.now.Add(time.Hour).Unix()}
	for name, v := range defaults {
		if _, ok := fields[name]; !ok {
			fields[name], _ = json.Marshal(v)
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return claims
	}
	return out
}

func (b *claimsBench) verify(t *testing.T, claims []byte) (Identity, error) {
	t.Helper()
	jws, err := b.signer.Sign(b.payload(claims))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.provider.identity(context.Background(), b.found, raw, "", benchNonce)
	if err == nil {
		if id.Session != (SignOnSession{IDToken: raw}) {
			t.Fatalf("claims %s: sign-on session %+v, want the raw ID token", claims, id.Session)
		}
		id.Session = SignOnSession{}
	}
	return id, err
}

// stringClaim is the claim name of claims when it is a JSON string.
func stringClaim(claims []byte, name string) (string, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(claims, &fields) != nil {
		return "", false
	}
	var s string
	if json.Unmarshal(fields[name], &s) != nil {
		return "", false
	}
	return s, true
}

// FuzzIDTokenClaims_ACC3: whatever claims a correctly signed ID token
// carries, verification never panics and either refuses the token with one
// of the package's errors or returns an identity the platform may create an
// account from: the issuer's, with a subject and a trimmed email (ACC-2),
// and a birth date that is the token's own civil date or none at all.
func FuzzIDTokenClaims_ACC3(f *testing.F) {
	for _, s := range []string{
		`{"email":"zoe.muller@example.org","email_verified":true,"given_name":"Zoé","family_name":"Müller","birthdate":"1990-01-02"}`,
		`{"email":"  a@example.org ","email_verified":"TRUE","birthdate":"0000-03-15"}`,
		`{"email":"a@example.org","birthdate":"2000-02-30","email_verified":1}`,
		`{"email":"   "}`,
		`{"email":"a@example.org","sub":""}`,
		`{"email":"a@example.org","nonce":"another"}`,
		`{"email":"a@example.org","aud":["autre","cma"],"exp":1}`,
		`{"email":"a@example.org","given_name":42}`,
		`{"email":null,"sub":null}`,
		`[1,2]`,
		`not json`,
	} {
		f.Add([]byte(s))
	}
	b := newClaimsBench(f)
	f.Fuzz(func(t *testing.T, claims []byte) {
		id, err := b.verify(t, claims)
		if err != nil {
			if !errors.Is(err, ErrBadToken) && !errors.Is(err, ErrNonce) && !errors.Is(err, ErrNoEmail) {
				t.Fatalf("claims %s: refused with an error of no known kind: %v", claims, err)
			}
			if id != (Identity{}) {
				t.Fatalf("claims %s: refused (%v) but an identity came back: %+v", claims, err, id)
			}
			return
		}
		switch {
		case id.Issuer != benchIssuer:
			t.Fatalf("claims %s: identity of issuer %q", claims, id.Issuer)
		case id.Subject == "":
			t.Fatalf("claims %s: identity without a subject", claims)
		case id.Email == "" || id.Email != strings.TrimSpace(id.Email):
			t.Fatalf("claims %s: email %q", claims, id.Email)
		}
		checkBirthdate(t, claims, id.Birthdate)
		if verified, ok := stringClaim(claims, "email_verified"); ok && id.EmailVerified != strings.EqualFold(verified, "true") {
			t.Fatalf("claims %s: email_verified %q read as %v", claims, verified, id.EmailVerified)
		}
	})
}

// checkBirthdate fails t unless the birth date read from claims is zero or
// the civil date the birthdate claim names, at 00:00 UTC; a full date with a
// year is never dropped.
func checkBirthdate(t *testing.T, claims []byte, got time.Time) {
	t.Helper()
	claim, _ := stringClaim(claims, "birthdate")
	if got.IsZero() {
		if d, err := time.Parse(time.DateOnly, claim); err == nil && d.Year() != 0 {
			t.Fatalf("claims %s: birth date %q dropped", claims, claim)
		}
		return
	}
	if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
		t.Fatalf("claims %s: birth date %v is not a civil date", claims, got)
	}
	if got.Format(time.DateOnly) != claim || got.Year() == 0 {
		t.Fatalf("claims %s: birth date %v read from %q", claims, got, claim)
	}
}

// TestIDTokenClaims_ACC3_bench_accepts_a_valid_token shows that the fuzz
// target's tokens pass verification when their claims are right, so that
// FuzzIDTokenClaims_ACC3 reaches the claims decoding and not only refusals.
func TestIDTokenClaims_ACC3_bench_accepts_a_valid_token(t *testing.T) {
	b := newClaimsBench(t)
	id, err := b.verify(t, []byte(`{"email":" zoe@example.org ","email_verified":"true","given_name":"Zoé","birthdate":"1990-01-02"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Issuer: benchIssuer, Subject: "sujet-1", Email: "zoe@example.org", EmailVerified: true, GivenName: "Zoé",
		Birthdate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}
	if id != want {
		t.Fatalf("identity %+v, want %+v", id, want)
	}
	for claims, wantErr := range map[string]error{
		`{"email":"a@example.org","nonce":"another"}`: ErrNonce,
		`{"email":"a@example.org","exp":1}`:           ErrBadToken,
		`{"email":"a@example.org","aud":"autre"}`:     ErrBadToken,
		`{"email":"a@example.org","sub":""}`:          ErrBadToken,
		`{"email":" "}`:                               ErrNoEmail,
	} {
		if _, err := b.verify(t, []byte(claims)); !errors.Is(err, wantErr) {
			t.Errorf("claims %s: %v, want %v", claims, err, wantErr)
		}
	}
}
