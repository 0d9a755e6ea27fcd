package web

import (
	"errors"
	"net/http"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// Assisted registration (CAN-8, ROLE-6): guidance staff find or create a
// candidate's account, then fill the basket with them (candidature.go).

// assistedSearchLimit caps the search for a candidate to assist.
const assistedSearchLimit = 30

// assistedPage finds a candidate for assisted registration (CAN-8).
func (s *Server) assistedPage(w http.ResponseWriter, r *http.Request) {
	q, ok := searchParam(r.URL.Query(), "q")
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.too_long")
		return
	}
	pg := s.page(r, "assisted.title")
	v := &views.AssistedView{Query: q, ErrFor: map[string]string{}}
	if v.Query != "" {
		found, err := s.Accounts.SearchCandidatesToAssist(r.Context(), currentUser(r).Actor, v.Query, assistedSearchLimit)
		if err != nil {
			s.serviceError(w, r, err)
			return
		}
		v.Searched = true
		for _, a := range found {
			v.Results = append(v.Results, s.assistedRow(pg, a))
		}
	}
	s.render(w, r, http.StatusOK, views.Assisted(pg, v))
}

// assistedRow is a person found, linking to their assisted basket.
func (s *Server) assistedRow(pg *views.Page, a domain.Account) views.PersonRow {
	row := s.personRow(pg, a)
	row.URL = "/back-office/inscription-assistee/" + itoa64(a.ID)
	return row
}

// assistedCreate creates the account of a person registered at the desk.
func (s *Server) assistedCreate(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "assisted.title")
	form := assistedFormFromRequest(r)
	v := &views.AssistedView{ErrFor: map[string]string{}, First: form.First, Last: form.Last, Email: form.Email,
		Birth: form.Birth, Phone: form.Phone}
	actor := currentUser(r).Actor
	n, ferrs := form.candidate(r)
	var err error = ferrs
	if len(ferrs) > 0 { // a malformed date: the rest is checked too, to show every error at once
		var more domain.FieldErrors
		if _, more, err = s.Accounts.CheckNewCandidate(r.Context(), actor, n); err == nil {
			ferrs = mergeFieldErrors(assistedOrder, ferrs, more)
			err = ferrs
		}
	} else {
		var acc domain.Account
		acc, err = s.Accounts.CreateCandidate(r.Context(), actor, n)
		if errors.Is(err, accounts.ErrSamePerson) {
			row := s.assistedRow(pg, acc)
			v.Existing = &row
			s.render(w, r, http.StatusConflict, views.Assisted(pg, v))
			return
		}
		if err == nil {
			http.Redirect(w, r, "/back-office/inscription-assistee/"+itoa64(acc.ID), http.StatusSeeOther)
			return
		}
	}
	if errors.As(err, &ferrs) {
		v.Errors, v.ErrFor = fieldMessages(pg.P, ferrs, assistedInputs)
		v.EmailOwner = emailOwnerLink(pg, actor, ferrs)
		s.render(w, r, http.StatusBadRequest, views.Assisted(pg, v))
		return
	}
	s.serviceError(w, r, err)
}

// emailOwnerLink is the link to the account an accounts.ErrEmailTaken names,
// for staff who may open it: its file (central service; the help desk for a
// candidate), or its assisted basket (guidance staff, a candidate). nil when
// no error names an account, or when the actor may open none.
func emailOwnerLink(pg *views.Page, actor domain.Actor, errs domain.FieldErrors) *views.Link {
	for _, fe := range errs {
		id, kind := accounts.EmailTakenBy(fe)
		if id == 0 {
			continue
		}
		r := domain.Resource{AccountID: id, AccountKind: kind}
		switch {
		case domain.Can(actor, domain.ActReadPersonFile, r):
			return &views.Link{URL: "/back-office/personnes/" + itoa64(id), Label: pg.T("bo.email_taken.file")}
		case kind == domain.AccountCandidate && domain.Can(actor, domain.ActAssistRegistration, r):
			return &views.Link{URL: "/back-office/inscription-assistee/" + itoa64(id), Label: pg.T("bo.email_taken.assist")}
		}
	}
	return nil
}
