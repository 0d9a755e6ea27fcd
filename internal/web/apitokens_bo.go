package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// The central service's "Jetons d'API" page (ROLE-5): personal access tokens
// of the staff API. A member creates one for themselves and sees its secret on
// the answer to the form, once (the page is no-store, and only the hash is
// kept); any member revokes any token with a reason, both in the journal.

const apiTokensPath = "/back-office/jetons-api"

// apiTokenInputs maps the service's logical fields to the form's inputs.
var apiTokenInputs = map[string]string{"name": "nom", "scope": "portee", "expires": "expire"}

// apiTokenForm is the creation form.
type apiTokenForm struct {
	Name, Scope, Expires string
}

func apiTokenFormFromRequest(r *http.Request) apiTokenForm {
	return apiTokenForm{Name: r.PostFormValue("nom"), Scope: r.PostFormValue("portee"), Expires: strings.TrimSpace(r.PostFormValue("expire"))}
}

// token is the form as the service takes it; a malformed date is a field error.
func (f apiTokenForm) token() (accounts.NewAPIToken, domain.FieldErrors) {
	in := accounts.NewAPIToken{Name: f.Name}
	switch f.Scope {
	case "lecture":
		in.Scope = domain.ScopeRead
	case "ecriture":
		in.Scope = domain.ScopeWrite
	}
	if f.Expires != "" {
		d, err := time.Parse(time.DateOnly, f.Expires)
		if err != nil {
			return in, domain.FieldErrors{{Field: "expires", Key: "apitoken.error.expiry_format"}}
		}
		in.LastDay = domain.DeadlineOf(d)
	}
	return in, nil
}

func (s *Server) apiTokensPage(w http.ResponseWriter, r *http.Request) {
	v := &views.APITokensView{}
	if r.URL.Query().Get("fait") == "revoque" {
		v.Done = s.printer(r).T("bo.apitokens.revoked")
	}
	s.renderAPITokens(w, r, http.StatusOK, v, apiTokenForm{Scope: "lecture"}, nil)
}

// renderAPITokens draws the page with the form as sent and the list; rowErr
// is a revocation's error on its row.
func (s *Server) renderAPITokens(w http.ResponseWriter, r *http.Request, status int, v *views.APITokensView, f apiTokenForm, rowErr map[int64]string) {
	pg := s.page(r, "bo.apitokens.title")
	p := pg.P
	list, err := s.Accounts.APITokens(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	now := s.Now()
	v.Name, v.Expires = f.Name, f.Expires
	v.MinDate = now.In(s.Paris).Format(time.DateOnly)
	v.Scopes = []views.Option{{Value: "lecture", Label: p.T("bo.apitokens.scope.read"), Selected: f.Scope == "lecture"},
		{Value: "ecriture", Label: p.T("bo.apitokens.scope.write"), Selected: f.Scope == "ecriture"}}
	if v.ErrFor == nil {
		v.ErrFor = map[string]string{}
	}
	v.Count = p.N("bo.apitokens.count", len(list))
	for id, msg := range rowErr {
		v.Errors = append(v.Errors, views.FieldMessage{Field: apiTokenReasonField(id), Message: msg})
	}
	for _, t := range list {
		row := views.APITokenRow{ID: t.ID, Name: t.Name, Owner: t.OwnerName, Prefix: t.Prefix,
			Scope: p.T("bo.apitokens.scope." + string(t.Scope)), Created: pg.DateTime(t.CreatedAt, s.Paris),
			Active: t.Active(now), RevokeURL: apiTokensPath + "/" + itoa64(t.ID) + "/revoquer", ReasonID: apiTokenReasonField(t.ID),
			ReasonErr: rowErr[t.ID]}
		row.LastUsed = p.T("bo.apitokens.never_used")
		if !t.LastUsedAt.IsZero() {
			row.LastUsed = p.T("bo.apitokens.last_used", map[string]any{"When": pg.DateTime(t.LastUsedAt, s.Paris)})
		}
		row.Expires = p.T("bo.apitokens.no_expiry")
		if !t.ExpiresAt.IsZero() {
			// ExpiresAt is midnight after the last day: the page names that day.
			row.Expires = p.T("bo.apitokens.expires_on", map[string]any{"Day": pg.Date(t.ExpiresAt.In(s.Paris).AddDate(0, 0, -1))})
		}
		switch {
		case !t.RevokedAt.IsZero():
			row.State = p.T("bo.apitokens.state.revoked", map[string]any{"When": pg.DateTime(t.RevokedAt, s.Paris)})
		case t.Expired(now):
			row.State = p.T("bo.apitokens.state.expired")
		default:
			row.State = p.T("bo.apitokens.state.active")
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, views.APITokens(pg, v))
}

func apiTokenReasonField(id int64) string { return "raison-" + itoa64(id) }

// createAPIToken creates a token for the signed-in member and shows its
// secret on this answer only: no redirect, nothing kept to show it again.
func (s *Server) createAPIToken(w http.ResponseWriter, r *http.Request) {
	f := apiTokenFormFromRequest(r)
	in, formErrs := f.token()
	secret, t, err := s.Accounts.CreateAPIToken(r.Context(), currentUser(r).Actor, in)
	var ferrs domain.FieldErrors
	if errors.As(err, &ferrs) || len(formErrs) > 0 {
		v := &views.APITokensView{}
		v.Errors, v.ErrFor = fieldMessages(s.printer(r), mergeFieldErrors([]string{"name", "scope", "expires"}, formErrs, ferrs), apiTokenInputs)
		s.renderAPITokens(w, r, http.StatusBadRequest, v, f, nil)
		return
	}
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	s.Log.Info("security: api token created", "event", "api_token_created", "account", t.AccountID, "token", t.ID)
	v := &views.APITokensView{Secret: secret, SecretName: t.Name}
	s.renderAPITokens(w, r, http.StatusCreated, v, apiTokenForm{Scope: "lecture"}, nil)
}

// revokeAPIToken revokes a token with the reason written on its row.
func (s *Server) revokeAPIToken(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.Accounts.RevokeAPIToken(r.Context(), currentUser(r).Actor, id, r.PostFormValue(apiTokenReasonField(id)))
	var ferrs domain.FieldErrors
	switch {
	case errors.As(err, &ferrs):
		s.renderAPITokens(w, r, http.StatusBadRequest, &views.APITokensView{}, apiTokenForm{Scope: "lecture"},
			map[int64]string{id: s.printer(r).Word(ferrs[0].Key, ferrs[0].Args)})
		return
	case errors.Is(err, accounts.ErrAlreadyRevoked):
	case err != nil:
		s.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, apiTokensPath+"?fait=revoque", http.StatusSeeOther)
}
