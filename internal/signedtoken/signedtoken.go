// Package signedtoken makes and checks the tokens a printed document's QR
// code carries (a learner card, an attestation, a certificate): the
// document's ID and a MAC of it under a key of the platform, so that a
// token cannot be made up. Each kind of document signs with its own key and
// writes its own purpose in the MAC: a card's token never verifies as an
// attestation's. Pure: the caller fetches the key (store.SigningKey).
package signedtoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// Kind names a kind of document: the name of its signing key and the
// purpose written in the MAC before the ID.
type Kind struct {
	Key     string // the signing key's name (store.SigningKey)
	Purpose string
}

func mac(key []byte, purpose string, id []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00"))
	m.Write(id)
	return m.Sum(nil)[:16]
}

// Sign returns the token of a document's ID: 8 bytes of the ID (big
// endian) and 16 bytes of MAC, in unpadded URL-safe base64 (32 characters).
func Sign(key []byte, purpose string, id int64) string {
	raw := make([]byte, 8, 8+16)
	binary.BigEndian.PutUint64(raw, uint64(id))
	raw = append(raw, mac(key, purpose, raw)...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Parse returns the ID a token signs; ok is false for a token not made by
// Sign with this key and purpose.
func Parse(key []byte, purpose, token string) (id int64, ok bool) {
	if len(token) != 32 {
		return 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 24 || !hmac.Equal(raw[8:], mac(key, purpose, raw[:8])) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(raw[:8])), true
}
