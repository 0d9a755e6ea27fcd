package evaluation

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/proof"
	"cma/internal/store"
)

// Exemptions from a diploma's general exams (CER-4): a learner of a diploma
// formation who holds a diploma of a higher level may be exempted, recorded
// by staff with the proof (a copy of the diploma), which is checked like
// every uploaded proof and kept as long as the exemption.

// ExemptionRequest is what staff record.
type ExemptionRequest struct {
	CandidatureID int64
	DiplomaHeld   string // "Baccalauréat", "BTS Comptabilité"
	Note          string
	Proof         []byte
}

// Exempt records an exemption for a learner of a diploma course (ROLE-3,
// ROLE-4, ROLE-5), in one transaction with its proof, audited and told to
// the learner. A learner already exempted in the formation is refused.
func (s *Service) Exempt(ctx context.Context, actor domain.Actor, courseID int64, req ExemptionRequest) error {
	e, err := s.course(ctx, actor, domain.ActEvaluate, courseID)
	if err != nil {
		return err
	}
	if !e.Formation.Diploma {
		return refuse("exemption.not_diploma")
	}
	diploma := strings.TrimSpace(req.DiplomaHeld)
	if diploma == "" {
		return refuse("exemption.diploma_missing")
	}
	if diploma, err = clean(diploma); err != nil {
		return err
	}
	note, err := clean(req.Note)
	if err != nil {
		return err
	}
	if len(req.Proof) == 0 {
		return refuse("exemption.proof_missing")
	}
	contentType, err := proof.Check(ctx, req.Proof)
	if err != nil {
		if errors.Is(err, proof.ErrTooLarge) {
			return refuse("exemption.proof_too_large")
		}
		return refuse("exemption.proof_invalid")
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.Candidature(ctx, tx, req.CandidatureID)
		if err != nil {
			return err
		}
		if c.Status != domain.CandidatureAccepted || c.AcceptedCourseID != e.ID {
			return refuse("evaluation.result.not_a_learner")
		}
		sum := sha256.Sum256(req.Proof)
		p := &domain.Proof{AccountID: c.AccountID, ContentType: contentType, Data: req.Proof, SHA256: hex.EncodeToString(sum[:]),
			IssueDate: parisDay(s.now()), UploadedAt: s.now()}
		if err := s.store.InsertProof(ctx, tx, p); err != nil {
			return err
		}
		created, err := s.store.RecordExemption(ctx, tx, store.Exemption{AccountID: c.AccountID, FormationID: e.FormationID,
			DiplomaHeld: diploma, ProofID: p.ID, Note: note, RecordedAt: s.now(), RecordedBy: actor.AccountID})
		if err != nil {
			return err
		}
		if !created {
			return refuse("exemption.already")
		}
		if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditExemptionRecorded,
			SubjectID: c.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Reason: note,
			Details: "dispense des épreuves générales de « " + e.Formation.Title + " » ; diplôme détenu : " + diploma}); err != nil {
			return err
		}
		return s.tell(ctx, tx, c.AccountID, "exam_exemption", func(seat mail.Seat) (string, string, string, error) {
			return mail.RenderExemption(mail.ExemptionMail{Seat: seat, Diploma: diploma})
		}, e)
	})
}
