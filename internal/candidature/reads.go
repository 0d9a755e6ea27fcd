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
	Sort            Sort // the order; "" is by course, then name
	Desc            bool // the sort key reversed
	Limit           int  // at most this many rows; 0 for all
	Offset          int  // skip this many rows first (a page)
}

// Sort is one of the orders the candidature list offers (a whitelist: the
// store maps each to its SQL).
type Sort = store.CandidatureSort

// The orders of the candidature list.
const (
	SortByCourse    = store.SortByCourse
	SortByName      = store.SortByName
	SortByEmail     = store.SortByEmail
	SortByFormation = store.SortByFormation
	SortByStatus    = store.SortByStatus
)

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

// ListPage is one page of List (f's Limit and Offset) with the number of
// candidatures matching f in all.
func (s *Service) ListPage(ctx context.Context, actor domain.Actor, f ListFilter) ([]domain.CandidatureListRow, int, error) {
	if !mayList(actor, f.EstablishmentID) {
		return nil, 0, ErrForbidden
	}
	total, err := s.store.CountCandidatures(ctx, store.CandidatureFilter(f))
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.store.ListCandidatures(ctx, store.CandidatureFilter(f))
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// PersonRecord is what staff read of a person's candidatures in their file:
// the candidatures, newest first, and each one's events, oldest first.
type PersonRecord struct {
	Candidatures []domain.Candidature
	History      map[int64][]domain.CandidatureEvent
}

// PersonRecord reads the candidatures of the person whose file the actor
// reads (ROLE-5, ROLE-7: the help desk a candidate's only). person is the
// account as the audited file read returned it.
func (s *Service) PersonRecord(ctx context.Context, actor domain.Actor, person domain.Account) (PersonRecord, error) {
	if !domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: person.ID, AccountKind: person.Kind}) {
		return PersonRecord{}, ErrForbidden
	}
	var rec PersonRecord
	var err error
	if rec.Candidatures, err = s.store.Candidatures(ctx, nil, person.ID); err != nil {
		return PersonRecord{}, err
	}
	if rec.History, err = s.store.CandidatureHistory(ctx, person.ID); err != nil {
		return PersonRecord{}, err
	}
	return rec, nil
}
