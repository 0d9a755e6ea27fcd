package candidature

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
	"cma/internal/proof"
	"cma/internal/store"
)

// The per-account quota of proofs kept (CAN-9). A person validates a basket a
// few times a year and a proof serves all of a validation's candidatures; the
// proofs of cancelled candidatures are erased after ProofRetentionMonths. Ten
// proofs or 25 MB (five proofs of the largest size) is years of ordinary use,
// and stops an account from filling the database by validating and
// cancelling in a loop.
const (
	MaxProofsKept     = 10
	MaxProofBytesKept = 25 << 20
)

// ProofRetentionMonths is how long a proof is kept once nothing needs it any
// more: three months after the last of the candidatures using it was
// cancelled, or after its upload when no candidature uses it. A cancelled
// candidature never pays (PAY-5 applies to candidatures that go on), so the
// proof's only use left is answering the person or a desk about the
// cancellation and the tariff shown, which happens in the weeks after it;
// three months is also the proof's own validity (CAN-9), after which it
// proves nothing. A proof of a candidature still under way is kept: the
// tariff and the payment rest on it.
const ProofRetentionMonths = 3

// keepProof stores the validation's proof in tx unless the person's quota is
// reached; the person is locked by the validation, so the count holds.
func (s *Service) keepProof(ctx context.Context, tx *sql.Tx, p *domain.Proof) error {
	n, size, err := s.store.ProofUsage(ctx, tx, p.AccountID)
	if err != nil {
		return err
	}
	if n+1 > MaxProofsKept || size+int64(len(p.Data)) > MaxProofBytesKept {
		return domain.FieldErrors{{Field: "proof", Key: "basket.error.proof_quota",
			Args: map[string]any{"Kept": n, "Max": MaxProofsKept, "MaxMB": MaxProofBytesKept >> 20}}}
	}
	return s.store.InsertProof(ctx, tx, p)
}

// EraseExpiredProofs erases, in one transaction, the bytes of every proof
// whose retention is over (ProofRetentionMonths) and records each erasure in
// the audit trail as an action of the platform itself. It returns how many it
// erased. The periodic job of package jobs calls it.
func EraseExpiredProofs(ctx context.Context, st *store.Store, now time.Time) (int, error) {
	cutoff := now.AddDate(0, -ProofRetentionMonths, 0)
	var n int
	err := st.InTx(ctx, func(tx *sql.Tx) error {
		erased, err := st.EraseProofsEndedBefore(ctx, tx, cutoff, now)
		if err != nil {
			return err
		}
		for _, p := range erased {
			if err := st.RecordAudit(ctx, tx, domain.AuditEvent{At: now, Action: domain.AuditProofErased, SubjectID: p.AccountID,
				Details: fmt.Sprintf("justificatif n° %d (%s, %d octets)", p.ID, p.ContentType, p.SizeBytes),
				Reason:  fmt.Sprintf("conservation de %d mois écoulée depuis la fin des candidatures qui l'utilisaient", ProofRetentionMonths)}); err != nil {
				return err
			}
		}
		n = len(erased)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("erase expired proofs: %w", err)
	}
	return n, nil
}

// checkProof checks a half-tariff proof all the way through (CAN-9, package
// proof) and returns its content type, or the key of the refusal: one message
// for each family of refusal. Checks run a few at a time (s.proofChecks): a
// small file may decode to a large image (40 megapixels take 150 MB), so many
// proofs at once must wait rather than take the memory together.
func (s *Service) checkProof(ctx context.Context, data []byte) (contentType, refusal string) {
	select {
	case s.proofChecks <- struct{}{}:
		defer func() { <-s.proofChecks }()
	case <-ctx.Done():
		return "", "basket.error.proof_damaged" // the person has gone: nobody reads it
	}
	contentType, err := proof.Check(ctx, data) // bounded in time by proof itself
	switch {
	case err == nil:
		return contentType, ""
	case errors.Is(err, proof.ErrDamaged):
		return "", "basket.error.proof_damaged"
	case errors.Is(err, proof.ErrActive):
		return "", "basket.error.proof_active"
	case errors.Is(err, proof.ErrTooLarge):
		return "", "basket.error.proof_too_large_open"
	}
	return "", "basket.error.proof_type"
}
