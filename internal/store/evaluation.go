package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// End-of-course evaluations (CER-1), their results, the certificates of
// competences they give (CER-2), and exam exemptions (CER-4).

// EvaluationDate reads (in tx when given) the date of a course's
// end-of-course evaluation; ok is false when it has none.
func (s *Store) EvaluationDate(ctx context.Context, tx *sql.Tx, courseID int64) (day time.Time, ok bool, err error) {
	lock := ""
	if tx != nil && s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE"
	}
	var d time.Time
	err = s.querier(tx).QueryRowContext(ctx, `SELECT evaluation_date FROM courses WHERE id = $1`+lock, courseID).Scan(nullTime{&d})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, domain.ErrNotFound
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("evaluation date of course %d: %w", courseID, err)
	}
	return d, !d.IsZero(), nil
}

// EvaluationDates reads the evaluation date of every course that has one.
func (s *Store) EvaluationDates(ctx context.Context) (map[int64]time.Time, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, evaluation_date FROM courses WHERE evaluation_date IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("evaluation dates: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var d time.Time
		if err := rows.Scan(&id, timeCol{&d}); err != nil {
			return nil, fmt.Errorf("evaluation dates: %w", err)
		}
		out[id] = d
	}
	return out, rows.Err()
}

// SetEvaluationDate sets, in tx, the date of a course's evaluation.
func (s *Store) SetEvaluationDate(ctx context.Context, tx *sql.Tx, courseID int64, day time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE courses SET evaluation_date = $1 WHERE id = $2`, dayArg(day), courseID); err != nil {
		return fmt.Errorf("set the evaluation date of course %d: %w", courseID, err)
	}
	return nil
}

// RecordEvaluationConvocation records, in tx, that a learner was convoked
// to their course's evaluation; fresh is false when they were before, and
// the convocation must then not be sent again.
func (s *Store) RecordEvaluationConvocation(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64, at time.Time) (fresh bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO evaluation_convocations (candidature_id, course_id, convoked_at) VALUES ($1, $2, $3)
		ON CONFLICT (candidature_id, course_id) DO NOTHING`, candidatureID, courseID, s.instantArg(at))
	if err != nil {
		return false, fmt.Errorf("convocation of candidature %d to the evaluation of course %d: %w", candidatureID, courseID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Unconvoked is a learner of a course whose evaluation is to come, not
// convoked to it yet.
type Unconvoked struct {
	CandidatureID, AccountID, CourseID int64
	Day                                time.Time
}

// UnconvokedLearners lists the learners accepted in a course whose
// evaluation is on or after from and who were not convoked to it: those who
// joined after its date was set.
func (s *Store) UnconvokedLearners(ctx context.Context, from time.Time) ([]Unconvoked, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.account_id, co.id, co.evaluation_date
		FROM courses co JOIN candidatures c ON c.accepted_course_id = co.id AND c.status = 'accepted'
		WHERE co.evaluation_date >= $1 AND NOT EXISTS (SELECT 1 FROM evaluation_convocations v
			WHERE v.candidature_id = c.id AND v.course_id = co.id)
		ORDER BY co.id, c.id`, dayArg(from))
	if err != nil {
		return nil, fmt.Errorf("learners not convoked to their evaluation: %w", err)
	}
	defer rows.Close()
	var out []Unconvoked
	for rows.Next() {
		var u Unconvoked
		if err := rows.Scan(&u.CandidatureID, &u.AccountID, &u.CourseID, timeCol{&u.Day}); err != nil {
			return nil, fmt.Errorf("learners not convoked to their evaluation: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Result is a learner's result at their course's evaluation.
type Result struct {
	CandidatureID, CourseID int64
	Result                  domain.EvaluationResult
	Grade                   string
	EnteredAt               time.Time
	EnteredBy               int64
}

// CourseResults reads the results entered for a course, by candidature.
func (s *Store) CourseResults(ctx context.Context, tx *sql.Tx, courseID int64) (map[int64]Result, error) {
	rows, err := s.querier(tx).QueryContext(ctx, `SELECT candidature_id, course_id, result, grade, entered_at, entered_by
		FROM evaluation_results WHERE course_id = $1`, courseID)
	if err != nil {
		return nil, fmt.Errorf("results of course %d: %w", courseID, err)
	}
	defer rows.Close()
	out := map[int64]Result{}
	for rows.Next() {
		var r Result
		if err := rows.Scan(&r.CandidatureID, &r.CourseID, &r.Result, &r.Grade, timeCol{&r.EnteredAt}, &r.EnteredBy); err != nil {
			return nil, fmt.Errorf("results of course %d: %w", courseID, err)
		}
		out[r.CandidatureID] = r
	}
	return out, rows.Err()
}

// SetResult records, in tx, a learner's result, replacing the one entered
// before; it returns that previous one (had is false when there was none).
// The caller holds the course's lock.
func (s *Store) SetResult(ctx context.Context, tx *sql.Tx, r Result) (prev Result, had bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT candidature_id, course_id, result, grade, entered_at, entered_by
		FROM evaluation_results WHERE candidature_id = $1`, r.CandidatureID).
		Scan(&prev.CandidatureID, &prev.CourseID, &prev.Result, &prev.Grade, timeCol{&prev.EnteredAt}, &prev.EnteredBy)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO evaluation_results (candidature_id, course_id, result, grade, entered_at, entered_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.CandidatureID, r.CourseID, string(r.Result), r.Grade, s.instantArg(r.EnteredAt), r.EnteredBy)
	case err == nil:
		had = true
		_, err = tx.ExecContext(ctx, `UPDATE evaluation_results SET course_id = $2, result = $3, grade = $4, entered_at = $5, entered_by = $6
			WHERE candidature_id = $1`, r.CandidatureID, r.CourseID, string(r.Result), r.Grade, s.instantArg(r.EnteredAt), r.EnteredBy)
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("result of candidature %d: %w", r.CandidatureID, err)
	}
	return prev, had, nil
}

// PersonRecord reads what a person's past evaluations say (CER-2, SEL-7):
// the formations they hold a certificate of, and their failed or missed
// evaluations per formation. In tx when given.
func (s *Store) PersonRecord(ctx context.Context, tx *sql.Tx, accountID int64) (domain.Record, error) {
	rec := domain.Record{Certified: map[int64]bool{}, Failures: map[int64]int{}}
	rows, err := s.querier(tx).QueryContext(ctx, `SELECT formation_id, 0 FROM certificates WHERE account_id = $1
		UNION ALL SELECT c.formation_id, COUNT(*) FROM evaluation_results r JOIN candidatures c ON c.id = r.candidature_id
		WHERE c.account_id = $1 AND r.result IN ('failed', 'absent') GROUP BY c.formation_id`, accountID)
	if err != nil {
		return rec, fmt.Errorf("record of account %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var formation int64
		var failures int
		if err := rows.Scan(&formation, &failures); err != nil {
			return rec, fmt.Errorf("record of account %d: %w", accountID, err)
		}
		if failures == 0 {
			rec.Certified[formation] = true
		} else {
			rec.Failures[formation] = failures
		}
	}
	return rec, rows.Err()
}

// PendingCertificate is a passed result whose certificate is not issued
// yet, or issued: the central service's dashboard (CER-2).
type PendingCertificate struct {
	CandidatureID, AccountID, CourseID, FormationID int64
	FirstName, LastName                             string
	LastDay                                         time.Time // the course's session's last day
	PassedAt                                        time.Time
	CertificateID                                   int64 // 0 while not issued
	IssuedAt                                        time.Time
}

// PassedResults lists every passed result with its certificate if issued,
// by the course's last day then the learner's name.
func (s *Store) PassedResults(ctx context.Context) ([]PendingCertificate, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.account_id, r.course_id, c.formation_id, a.first_name, a.last_name,
		se.last_day, r.entered_at, COALESCE(ce.id, 0), ce.issued_at
		FROM evaluation_results r JOIN candidatures c ON c.id = r.candidature_id JOIN accounts a ON a.id = c.account_id
		JOIN courses co ON co.id = r.course_id JOIN sessions se ON se.id = co.session_id
		LEFT JOIN certificates ce ON ce.candidature_id = c.id
		WHERE r.result = 'passed'
		ORDER BY se.last_day, a.last_name, a.first_name, c.id`)
	if err != nil {
		return nil, fmt.Errorf("passed results: %w", err)
	}
	defer rows.Close()
	var out []PendingCertificate
	for rows.Next() {
		var p PendingCertificate
		if err := rows.Scan(&p.CandidatureID, &p.AccountID, &p.CourseID, &p.FormationID, &p.FirstName, &p.LastName,
			timeCol{&p.LastDay}, timeCol{&p.PassedAt}, &p.CertificateID, nullTime{&p.IssuedAt}); err != nil {
			return nil, fmt.Errorf("passed results: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Certificate is a certificate of competences as issued (CER-2).
type Certificate struct {
	ID, CandidatureID, AccountID, FormationID int64
	Number                                    string
	IssuedAt                                  time.Time
	IssuedBy                                  int64
}

const certificateColumns = `id, candidature_id, account_id, formation_id, number, issued_at, issued_by`

func scanCertificate(row rowScanner) (Certificate, error) {
	var c Certificate
	err := row.Scan(&c.ID, &c.CandidatureID, &c.AccountID, &c.FormationID, &c.Number, timeCol{&c.IssuedAt}, &c.IssuedBy)
	return c, err
}

// IssueCertificate records, in tx, the certificate of a candidature's
// passed result; created is false when it was issued before (the one
// recorded is returned, nothing is written twice).
func (s *Store) IssueCertificate(ctx context.Context, tx *sql.Tx, c Certificate) (Certificate, bool, error) {
	// No conflict target: two runs issuing the same certificate at once
	// collide on its number as well as on its candidature, and PostgreSQL
	// only waits out the conflicts of a targeted index (the number's would
	// fail the whole batch).
	res, err := tx.ExecContext(ctx, `INSERT INTO certificates (candidature_id, account_id, formation_id, number, issued_at, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		c.CandidatureID, c.AccountID, c.FormationID, c.Number, s.instantArg(c.IssuedAt), c.IssuedBy)
	if err != nil {
		return Certificate{}, false, fmt.Errorf("issue the certificate of candidature %d: %w", c.CandidatureID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Certificate{}, false, err
	}
	got, err := scanCertificate(tx.QueryRowContext(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE candidature_id = $1`, c.CandidatureID))
	if err != nil {
		return Certificate{}, false, fmt.Errorf("read the certificate of candidature %d: %w", c.CandidatureID, err)
	}
	return got, n == 1, nil
}

// CertificateByID reads a certificate.
func (s *Store) CertificateByID(ctx context.Context, id int64) (Certificate, error) {
	c, err := scanCertificate(s.db.R.QueryRowContext(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, domain.ErrNotFound
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("certificate %d: %w", id, err)
	}
	return c, nil
}

// CertificatesOf lists a person's certificates, the latest first.
func (s *Store) CertificatesOf(ctx context.Context, accountID int64) ([]Certificate, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE account_id = $1 ORDER BY issued_at DESC, id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("certificates of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, fmt.Errorf("certificates of account %d: %w", accountID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Exemption is a learner's exemption from a diploma formation's general
// exams (CER-4), with the proof kept.
type Exemption struct {
	ID, AccountID, FormationID int64
	DiplomaHeld                string
	ProofID                    int64
	Note                       string
	RecordedAt                 time.Time
	RecordedBy                 int64
}

// RecordExemption records, in tx, an exemption; created is false when the
// person already had one for the formation (it is then left as it was).
func (s *Store) RecordExemption(ctx context.Context, tx *sql.Tx, x Exemption) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO exam_exemptions (account_id, formation_id, diploma_held, proof_id, note, recorded_at, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, formation_id) DO NOTHING`,
		x.AccountID, x.FormationID, x.DiplomaHeld, x.ProofID, x.Note, s.instantArg(x.RecordedAt), x.RecordedBy)
	if err != nil {
		return false, fmt.Errorf("record the exemption of account %d in formation %d: %w", x.AccountID, x.FormationID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ExemptionsOf lists a person's exemptions.
func (s *Store) ExemptionsOf(ctx context.Context, accountID int64) ([]Exemption, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, account_id, formation_id, diploma_held, proof_id, note, recorded_at, recorded_by
		FROM exam_exemptions WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("exemptions of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []Exemption
	for rows.Next() {
		var x Exemption
		if err := rows.Scan(&x.ID, &x.AccountID, &x.FormationID, &x.DiplomaHeld, &x.ProofID, &x.Note, timeCol{&x.RecordedAt}, &x.RecordedBy); err != nil {
			return nil, fmt.Errorf("exemptions of account %d: %w", accountID, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CandidateIDs lists up to n active candidate accounts with an email and a
// birth date, by ID: the demo's learners of past years.
func (s *Store) CandidateIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM accounts WHERE kind = 'candidate' AND status = 'active'
		AND email <> '' AND birth_date IS NOT NULL ORDER BY id LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("candidate accounts: %w", err)
	}
	return scanIDs(rows)
}

// Issuance is a bulk issuance of certificates (CER-2) as its progress
// shows it.
type Issuance struct {
	ID          int64
	Total, Done int
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// StartIssuance records a bulk issuance of total certificates begun by
// staff member by.
func (s *Store) StartIssuance(ctx context.Context, total int, by int64, at time.Time) (int64, error) {
	var id int64
	if err := s.db.W.QueryRowContext(ctx, `INSERT INTO certificate_issuances (started_at, started_by, total, heartbeat_at)
		VALUES ($1, $2, $3, $1) RETURNING id`, s.instantArg(at), by, total).Scan(&id); err != nil {
		return 0, fmt.Errorf("start a bulk issuance of %d certificates: %w", total, err)
	}
	return id, nil
}

// IssuanceProgress records how many certificates a bulk issuance has gone
// through, and that it is alive.
func (s *Store) IssuanceProgress(ctx context.Context, id int64, done int, at time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE certificate_issuances SET done = $1, heartbeat_at = $2 WHERE id = $3`,
		done, s.instantArg(at), id); err != nil {
		return fmt.Errorf("progress of bulk issuance %d: %w", id, err)
	}
	return nil
}

// FinishIssuance records the end of a bulk issuance: how many it issued,
// and its error if it stopped on one.
func (s *Store) FinishIssuance(ctx context.Context, id int64, issued int, failure string, at time.Time) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE certificate_issuances SET issued = $1, error = $2, finished_at = $3, heartbeat_at = $3
		WHERE id = $4`, issued, failure, s.instantArg(at), id); err != nil {
		return fmt.Errorf("finish bulk issuance %d: %w", id, err)
	}
	return nil
}

// RunningIssuance reads the latest bulk issuance not finished whose
// progress beat at or after alive (an older one died with its instance).
func (s *Store) RunningIssuance(ctx context.Context, alive time.Time) (Issuance, bool, error) {
	var i Issuance
	err := s.db.R.QueryRowContext(ctx, `SELECT id, total, done, started_at, heartbeat_at FROM certificate_issuances
		WHERE finished_at IS NULL AND heartbeat_at >= $1 ORDER BY id DESC LIMIT 1`, s.instantArg(alive)).
		Scan(&i.ID, &i.Total, &i.Done, timeCol{&i.StartedAt}, timeCol{&i.HeartbeatAt})
	if errors.Is(err, sql.ErrNoRows) {
		return Issuance{}, false, nil
	}
	if err != nil {
		return Issuance{}, false, fmt.Errorf("bulk issuance under way: %w", err)
	}
	return i, true, nil
}
