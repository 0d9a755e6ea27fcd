package evaluation

import (
	"context"
	"slices"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// OwnEvaluation is a learner's course as "mon parcours" shows its end: the
// evaluation's date and result, the certificate, what the next level asks.
type OwnEvaluation struct {
	CourseID  int64
	Date      time.Time // zero: no evaluation in this course
	Result    domain.EvaluationResult
	HasResult bool
	// Due is the last day the certificate is delivered, once passed.
	Due         time.Time
	Certificate *store.Certificate
	// Next are the formations of the next level, which ask for this
	// formation's certificate (CER-2).
	Next []*domain.Formation
	// RepeatLeft: after a failure, whether the one repeat is left (SEL-7).
	RepeatLeft bool
}

// Journey is the learner's end-of-course side of "mon parcours".
type Journey struct {
	ByCourse     map[int64]OwnEvaluation
	Certificates []OwnCertificate
	Exemptions   []store.Exemption
}

// OwnCertificate is a certificate with its formation's title.
type OwnCertificate struct {
	store.Certificate
	Formation string
}

// Own reads a learner's evaluations, certificates and exemptions (ROLE-1:
// one's own only), for the courses given (by candidature → course).
func (s *Service) Own(ctx context.Context, actor domain.Actor, personID int64, courses map[int64]int64) (Journey, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: personID}) {
		return Journey{}, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Journey{}, err
	}
	certs, err := s.store.CertificatesOf(ctx, personID)
	if err != nil {
		return Journey{}, err
	}
	rec, err := s.store.PersonRecord(ctx, nil, personID)
	if err != nil {
		return Journey{}, err
	}
	j := Journey{ByCourse: map[int64]OwnEvaluation{}}
	byCand := map[int64]*store.Certificate{}
	for i := range certs {
		c := certs[i]
		byCand[c.CandidatureID] = &certs[i]
		title := ""
		if f, ok := ix.Formation(c.FormationID); ok {
			title = f.Title
		}
		j.Certificates = append(j.Certificates, OwnCertificate{Certificate: c, Formation: title})
	}
	if j.Exemptions, err = s.store.ExemptionsOf(ctx, personID); err != nil {
		return Journey{}, err
	}
	for cand, courseID := range courses {
		e, ok := ix.Course(courseID)
		if !ok {
			continue
		}
		day, has, err := s.store.EvaluationDate(ctx, nil, courseID)
		if err != nil {
			return Journey{}, err
		}
		ev := OwnEvaluation{CourseID: courseID, Certificate: byCand[cand],
			RepeatLeft: rec.Failures[e.FormationID] < domain.MaxFailedAttempts}
		if has {
			ev.Date = day
		}
		results, err := s.store.CourseResults(ctx, nil, courseID)
		if err != nil {
			return Journey{}, err
		}
		if r, ok := results[cand]; ok {
			ev.Result, ev.HasResult = r.Result, true
			if r.Result == domain.ResultPassed {
				ev.Due = domain.CertificateDue(e.Session.LastDay)
			}
		}
		for i := range ix.Formations {
			if f := &ix.Formations[i]; f.PrerequisiteFormationID == e.FormationID && !f.Archived {
				ev.Next = append(ev.Next, f)
			}
		}
		slices.SortFunc(ev.Next, func(a, b *domain.Formation) int { return int(a.ID - b.ID) })
		j.ByCourse[courseID] = ev
	}
	return j, nil
}
