package payment

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// A signed token is what a printed document's QR code carries (a learner
// card, an attestation): the document's ID and a MAC of it under a key of
// the platform (store.SigningKey, shared by every instance), so that a
// token cannot be made up. Each kind of document has its own key and its
// own purpose in the MAC: a card's token never verifies as an attestation's.
type signedTokens struct {
	key     string // the signing key's name
	purpose string // written in the MAC before the ID
}

var (
	cardTokens        = signedTokens{key: "learner_card", purpose: "cma learner card"}
	attestationTokens = signedTokens{key: "attestation", purpose: "cma attestation"}
)

func (k signedTokens) mac(key, id []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(k.purpose + "\x00"))
	m.Write(id)
	return m.Sum(nil)[:16]
}

// sign returns the token of a document's ID.
func (k signedTokens) sign(ctx context.Context, s *Service, id int64) (string, error) {
	key, err := s.store.SigningKey(ctx, k.key, s.now())
	if err != nil {
		return "", err
	}
	raw := make([]byte, 8, 8+16)
	binary.BigEndian.PutUint64(raw, uint64(id))
	raw = append(raw, k.mac(key, raw)...)
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// parse returns the ID a token signs; ok is false for a token the platform
// did not make with this kind's key.
func (k signedTokens) parse(ctx context.Context, s *Service, token string) (id int64, ok bool, err error) {
	key, err := s.store.SigningKey(ctx, k.key, s.now())
	if err != nil {
		return 0, false, err
	}
	raw, derr := base64.RawURLEncoding.DecodeString(token)
	if derr != nil || len(raw) != 24 || !hmac.Equal(raw[8:], k.mac(key, raw[:8])) {
		return 0, false, nil
	}
	return int64(binary.BigEndian.Uint64(raw[:8])), true, nil
}
