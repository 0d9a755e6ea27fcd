package payment

import (
	"context"

	"cma/internal/signedtoken"
)

// A printed document's QR code carries a signed token (internal/signedtoken)
// under a key of the platform (store.SigningKey, shared by every instance).
// Each kind of document has its own key and purpose: a card's token never
// verifies as an attestation's.
var (
	cardTokens        = signedtoken.Kind{Key: "learner_card", Purpose: "cma learner card"}
	attestationTokens = signedtoken.Kind{Key: "attestation", Purpose: "cma attestation"}
)

// sign returns the token of a document's ID.
func (s *Service) sign(ctx context.Context, k signedtoken.Kind, id int64) (string, error) {
	key, err := s.store.SigningKey(ctx, k.Key, s.now())
	if err != nil {
		return "", err
	}
	return signedtoken.Sign(key, k.Purpose, id), nil
}

// parse returns the ID a token signs; ok is false for a token the platform
// did not make with this kind's key.
func (s *Service) parse(ctx context.Context, k signedtoken.Kind, token string) (id int64, ok bool, err error) {
	key, err := s.store.SigningKey(ctx, k.Key, s.now())
	if err != nil {
		return 0, false, err
	}
	id, ok = signedtoken.Parse(key, k.Purpose, token)
	return id, ok, nil
}
