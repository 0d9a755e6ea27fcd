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
	n, ferrs := form.candidate(r)
	var err error = ferrs
	if len(ferrs) == 0 {
		var acc domain.Account
		acc, err = s.Accounts.CreateCandidate(r.Context(), currentUser(r).Actor, n)
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
		s.render(w, r, http.StatusBadRequest, views.Assisted(pg, v))
		return
	}
	s.serviceError(w, r, err)
}
