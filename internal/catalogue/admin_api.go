package catalogue

import (
	"cmp"
	"context"
	"slices"

	"cma/internal/domain"
)

// The staff reads of the administration (ROLE-5), for the staff API: every
// session with the drafts and the archived ones, every establishment and
// formation, and a session's courses with the archived ones, read from the
// catalogue index (which finds them all by ID and is fresh within a second of
// any change; the instance's own changes invalidate it at once).

// StaffSessions lists every session, the latest first.
func (a *Admin) StaffSessions(ctx context.Context, actor domain.Actor) ([]domain.Session, error) {
	ix, err := a.staffIndex(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Session, 0, len(ix.sessions))
	for _, se := range ix.sessions {
		out = append(out, *se)
	}
	slices.SortFunc(out, func(x, y domain.Session) int {
		return cmp.Or(y.FirstDay.Compare(x.FirstDay), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// StaffEstablishments lists every establishment with its rooms, by name.
func (a *Admin) StaffEstablishments(ctx context.Context, actor domain.Actor) ([]domain.Establishment, error) {
	ix, err := a.staffIndex(ctx, actor)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ix.Establishments), nil
}

// StaffFormations lists every formation, by code.
func (a *Admin) StaffFormations(ctx context.Context, actor domain.Actor) ([]domain.Formation, error) {
	ix, err := a.staffIndex(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(ix.Formations)
	slices.SortFunc(out, func(x, y domain.Formation) int { return cmp.Or(cmp.Compare(x.Code, y.Code), cmp.Compare(x.ID, y.ID)) })
	return out, nil
}

// StaffCourses lists a session's courses, the archived ones included, by
// code; ErrNotFound for an unknown session.
func (a *Admin) StaffCourses(ctx context.Context, actor domain.Actor, sessionID int64) ([]*Entry, error) {
	ix, err := a.staffIndex(ctx, actor)
	if err != nil {
		return nil, err
	}
	if _, ok := ix.Session(sessionID); !ok {
		return nil, ErrNotFound
	}
	var out []*Entry
	for _, e := range ix.byID {
		if e.SessionID == sessionID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(x, y *Entry) int { return cmp.Or(cmp.Compare(x.Code, y.Code), cmp.Compare(x.ID, y.ID)) })
	return out, nil
}

func (a *Admin) staffIndex(ctx context.Context, actor domain.Actor) (*Index, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return nil, ErrForbidden
	}
	ix, err := a.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	return ix, nil
}
