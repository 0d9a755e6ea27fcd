package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/domain"
)

// The staff API under /api/v1/admin (ROLE-5, issue 13): the catalogue
// administration for the city's other systems. A request is authenticated by
// a personal access token only (Authorization: Bearer cma_pat_…), and acts
// as the token's owner with the owner's grants of the moment, checked by
// domain.Can like every page. A read token may GET and HEAD; a write token
// may also change. The staff's web session does not open these routes: a
// script does not borrow a browser's cookies, a token's scope cannot be
// bypassed by a cookie, and no cookie-authenticated JSON write exists for a
// forged cross-site request to aim at. Conversely a token opens no HTML
// page: only routes registered with apiCan read the Authorization header.
//
// Every error of the API is an RFC 9457 problem (writeProblem): 401 with
// WWW-Authenticate for a missing, unknown, revoked or expired token, 403 for
// a scope or a permission refused, 404, and 422 with an "errors" array for
// bad input, worded in French, or English by Accept-Language or ?lang=en.

// bearerRealm names the protection space in WWW-Authenticate.
const bearerRealm = `Bearer realm="cma"`

type apiTokenKey struct{}

// apiToken is the personal access token the request came with, on staff API routes.
func apiToken(r *http.Request) domain.APIToken {
	t, _ := r.Context().Value(apiTokenKey{}).(domain.APIToken)
	return t
}

// bearerSecret reads the token of an Authorization: Bearer header.
func bearerSecret(r *http.Request) (string, bool) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

// tokenGuard authenticates a staff API request by its token, then checks
// the token's scope against the method and the owner's permission.
func (s *Server) tokenGuard(pattern string, a access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearerSecret(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", bearerRealm)
			s.apiProblem(w, r, http.StatusUnauthorized, "/api/v1/problems/token-required", "apitoken.api.required", nil)
			return
		}
		acc, actor, tok, err := s.Accounts.AuthenticateToken(r.Context(), secret)
		if errors.Is(err, accounts.ErrTokenInvalid) {
			s.Log.Warn("security: api token refused", "event", "api_token_invalid", "route", pattern)
			w.Header().Set("WWW-Authenticate", bearerRealm+`, error="invalid_token"`)
			s.apiProblem(w, r, http.StatusUnauthorized, "/api/v1/problems/token-invalid", "apitoken.api.invalid", nil)
			return
		}
		if err != nil {
			s.apiServerError(w, r, err)
			return
		}
		if !tok.Scope.Allows(r.Method) {
			w.Header().Set("WWW-Authenticate", bearerRealm+`, error="insufficient_scope", scope="write"`)
			s.apiProblem(w, r, http.StatusForbidden, "/api/v1/problems/insufficient-scope", "apitoken.api.scope", nil)
			return
		}
		res := domain.Resource{}
		if a.resource != nil {
			var found bool
			if res, found = a.resource(s, r); !found {
				s.apiNotFound(w, r)
				return
			}
		}
		if !domain.Can(actor, a.action, res) {
			s.Log.Warn("security: access refused", "event", "forbidden", "account", acc.ID, "route", pattern, "token", tok.ID)
			s.forbidden(w, r, true)
			return
		}
		ctx := context.WithValue(r.Context(), userKey{}, &user{Account: acc, Actor: actor})
		ctx = context.WithValue(ctx, apiTokenKey{}, tok)
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// apiProblem writes a problem whose detail is the message msgID.
func (s *Server) apiProblem(w http.ResponseWriter, r *http.Request, status int, typ, msgID string, args map[string]any) {
	if typ == "" {
		typ = "about:blank"
	}
	s.writeProblem(w, problem{Type: typ, Title: http.StatusText(status), Status: status, Detail: s.apiPrinter(r).T(msgID, args)})
}

// apiInvalid answers 422 with every wrong field of a request's body.
func (s *Server) apiInvalid(w http.ResponseWriter, r *http.Request, errs domain.FieldErrors) {
	p := s.apiPrinter(r)
	pr := problem{Type: "/api/v1/problems/invalid-input", Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity,
		Detail: p.T("error.summary")}
	for _, e := range errs {
		pr.Errors = append(pr.Errors, problemField{Field: apiField(e.Field), Code: e.Key, Detail: p.Word(e.Key, e.Args)})
	}
	s.writeProblem(w, pr)
}

// apiServerError logs err and answers 500, saying nothing internal.
func (s *Server) apiServerError(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.apiProblem(w, r, http.StatusInternalServerError, "", "error.text", nil)
}

// apiServiceError maps a use case's error once for the whole API: wrong
// input 422, refused 403, unknown 404, the rest 500.
func (s *Server) apiServiceError(w http.ResponseWriter, r *http.Request, err error) {
	var ferrs domain.FieldErrors
	var ferr domain.FieldError
	switch {
	case errors.As(err, &ferrs):
		s.apiInvalid(w, r, ferrs)
	case errors.As(err, &ferr):
		s.apiInvalid(w, r, domain.FieldErrors{ferr})
	case errors.Is(err, catalogue.ErrForbidden), errors.Is(err, accounts.ErrForbidden):
		s.forbidden(w, r, true)
	case errors.Is(err, domain.ErrNotFound):
		s.apiNotFound(w, r)
	default:
		s.apiServerError(w, r, err)
	}
}

// maxAPIBody is the largest JSON body the staff API reads.
const maxAPIBody = 64 << 10

// decodeAPIBody reads a JSON object into v, refusing unknown fields; false
// when it answered the error itself (400).
func (s *Server) decodeAPIBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		s.apiProblem(w, r, http.StatusUnsupportedMediaType, "/api/v1/problems/json-required", "apitoken.api.json_required", nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.writeProblem(w, problem{Type: "/api/v1/problems/malformed-json", Title: "Bad Request", Status: http.StatusBadRequest,
			Detail: s.apiPrinter(r).T("apitoken.api.malformed", map[string]any{"Error": err.Error()})})
		return false
	}
	return true
}
