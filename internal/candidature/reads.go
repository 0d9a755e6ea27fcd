package candidature

import (
	"context"

	"cma/internal/domain"
	"cma/internal/store"
)

// ErrNotFound is a candidature that does not exist: the sentinel the store
// wraps, named here so that the web layer matches it without knowing the store.
var ErrNotFound = domain.ErrNotFound

// Space is what a candidate reads in "Mes candidatures et paiements": their
// candidatures, newest first, each one's history, and a copy of every email
// kept for them (CON-2).
type Space struct {
	Candidatures []domain.Candidature
	History      map[int64][]domain.CandidatureEvent // by candidature ID, oldest first
	Messages     []domain.Message                    // newest first
}

// Space reads the candidate's own space (ROLE-1).
func (s *Service) Space(ctx context.Context, actor domain.Actor, personID int64) (Space, error) {
	if !domain.Can(actor, domain.ActApply, domain.Resource{AccountID: personID}) {
		return Space{}, ErrForbidden
	}
	var sp Space
	var err error
	if sp.Candidatures, err = s.store.Candidatures(ctx, nil, personID); err != nil {
		return Space{}, err
	}
	if sp.History, err = s.store.CandidatureHistory(ctx, personID); err != nil {
		return Space{}, err
	}
	if sp.Messages, err = s.store.Messages(ctx, personID); err != nil {
		return Space{}, err
	}
	return sp, nil
}

// ListFilter selects candidatures for the back-office list; zero fields do
// not filter. EstablishmentID is also the permission's scope: 0 (every
// establishment) is for the central service only (ROLE-3, ROLE-5).
type ListFilter struct {
	SessionID       int64
	FormationID     int64
	EstablishmentID int64 // through the course
	CourseID        int64
	Status          domain.CandidatureStatus
	Limit           int // at most this many rows; 0 for all
}

// CourseCount is how many candidatures a course has, by status.
type CourseCount struct {
	Submitted int
	Cancelled int
}

// mayList checks that actor may list the candidatures of an establishment
// (every establishment when establishmentID is 0).
func mayList(actor domain.Actor, establishmentID int64) bool {
	return domain.Can(actor, domain.ActViewEstablishment, domain.Resource{EstablishmentID: establishmentID})
}

// Counts counts the candidatures of each course of a session (every session
// when sessionID is 0) in one establishment (every one when establishmentID
// is 0, central service only). Courses without candidatures are absent.
func (s *Service) Counts(ctx context.Context, actor domain.Actor, sessionID, establishmentID int64) (map[int64]CourseCount, error) {
	if !mayList(actor, establishmentID) {
		return nil, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	counts, err := s.store.CandidatureCounts(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]CourseCount, len(counts))
	for id, c := range counts {
		if e, ok := ix.Course(id); ok && (establishmentID == 0 || e.EstablishmentID == establishmentID) {
			out[id] = CourseCount(c)
		}
	}
	return out, nil
}

// List lists the candidatures matching f, with the person's names and email,
// ordered by course code, then last and first name in French collation,
// never by submission time (PER-2). A director lists their own
// establishment's only (ROLE-3).
func (s *Service) List(ctx context.Context, actor domain.Actor, f ListFilter) ([]domain.CandidatureListRow, error) {
	if !mayList(actor, f.EstablishmentID) {
		return nil, ErrForbidden
	}
	return s.store.ListCandidatures(ctx, store.CandidatureFilter(f))
}
