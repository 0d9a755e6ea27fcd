package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AttendanceAttestation is an attestation d'assiduité delivered (ATT-2):
// the figures it attests, kept as they were that day.
type AttendanceAttestation struct {
	ID, CandidatureID int64
	RateBP            int
	MinutesPresent    int
	MinutesHeld       int
	FirstDay, LastDay time.Time // civil dates of the first and last meetings counted
	IssuedAt          time.Time
}

const attendanceAttestationColumns = `id, candidature_id, rate_bp, minutes_present, minutes_held, first_day, last_day, issued_at`

func scanAttendanceAttestation(row rowScanner) (AttendanceAttestation, error) {
	var a AttendanceAttestation
	err := row.Scan(&a.ID, &a.CandidatureID, &a.RateBP, &a.MinutesPresent, &a.MinutesHeld, timeCol{&a.FirstDay},
		timeCol{&a.LastDay}, timeCol{&a.IssuedAt})
	return a, err
}

// IssueAttendanceAttestation records a's attestation, once per candidature
// and last meeting counted: when one was recorded already for that last
// meeting (asked again, or two clicks racing), it is read back and fresh is
// false. a's ID and fields are those recorded.
func (s *Store) IssueAttendanceAttestation(ctx context.Context, a *AttendanceAttestation) (fresh bool, err error) {
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO attendance_attestations (candidature_id, rate_bp, minutes_present, minutes_held,
			first_day, last_day, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (candidature_id, last_day) DO NOTHING`,
			a.CandidatureID, a.RateBP, a.MinutesPresent, a.MinutesHeld, dayArg(a.FirstDay), dayArg(a.LastDay), s.instantArg(a.IssuedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		fresh = n == 1
		got, err := scanAttendanceAttestation(tx.QueryRowContext(ctx, `SELECT `+attendanceAttestationColumns+`
			FROM attendance_attestations WHERE candidature_id = $1 AND last_day = $2`, a.CandidatureID, dayArg(a.LastDay)))
		*a = got
		return err
	})
	if err != nil {
		return false, fmt.Errorf("attestation d'assiduité of candidature %d: %w", a.CandidatureID, err)
	}
	return fresh, nil
}

// AttendanceAttestationByID reads an attestation d'assiduité; ErrNotFound
// when there is none.
func (s *Store) AttendanceAttestationByID(ctx context.Context, id int64) (AttendanceAttestation, error) {
	a, err := scanAttendanceAttestation(s.db.R.QueryRowContext(ctx, `SELECT `+attendanceAttestationColumns+`
		FROM attendance_attestations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("attestation d'assiduité %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("attestation d'assiduité %d: %w", id, err)
	}
	return a, nil
}

// LatestAttendanceAttestations reads the last attestation d'assiduité of
// each of the candidatures given, by candidature.
func (s *Store) LatestAttendanceAttestations(ctx context.Context, candidatureIDs []int64) (map[int64]AttendanceAttestation, error) {
	out := map[int64]AttendanceAttestation{}
	if len(candidatureIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+attendanceAttestationColumns+` FROM attendance_attestations
		WHERE candidature_id `+s.inList(1, "bigint")+` ORDER BY candidature_id, last_day`, s.listArg(candidatureIDs))
	if err != nil {
		return nil, fmt.Errorf("attestations d'assiduité: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttendanceAttestation(rows)
		if err != nil {
			return nil, fmt.Errorf("attestations d'assiduité: %w", err)
		}
		out[a.CandidatureID] = a // the last by day wins
	}
	return out, rows.Err()
}
