package web

import (
	"errors"
	"net/http"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

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
		found, err := s.Store.SearchAccounts(r.Context(), v.Query, 30)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Searched = true
		for _, a := range found {
			if a.Kind == domain.AccountCandidate {
				row := s.personRow(pg, a)
				row.URL = "/back-office/inscription-assistee/" + itoa64(a.ID)
				v.Results = append(v.Results, row)
			}
		}
	}
	s.render(w, r, http.StatusOK, views.Assisted(pg, v))
}

// assistedCreate creates the account of a person registered at the desk.
func (s *Server) assistedCreate(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "assisted.title")
	v := &views.AssistedView{ErrFor: map[string]string{}, First: r.PostFormValue("prenom"), Last: r.PostFormValue("nom"),
		Email: r.PostFormValue("email"), Birth: r.PostFormValue("naissance"), Phone: r.PostFormValue("telephone")}
	var ferrs accounts.FieldErrors
	n := accounts.NewCandidate{FirstName: v.First, LastName: v.Last, Email: v.Email, Phone: v.Phone,
		BirthDate: formDate(r, pg, "naissance", &ferrs)}
	var err error = ferrs
	if len(ferrs) == 0 {
		var acc domain.Account
		acc, err = s.Accounts.CreateCandidate(r.Context(), currentUser(r).Actor, n)
		if errors.Is(err, accounts.ErrSamePerson) {
			row := s.personRow(pg, acc)
			row.URL = "/back-office/inscription-assistee/" + itoa64(acc.ID)
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
		for _, fe := range ferrs {
			v.Errors = append(v.Errors, views.FieldMessage{Field: fe.Field, Message: fe.Message})
			v.ErrFor[fe.Field] = fe.Message
		}
		s.render(w, r, http.StatusBadRequest, views.Assisted(pg, v))
		return
	}
	s.serverError(w, r, err)
}
