package candidature

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
func (s *Service) keepProof(ctx context.Context, tx *sql.Tx, p *store.Proof) error {
	n, size, err := s.store.ProofUsage(ctx, tx, p.AccountID)
	if err != nil {
		return err
	}
	if n+1 > MaxProofsKept || size+int64(len(p.Data)) > MaxProofBytesKept {
		return FieldErrors{{"justificatif", fmt.Sprintf("Votre espace garde déjà %d justificatifs (%d au plus, %d Mo en tout) : "+
			"validez sans le demi-tarif, ou contactez le service des cours pour adultes.", n, MaxProofsKept, MaxProofBytesKept>>20)}}
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
			if err := st.RecordAudit(ctx, tx, store.AuditEvent{At: now, Action: "proof.erased", SubjectID: p.AccountID,
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
// proof) and returns its content type, or the refusal worded for the person,
// one message for each family of refusal.
func checkProof(data []byte) (string, *FieldError) {
	// The check bounds its own time; the form's checks take no context.
	contentType, err := proof.Check(context.Background(), data)
	if err == nil {
		return contentType, nil
	}
	msg := "Le justificatif doit être un fichier PDF, JPEG ou PNG."
	switch {
	case errors.Is(err, proof.ErrDamaged):
		msg = "Le justificatif est endommagé, illisible ou protégé par un mot de passe : enregistrez-le de nouveau en PDF, ou joignez une photo JPEG ou PNG."
	case errors.Is(err, proof.ErrActive):
		msg = "Le justificatif contient du contenu actif (script, programme, fichier joint ou page web) : joignez une copie simple, imprimée en PDF ou prise en photo."
	case errors.Is(err, proof.ErrTooLarge):
		msg = "Le justificatif est trop volumineux une fois ouvert (image de plus de 40 mégapixels ou PDF trop lourd) : scannez-le de nouveau en résolution plus basse."
	}
	return "", &FieldError{"justificatif", msg}
}
