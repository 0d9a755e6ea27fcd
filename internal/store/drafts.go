package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
)

// Draft is a validation form's answers kept for its recap page (CAN-4): what
// the person typed and the proof they chose, already checked, waiting for the
// one button that validates them. Token is the basket's token when the form
// was sent: the recap validates exactly that basket.
type Draft struct {
	AccountID    int64
	Token        string
	Objective    domain.Objective
	Motivation   string
	Social       domain.SocialSituation
	RulesVersion string
	HalfTariff   bool
	// RedirectCourses are the basket's courses for which the person accepts
	// an equivalent course if it is full (SEL-5).
	RedirectCourses []int64
	ProofType       string // the proof's sniffed content type, "" without a proof
	ProofData       []byte
	ProofIssued     time.Time // a civil day, zero without a proof
	CreatedAt       time.Time
}

// PutDraft keeps a person's draft, replacing the one before (upsert, same on
// both engines).
func (s *Store) PutDraft(ctx context.Context, tx *sql.Tx, d *Draft) error {
	issued := ""
	if !d.ProofIssued.IsZero() {
		issued = dayArg(d.ProofIssued)
	}
	data := d.ProofData
	if data == nil {
		data = []byte{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO validation_drafts (account_id, token, objective, motivation, rsa, job_seeker,
		subsidised, rules_version, half_tariff, proof_content_type, proof_data, proof_issue_date, created_at, redirect_courses)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, objective = excluded.objective,
			motivation = excluded.motivation, rsa = excluded.rsa, job_seeker = excluded.job_seeker,
			subsidised = excluded.subsidised, rules_version = excluded.rules_version, half_tariff = excluded.half_tariff,
			proof_content_type = excluded.proof_content_type, proof_data = excluded.proof_data,
			proof_issue_date = excluded.proof_issue_date, created_at = excluded.created_at,
			redirect_courses = excluded.redirect_courses`,
		d.AccountID, d.Token, string(d.Objective), d.Motivation, d.Social.RSA, d.Social.JobSeeker, d.Social.Subsidised,
		d.RulesVersion, d.HalfTariff, d.ProofType, data, issued, s.instantArg(d.CreatedAt), idList(d.RedirectCourses))
	if err != nil {
		return fmt.Errorf("keep validation draft of %d: %w", d.AccountID, err)
	}
	return nil
}

// ReadDraft reads a person's draft; ErrNotFound when there is none.
func (s *Store) ReadDraft(ctx context.Context, accountID int64) (Draft, error) {
	d := Draft{AccountID: accountID}
	var issued, redirects string
	err := s.db.R.QueryRowContext(ctx, `SELECT token, objective, motivation, rsa, job_seeker, subsidised, rules_version,
		half_tariff, proof_content_type, proof_data, proof_issue_date, created_at, redirect_courses
		FROM validation_drafts WHERE account_id = $1`,
		accountID).Scan(&d.Token, &d.Objective, &d.Motivation, &d.Social.RSA, &d.Social.JobSeeker, &d.Social.Subsidised,
		&d.RulesVersion, &d.HalfTariff, &d.ProofType, &d.ProofData, &issued, timeCol{&d.CreatedAt}, &redirects)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("validation draft of %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read validation draft of %d: %w", accountID, err)
	}
	if d.RedirectCourses, err = parseIDList(redirects); err != nil {
		return d, fmt.Errorf("validation draft of %d: redirect courses %q: %w", accountID, redirects, err)
	}
	if issued != "" {
		if d.ProofIssued, err = time.Parse(time.DateOnly, issued); err != nil {
			return d, fmt.Errorf("validation draft of %d: proof date %q: %w", accountID, issued, err)
		}
	}
	return d, nil
}

// idList is a list of IDs as the text a draft keeps: "12,34", "" for none.
func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// parseIDList reads idList's text.
func parseIDList(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var out []int64
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// DeleteDrafts deletes the drafts of these people (their validation is done).
func (s *Store) DeleteDrafts(ctx context.Context, tx *sql.Tx, accountIDs ...int64) error {
	for _, id := range accountIDs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM validation_drafts WHERE account_id = $1`, id); err != nil {
			return fmt.Errorf("delete validation draft of %d: %w", id, err)
		}
	}
	return nil
}

// DeleteDraftsBefore deletes the drafts kept since before cutoff (forms never
// validated: their proofs go with them) and returns how many.
func (s *Store) DeleteDraftsBefore(ctx context.Context, tx *sql.Tx, cutoff time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM validation_drafts WHERE created_at < $1`, s.instantArg(cutoff))
	if err != nil {
		return 0, fmt.Errorf("delete old validation drafts: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ValidationOwner is the account that used a validation key, 0 when none did.
func (s *Store) ValidationOwner(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT account_id FROM validations WHERE key = $1`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read validation %q: %w", key, err)
	}
	return id, nil
}
