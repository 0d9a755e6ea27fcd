package signedtoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// legacy is the token payment made before this package: the same bytes must
// come out, so that printed cards and attestations stay valid.
func legacy(key []byte, purpose string, id int64) string {
	raw := make([]byte, 8, 24)
	binary.BigEndian.PutUint64(raw, uint64(id))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00"))
	m.Write(raw)
	raw = append(raw, m.Sum(nil)[:16]...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func TestSignParse(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, id := range []int64{1, 42, 1 << 40} {
		tok := Sign(key, "cma learner card", id)
		if want := legacy(key, "cma learner card", id); tok != want {
			t.Fatalf("Sign(%d) = %s, the tokens already printed are %s", id, tok, want)
		}
		if got, ok := Parse(key, "cma learner card", tok); !ok || got != id {
			t.Fatalf("Parse(Sign(%d)) = %d, %v", id, got, ok)
		}
		if _, ok := Parse(key, "cma attestation", tok); ok {
			t.Fatal("a card's token verified as an attestation's")
		}
		if _, ok := Parse([]byte("another key"), "cma learner card", tok); ok {
			t.Fatal("a token verified under another key")
		}
		b := []byte(tok)
		b[3] ^= 1
		if _, ok := Parse(key, "cma learner card", string(b)); ok {
			t.Fatal("a tampered token verified")
		}
	}
	for _, bad := range []string{"", "x", "!!!!", Sign(key, "p", 1) + "A"} {
		if _, ok := Parse(key, "p", bad); ok {
			t.Fatalf("Parse(%q) ok", bad)
		}
	}
}
