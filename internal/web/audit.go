package web

import (
	"net/http"
	"strings"

	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// The audit trail (ROLE-5): who did what to whom, when and why.

func (s *Server) auditRows(pg *views.Page, events []domain.AuditEvent) []views.AuditRow {
	rows := make([]views.AuditRow, 0, len(events))
	for _, e := range events {
		row := views.AuditRow{At: pg.DateTime(e.At, s.Paris), Actor: e.ActorName, Action: auditAction(pg.P, e.Action),
			Subject: e.SubjectName, Details: e.Details, Reason: e.Reason}
		if row.Actor == "" {
			row.Actor = pg.T("bo.audit.system")
		}
		roles := make([]string, len(e.ActorRoles))
		for i, r := range e.ActorRoles {
			roles[i] = pg.T("role." + string(r))
		}
		row.ActorRole = strings.Join(roles, ", ")
		if e.SubjectID != 0 {
			row.SubjectURL = "/back-office/personnes/" + itoa64(e.SubjectID)
		}
		rows = append(rows, row)
	}
	return rows
}

func auditAction(p *i18n.Printer, action string) string {
	if id := "audit." + action; p.Has(id) {
		return p.T(id)
	}
	return action
}

// auditPeopleLimit caps the people the journal's person filter offers to
// choose from.
const auditPeopleLimit = 20

// auditActionOptions is the action filter: every action the platform writes,
// worded, "any" first.
func auditActionOptions(p *i18n.Printer, selected string) []views.Option {
	opts := []views.Option{{Value: "", Label: p.T("bo.audit.action.any"), Selected: selected == ""}}
	for _, a := range domain.AuditActions {
		opts = append(opts, views.Option{Value: a, Label: auditAction(p, a), Selected: a == selected})
	}
	return opts
}

// auditRoleOptions is the filter on the actor's role: every staff role,
// worded, "any" first.
func auditRoleOptions(p *i18n.Printer, selected string) []views.Option {
	opts := []views.Option{{Value: "", Label: p.T("bo.audit.role.any"), Selected: selected == ""}}
	for _, r := range domain.Roles {
		opts = append(opts, views.Option{Value: string(r), Label: p.T("role." + string(r)), Selected: string(r) == selected})
	}
	return opts
}

// auditPage searches the audit trail (ROLE-5): by person, action and dates.
// The person is found by name or email (several matches are offered to choose
// from, as links), or by file number.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.audit.title")
	form, ok := auditFilterFormFromRequest(r)
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	v := &views.AuditView{Person: form.Person, From: form.From, To: form.To, ErrFor: map[string]string{},
		Actions: auditActionOptions(pg.P, form.Action), Roles: auditRoleOptions(pg.P, form.Role)}
	query, errs := form.query(pg.P, s.Paris)
	if len(errs) == 0 && form.Person != "" {
		if id, ok := form.personNumber(); ok {
			form.PersonID = id
		} else {
			found, err := s.Accounts.SearchPeople(r.Context(), currentUser(r).Actor, form.Person, auditPeopleLimit)
			if err != nil {
				s.serviceError(w, r, err)
				return
			}
			found = exactEmail(found, form.Person)
			switch len(found) {
			case 0:
				errs = append(errs, views.FieldMessage{Field: "personne", Message: pg.T("bo.audit.person.none")})
			case 1:
				form.PersonID, v.PersonName = found[0].ID, found[0].FullName()
			default:
				for _, a := range found {
					v.Choices = append(v.Choices, views.Link{URL: form.withPerson(a.ID, 1), Label: a.FullName(), Hint: a.Email})
				}
				v.ChoicesCapped = len(found) == auditPeopleLimit
				s.render(w, r, http.StatusOK, views.Audit(pg, v))
				return
			}
		}
		query.SubjectID = form.PersonID
	}
	if len(errs) > 0 {
		v.Errors = errs
		for _, e := range errs {
			v.ErrFor[e.Field] = e.Message
		}
		s.render(w, r, http.StatusBadRequest, views.Audit(pg, v))
		return
	}
	events, total, err := s.Accounts.SearchAudit(r.Context(), currentUser(r).Actor, query)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	v.Rows, v.Total = s.auditRows(pg, events), total
	if form.PersonID != 0 {
		v.PersonURL = "/back-office/personnes/" + itoa64(form.PersonID)
		if v.PersonName == "" && len(events) > 0 {
			v.PersonName = events[0].SubjectName
		}
		if v.PersonName == "" {
			v.PersonName = pg.T("bo.audit.person.number", map[string]any{"ID": form.PersonID})
		}
	}
	if form.Page > 1 {
		v.PrevURL = form.link(form.Page - 1)
	}
	if query.Offset+len(events) < total {
		v.NextURL = form.link(form.Page + 1)
	}
	s.render(w, r, http.StatusOK, views.Audit(pg, v))
}

// exactEmail keeps, of the people a search found, the one whose email is the
// query, when the query is an email one of them has: an email names one
// person, where the search's words also find "camille.martin.bis@…".
func exactEmail(found []domain.Account, query string) []domain.Account {
	if !strings.Contains(query, "@") {
		return found
	}
	for _, a := range found {
		if strings.EqualFold(a.Email, query) {
			return []domain.Account{a}
		}
	}
	return found
}
