package web

import (
	"cma/internal/domain"
	"cma/internal/web/views"
	"net/http"
)

// The back-office home: what each of the staff member's roles reaches.

// backOfficeHome lists, for each of the staff member's roles, what it reaches
// (ROLE-2..7). The pages of later capabilities add their links here.
func (s *Server) backOfficeHome(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "bo.title")
	p := pg.P
	v := &views.BackOfficeHomeView{Name: u.Account.FullName()}
	for _, g := range u.Account.Grants {
		v.Roles = append(v.Roles, p.T("role."+string(g.Role)))
		switch g.Role {
		case domain.RoleCentral:
			n := 0
			if pending, err := s.Accounts.PendingDuplicates(r.Context(), u.Actor); err == nil {
				n = len(pending)
			}
			v.Links = append(v.Links,
				views.Link{URL: "/back-office/personnes", Label: p.T("bo.people.title"), Hint: p.T("bo.people.hint")},
				views.Link{URL: "/back-office/doublons", Label: p.T("bo.dup.title"), Hint: p.T("bo.dup.count", map[string]any{"Count": n})},
				views.Link{URL: "/back-office/journal", Label: p.T("bo.audit.title"), Hint: p.T("bo.audit.hint")},
				views.Link{URL: "/back-office/inscription-assistee", Label: p.T("assisted.title"), Hint: p.T("bo.assisted.hint")},
				views.Link{URL: "/back-office/candidatures", Label: p.T("bo.cand.title"), Hint: p.T("bo.cand.hint")})
		case domain.RoleDirector:
			if e, ok := ix.Establishment(g.EstablishmentID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/etablissements/" + itoa64(e.ID), Label: e.Name,
					Hint: pg.District(e.District)},
					views.Link{URL: "/back-office/candidatures?etablissement=" + itoa64(e.ID), Label: p.T("bo.cand.establishment"), Hint: e.Name})
			}
		case domain.RoleCoordinator:
			if f, ok := ix.Formation(g.FormationID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/formations/" + itoa64(f.ID), Label: f.Title})
			}
		case domain.RoleTrainer:
			if e, ok := ix.Course(g.CourseID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/cours/" + itoa64(e.ID),
					Label: e.Formation.Title + " — " + e.Code, Hint: schedule(p, e) + ", " + e.Establishment.Name})
			}
		case domain.RoleHelpDesk:
			v.Links = append(v.Links, views.Link{URL: "/back-office/personnes", Label: p.T("bo.people.title"), Hint: p.T("bo.people.hint.helpdesk")})
		case domain.RoleGuidance:
			v.Links = append(v.Links, views.Link{URL: "/back-office/inscription-assistee", Label: p.T("assisted.title"), Hint: p.T("bo.assisted.hint")})
		}
	}
	s.render(w, r, http.StatusOK, views.BackOfficeHome(pg, v))
}
