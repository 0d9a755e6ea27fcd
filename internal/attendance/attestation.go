package attendance

import (
	"context"
	"errors"
	"fmt"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/signedtoken"
	"cma/internal/store"
)

// The attestation d'assiduité (ATT-2): a learner present (late counts) for
// at least 75 % of the minutes of their course's meetings held so far
// (cancelled meetings count for nobody) asks for it on "mon parcours" and
// downloads it, as a PDF or a page; it is recorded once per candidature and
// last meeting counted, so that asking again the same day gives the same
// one and asking after more meetings gives a new one. Its QR code carries a
// signed token of its ID, checked by a public page that shows what was
// attested. The certificate of competences (CER-2, package evaluation)
// signs its QR code the same way, with its own key.

// AttestationVerifyPath is where an attestation's QR code leads.
const AttestationVerifyPath = "/attestation-assiduite/"

// An attestation's tokens have their own key and purpose: one never
// verifies as a certificate's, nor as a learner card's.
var attestationTokens = signedtoken.Kind{Key: "attendance_attestation", Purpose: "cma attendance attestation"}

// AttestationNumber is an attestation d'assiduité's printed number: the
// year it was issued and its ID, "ASS-2027-000042".
func AttestationNumber(a store.AttendanceAttestation) string {
	return fmt.Sprintf("ASS-%04d-%06d", a.IssuedAt.In(domain.Paris()).Year(), a.ID)
}

// IssuedAttestation is an attestation d'assiduité recorded, with its
// document ready to lay out (its verification address signed).
type IssuedAttestation struct {
	Attestation   store.AttendanceAttestation
	CourseID      int64
	Document      documents.AttendanceAttestation
	Fresh         bool // recorded by this request
	CandidatureID int64
}

// RequestAttestation delivers an attestation d'assiduité for one of the
// learner's own courses (ROLE-1, ATT-2): refused without a meeting held or
// under 75 %, by exact comparison of the minutes (74.96 % is not 75 %).
// Asked again with no meeting held since, it returns the one recorded.
func (s *Service) RequestAttestation(ctx context.Context, actor domain.Actor, personID, candidatureID int64) (IssuedAttestation, error) {
	e, l, err := s.ownLine(ctx, actor, personID, candidatureID)
	if err != nil {
		return IssuedAttestation{}, err
	}
	a := l.Attendance
	switch {
	case a.HeldMeetings == 0 || a.HeldMinutes == 0:
		return IssuedAttestation{}, refuse("att.attestation.none_held")
	case !a.Reaches():
		return IssuedAttestation{}, refuse("att.attestation.under", "Rate", domain.FormatRate(a.RateBP(), ","))
	}
	row := store.AttendanceAttestation{CandidatureID: candidatureID, RateBP: a.RateBP(), MinutesPresent: a.PresentMinutes,
		MinutesHeld: a.HeldMinutes, FirstDay: a.FirstHeld, LastDay: a.LastHeld, IssuedAt: s.now()}
	fresh, err := s.store.IssueAttendanceAttestation(ctx, &row)
	if err != nil {
		return IssuedAttestation{}, err
	}
	out, err := s.issued(ctx, e, l.RegisterLearner, row)
	out.Fresh = fresh
	return out, err
}

// OwnAttestation reads one of the learner's own attestations d'assiduité
// (ROLE-1): another's is not found.
func (s *Service) OwnAttestation(ctx context.Context, actor domain.Actor, personID, attestationID int64) (IssuedAttestation, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: personID}) {
		return IssuedAttestation{}, ErrForbidden
	}
	row, err := s.store.AttendanceAttestationByID(ctx, attestationID)
	if errors.Is(err, store.ErrNotFound) {
		return IssuedAttestation{}, fmt.Errorf("attestation %d: %w", attestationID, ErrNotFound)
	}
	if err != nil {
		return IssuedAttestation{}, err
	}
	e, l, err := s.ownLine(ctx, actor, personID, row.CandidatureID)
	if err != nil {
		return IssuedAttestation{}, err
	}
	return s.issued(ctx, e, l.RegisterLearner, row)
}

// StaffAttestation reads the last attestation d'assiduité of a learner of a
// course, for the director of its establishment or the central service
// (ROLE-3, ROLE-5).
func (s *Service) StaffAttestation(ctx context.Context, actor domain.Actor, courseID, candidatureID int64) (IssuedAttestation, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return IssuedAttestation{}, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return IssuedAttestation{}, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if !domain.Can(actor, domain.ActAttendanceDocuments, courseResource(e)) {
		return IssuedAttestation{}, ErrForbidden
	}
	l, err := s.learnerLine(ctx, ix, e, candidatureID)
	if err != nil {
		return IssuedAttestation{}, err
	}
	latest, err := s.store.LatestAttendanceAttestations(ctx, []int64{candidatureID})
	if err != nil {
		return IssuedAttestation{}, err
	}
	row, ok := latest[candidatureID]
	if !ok {
		return IssuedAttestation{}, fmt.Errorf("attestation of candidature %d: %w", candidatureID, ErrNotFound)
	}
	return s.issued(ctx, e, l.RegisterLearner, row)
}

// AttestationCheck is what the public verification page says of an
// attestation d'assiduité's QR code: Valid with what it attests, or
// unknown.
type AttestationCheck struct {
	Valid    bool
	Document documents.AttendanceAttestation
}

// VerifyAttestation checks an attestation d'assiduité's token, for anyone
// holding the paper: valid with the name, course, period, hours and rate
// attested, or unknown (a token the platform did not sign with this kind's
// key, such as a card's or a certificate's, or one of nothing recorded).
func (s *Service) VerifyAttestation(ctx context.Context, token string) (AttestationCheck, error) {
	id, ok, err := s.parse(ctx, attestationTokens, token)
	if err != nil || !ok {
		return AttestationCheck{}, err
	}
	row, err := s.store.AttendanceAttestationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return AttestationCheck{}, nil
	}
	if err != nil {
		return AttestationCheck{}, err
	}
	c, err := s.store.Candidature(ctx, nil, row.CandidatureID)
	if err != nil {
		return AttestationCheck{}, err
	}
	courses, err := s.store.LearnerCourses(ctx, c.AccountID)
	if err != nil {
		return AttestationCheck{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return AttestationCheck{}, err
	}
	e, ok := ix.Course(courses[row.CandidatureID])
	if !ok {
		return AttestationCheck{}, nil
	}
	person, err := s.store.Account(ctx, c.AccountID)
	if err != nil {
		return AttestationCheck{}, err
	}
	d := attestationDoc(e, person.FirstName, person.LastName, row)
	d.VerifyURL = s.publicURL + AttestationVerifyPath + token
	return AttestationCheck{Valid: true, Document: d}, nil
}

// ownLine reads the learner's line in the course of one of their own
// candidatures (ROLE-1).
func (s *Service) ownLine(ctx context.Context, actor domain.Actor, personID, candidatureID int64) (*catalogue.Entry, LearnerLine, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: personID}) {
		return nil, LearnerLine{}, ErrForbidden
	}
	courses, err := s.store.LearnerCourses(ctx, personID)
	if err != nil {
		return nil, LearnerLine{}, err
	}
	courseID, ok := courses[candidatureID]
	if !ok {
		return nil, LearnerLine{}, fmt.Errorf("candidature %d of person %d: %w", candidatureID, personID, ErrNotFound)
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, LearnerLine{}, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, LearnerLine{}, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	l, err := s.learnerLine(ctx, ix, e, candidatureID)
	return e, l, err
}

// learnerLine computes a candidature's attendance in a course.
func (s *Service) learnerLine(ctx context.Context, ix *catalogue.Index, e *catalogue.Entry, candidatureID int64) (LearnerLine, error) {
	r, err := s.registers(ctx, ix, e)
	if err != nil {
		return LearnerLine{}, err
	}
	for _, l := range r.Learners {
		if l.CandidatureID == candidatureID {
			return l, nil
		}
	}
	return LearnerLine{}, fmt.Errorf("candidature %d in course %d: %w", candidatureID, e.ID, ErrNotFound)
}

func (s *Service) issued(ctx context.Context, e *catalogue.Entry, l store.RegisterLearner, row store.AttendanceAttestation) (IssuedAttestation, error) {
	token, err := s.sign(ctx, attestationTokens, row.ID)
	if err != nil {
		return IssuedAttestation{}, err
	}
	d := attestationDoc(e, l.FirstName, l.LastName, row)
	d.VerifyURL = s.publicURL + AttestationVerifyPath + token
	return IssuedAttestation{Attestation: row, CourseID: e.ID, Document: d, CandidatureID: row.CandidatureID}, nil
}

// attestationDoc fills the document of an attestation from what was
// recorded (no verification address).
func attestationDoc(e *catalogue.Entry, first, last string, row store.AttendanceAttestation) documents.AttendanceAttestation {
	d := documents.AttendanceAttestation{Number: AttestationNumber(row), FirstName: first, LastName: last,
		Formation: e.Formation.Title, CourseCode: e.Code, FirstDay: row.FirstDay, LastDay: row.LastDay,
		MinutesPresent: row.MinutesPresent, MinutesHeld: row.MinutesHeld, RateBP: row.RateBP,
		IssuedAt: row.IssuedAt.In(domain.Paris())}
	if e.Establishment != nil {
		d.Establishment = e.Establishment.Name
	}
	if e.Session != nil {
		d.Session = e.Session.Name
	}
	return d
}

func (s *Service) sign(ctx context.Context, k signedtoken.Kind, id int64) (string, error) {
	key, err := s.store.SigningKey(ctx, k.Key, s.now())
	if err != nil {
		return "", err
	}
	return signedtoken.Sign(key, k.Purpose, id), nil
}

func (s *Service) parse(ctx context.Context, k signedtoken.Kind, token string) (int64, bool, error) {
	key, err := s.store.SigningKey(ctx, k.Key, s.now())
	if err != nil {
		return 0, false, err
	}
	id, ok := signedtoken.Parse(key, k.Purpose, token)
	return id, ok, nil
}
