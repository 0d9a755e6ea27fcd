package web

import (
	"errors"
	"net/http"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// Probable duplicates (ACC-3): the central service merges a held account into
// the existing person's, or keeps them apart, with a reason.

func (s *Server) duplicatesView(r *http.Request, pg *views.Page) (*views.DuplicatesView, error) {
	pending, err := s.Accounts.PendingDuplicates(r.Context(), currentUser(r).Actor)
	if err != nil {
		return nil, err
	}
	v := &views.DuplicatesView{}
	for _, d := range pending {
		v.Items = append(v.Items, views.DuplicateRow{ID: d.ID, Held: s.personRow(pg, d.Held), Existing: s.personRow(pg, d.Existing),
			BirthDate: pg.ShortDate(d.Existing.BirthDate), Created: pg.DateTime(d.Created, s.Paris)})
	}
	return v, nil
}

// duplicatesPage lists the accounts held as probable duplicates (ACC-3).
func (s *Server) duplicatesPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.dup.title")
	v, err := s.duplicatesView(r, pg)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	switch r.URL.Query().Get("fait") {
	case "fusion":
		v.Done = pg.T("bo.dup.merged")
	case "distinct":
		v.Done = pg.T("bo.dup.dismissed")
	}
	s.render(w, r, http.StatusOK, views.Duplicates(pg, v))
}

// decideDuplicate merges or dismisses one probable duplicate, with a reason.
func (s *Server) decideDuplicate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	form, err := duplicateFormFromRequest(r, id)
	if err != nil {
		s.badRequest(w, r)
		return
	}
	err = s.Accounts.DecideDuplicate(r.Context(), currentUser(r).Actor, form.ReviewID, form.Merge, form.Reason)
	pg := s.page(r, "bo.dup.title")
	var ferrs domain.FieldErrors
	switch {
	case errors.Is(err, accounts.ErrAlreadyDecided):
		s.showDuplicates(w, r, pg, http.StatusConflict, views.FieldMessage{Field: "contenu", Message: pg.T("bo.dup.already")})
	case errors.As(err, &ferrs):
		s.showDuplicates(w, r, pg, http.StatusBadRequest, views.FieldMessage{Field: duplicateReasonField(id), Message: pg.P.Word(ferrs[0].Key, ferrs[0].Args)})
	case err != nil:
		s.serviceError(w, r, err)
	case form.Merge:
		http.Redirect(w, r, "/back-office/doublons?fait=fusion", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/back-office/doublons?fait=distinct", http.StatusSeeOther)
	}
}

// showDuplicates shows the list again with the error of a decision.
func (s *Server) showDuplicates(w http.ResponseWriter, r *http.Request, pg *views.Page, status int, msg views.FieldMessage) {
	v, err := s.duplicatesView(r, pg)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	v.Errors = []views.FieldMessage{msg}
	s.render(w, r, status, views.Duplicates(pg, v))
}
