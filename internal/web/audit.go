package web

import (
	"net/http"

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

// auditPage searches the audit trail (ROLE-5): by person, action and dates.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.audit.title")
	form, ok := auditFilterFormFromRequest(r)
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	v := &views.AuditView{Person: form.Person, Action: form.Action, From: form.From, To: form.To, ErrFor: map[string]string{}}
	query, errs := form.query(pg.P, s.Paris)
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
	if form.Page > 1 {
		v.PrevURL = form.link(form.Page - 1)
	}
	if query.Offset+len(events) < total {
		v.NextURL = form.link(form.Page + 1)
	}
	s.render(w, r, http.StatusOK, views.Audit(pg, v))
}
