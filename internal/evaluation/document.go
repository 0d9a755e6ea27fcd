package evaluation

import (
	"context"
	"errors"
	"strconv"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/signedtoken"
	"cma/internal/store"
)

// A certificate as a document (CER-2): its PDF and HTML, whose QR code
// carries a signed token of its ID under a key of its own, checked by a
// public page that shows what it certifies.

// CertificateVerifyPath is where a certificate's QR code leads.
const CertificateVerifyPath = "/certificat/"

// certificateTokens never verify as an attestation's nor as a card's.
var certificateTokens = signedtoken.Kind{Key: "certificate", Purpose: "cma certificate of competences"}

// OwnCertificateDocument reads one of the learner's certificates as a document
// (ROLE-1: their own only; another's is not found).
func (s *Service) OwnCertificateDocument(ctx context.Context, actor domain.Actor, personID, id int64) (documents.Certificate, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: personID}) {
		return documents.Certificate{}, ErrForbidden
	}
	c, err := s.store.CertificateByID(ctx, id)
	if err != nil {
		return documents.Certificate{}, err
	}
	if c.AccountID != personID {
		return documents.Certificate{}, ErrNotFound
	}
	return s.document(ctx, c)
}

// StaffCertificateDocument reads a certificate for the central service
// (ROLE-5), who issues them.
func (s *Service) StaffCertificateDocument(ctx context.Context, actor domain.Actor, id int64) (documents.Certificate, error) {
	if !domain.Can(actor, domain.ActIssueCertificates, domain.Resource{}) {
		return documents.Certificate{}, ErrForbidden
	}
	c, err := s.store.CertificateByID(ctx, id)
	if err != nil {
		return documents.Certificate{}, err
	}
	return s.document(ctx, c)
}

// CertificateCheck is what a certificate's QR code shows.
type CertificateCheck struct {
	Valid    bool
	Document documents.Certificate
}

// VerifyCertificate checks a certificate's token: genuine, with what it
// certifies, or not (a forged token, another document's, a certificate
// that does not exist).
func (s *Service) VerifyCertificate(ctx context.Context, token string) (CertificateCheck, error) {
	key, err := s.store.SigningKey(ctx, certificateTokens.Key, s.now())
	if err != nil {
		return CertificateCheck{}, err
	}
	id, ok := signedtoken.Parse(key, certificateTokens.Purpose, token)
	if !ok {
		return CertificateCheck{}, nil
	}
	c, err := s.store.CertificateByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return CertificateCheck{}, nil
	} else if err != nil {
		return CertificateCheck{}, err
	}
	d, err := s.document(ctx, c)
	return CertificateCheck{Valid: err == nil, Document: d}, err
}

// document words a certificate, its verification address signed.
func (s *Service) document(ctx context.Context, c store.Certificate) (documents.Certificate, error) {
	cand, err := s.store.Candidature(ctx, nil, c.CandidatureID)
	if err != nil {
		return documents.Certificate{}, err
	}
	person, err := s.store.Account(ctx, c.AccountID)
	if err != nil {
		return documents.Certificate{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return documents.Certificate{}, err
	}
	courseID := cand.AcceptedCourseID
	if courseID == 0 {
		courseID = cand.CourseID
	}
	key, err := s.store.SigningKey(ctx, certificateTokens.Key, s.now())
	if err != nil {
		return documents.Certificate{}, err
	}
	d := documents.Certificate{Number: c.Number, FirstName: person.FirstName, LastName: person.LastName,
		IssuedAt:  c.IssuedAt.In(domain.Paris()),
		VerifyURL: s.publicURL + CertificateVerifyPath + signedtoken.Sign(key, certificateTokens.Purpose, c.ID)}
	if e, ok := ix.Course(courseID); ok {
		describe(&d, e)
		if day, ok, err := s.store.EvaluationDate(ctx, nil, e.ID); err != nil {
			return documents.Certificate{}, err
		} else if ok {
			d.EvaluationDate = day
		}
	}
	return d, nil
}

func describe(d *documents.Certificate, e *catalogue.Entry) {
	d.Formation, d.CourseCode, d.Session = e.Formation.Title, e.Code, e.Session.Name
	if e.Establishment != nil {
		d.Establishment = e.Establishment.Name
	}
	if l := levelWord(e.Level); l != "" {
		d.Level = l
	}
}

// levelWord is a level as the certificate prints it.
func levelWord(l domain.Level) string {
	words := map[domain.Level]string{domain.LevelBeginner: "débutant", domain.LevelElementary: "élémentaire",
		domain.LevelIntermediate: "intermédiaire", domain.LevelAdvanced: "avancé"}
	if w, ok := words[l]; ok {
		return "Niveau " + w
	}
	return ""
}

// CertificateFileName is the PDF's name.
func CertificateFileName(d documents.Certificate) string {
	return "certificat-" + d.Number + "-" + strconv.Itoa(d.IssuedAt.Year())
}
