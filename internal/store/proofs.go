package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cma/internal/domain"
)

// ProofUsage is how many proofs an account keeps, and their bytes, erased
// proofs left out. Read in the validation's transaction, under the person's
// lock, so that two validations at once cannot both pass a quota.
func (s *Store) ProofUsage(ctx context.Context, tx *sql.Tx, accountID int64) (count int, bytes int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM proofs
		WHERE account_id = $1 AND erased_at IS NULL`, accountID).Scan(&count, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("read proofs kept by %d: %w", accountID, err)
	}
	return count, bytes, nil
}

// ErasedProof is what remains known of a proof whose bytes were erased.
type ErasedProof struct {
	ID          int64
	AccountID   int64
	ContentType string
	SizeBytes   int64
}

// EraseProofsEndedBefore erases the bytes of every proof no longer needed
// since before cutoff: every candidature that uses it was cancelled before
// cutoff, or none uses it and it was uploaded before cutoff. The row stays,
// with erased_at set to now. A proof of a candidature still under way is
// never touched, nor the proof of an exam exemption (CER-4), which
// justifies a staff decision. It returns the proofs it erased, so that the caller records
// them in the same transaction.
func (s *Store) EraseProofsEndedBefore(ctx context.Context, tx *sql.Tx, cutoff, now time.Time) ([]ErasedProof, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.account_id, p.content_type, p.size_bytes FROM proofs p
		WHERE p.erased_at IS NULL AND p.uploaded_at < $1
		AND NOT EXISTS (SELECT 1 FROM candidatures c WHERE c.proof_id = p.id
			AND (c.status <> $2 OR c.cancelled_at IS NULL OR c.cancelled_at >= $1))
		AND NOT EXISTS (SELECT 1 FROM exam_exemptions x WHERE x.proof_id = p.id)
		ORDER BY p.id`, s.instantArg(cutoff), string(domain.CandidatureCancelled))
	if err != nil {
		return nil, fmt.Errorf("find proofs to erase: %w", err)
	}
	var found []ErasedProof
	for rows.Next() {
		var p ErasedProof
		if err := rows.Scan(&p.ID, &p.AccountID, &p.ContentType, &p.SizeBytes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find proofs to erase: %w", err)
		}
		found = append(found, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find proofs to erase: %w", err)
	}
	var erased []ErasedProof
	for _, p := range found {
		// substr(data, 1, 0) is the empty BLOB on SQLite and the empty BYTEA on
		// PostgreSQL; "erased_at IS NULL" again makes a second eraser a no-op.
		res, err := tx.ExecContext(ctx, `UPDATE proofs SET data = substr(data, 1, 0), erased_at = $1
			WHERE id = $2 AND erased_at IS NULL`, s.instantArg(now), p.ID)
		if err != nil {
			return nil, fmt.Errorf("erase proof %d: %w", p.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("erase proof %d: %w", p.ID, err)
		} else if n == 1 {
			erased = append(erased, p)
		}
	}
	return erased, nil
}

// InsertProof stores a proof and sets its ID.
func (s *Store) InsertProof(ctx context.Context, tx *sql.Tx, p *domain.Proof) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO proofs (account_id, content_type, size_bytes, sha256, data, issue_date, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.AccountID, p.ContentType, len(p.Data), p.SHA256, p.Data,
		dayArg(p.IssueDate), s.instantArg(p.UploadedAt)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store proof of %d: %w", p.AccountID, err)
	}
	return nil
}
