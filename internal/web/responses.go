package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/outbox"
	"cma/internal/web/views"
)

// The error responses of the site, written here and nowhere else: an HTML
// page with a title and one plain sentence, or an RFC 9457 problem for the
// JSON API. Handlers call these; they never word an error page themselves.

// errorPage writes an error page: its status, title and sentence (message IDs).
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, titleID, textID string) {
	pg := s.page(r, titleID)
	s.render(w, r, status, views.Message(pg, pg.T(textID)))
}

// notFound is the page of something that does not exist.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "notfound.title", "notfound.text")
}

// courseNotFound is notFound for a course of the catalogue.
func (s *Server) courseNotFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "notfound.title", "course.notfound")
}

// badRequest is the page of a request no form of the site sends.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request) {
	s.requestError(w, r, http.StatusBadRequest, "badrequest.text")
}

// requestError answers a request the platform will not take as sent (400,
// 413) with the message msgID, which says why: on the error page, or in a
// problem document under /api/.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, status int, msgID string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeProblem(w, problem{Type: "about:blank", Title: http.StatusText(status), Status: status,
			Detail: s.apiPrinter(r).T(msgID)})
		return
	}
	title := "badrequest.title"
	if status == http.StatusRequestEntityTooLarge {
		title = "toolarge.title"
	}
	s.errorPage(w, r, status, title, msgID)
}

// forbidden refuses an action to the signed-in person.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, api bool) {
	if api {
		s.writeProblem(w, problem{Type: "about:blank", Title: "Forbidden", Status: http.StatusForbidden,
			Detail: s.apiPrinter(r).T("forbidden.text")})
		return
	}
	s.errorPage(w, r, http.StatusForbidden, "forbidden.title", "forbidden.text")
}

// needSignIn sends a reader who is not signed in to the sign-in page (a GET
// comes back after it), or says so.
func (s *Server) needSignIn(w http.ResponseWriter, r *http.Request, api bool) {
	if api {
		s.writeProblem(w, problem{Type: "about:blank", Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: s.apiPrinter(r).T("signin.required")})
		return
	}
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/connexion?retour="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if r.Method == http.MethodPost && s.keepForm(w, r) {
		http.Redirect(w, r, "/connexion?retour="+urlQueryEscape(keptPage), http.StatusSeeOther)
		return
	}
	s.errorPage(w, r, http.StatusUnauthorized, "signin.title", "signin.required")
}

// tooManySignIns answers 429 to sign-in attempts over their limit, saying
// when to try again.
func (s *Server) tooManySignIns(w http.ResponseWriter, r *http.Request, retry time.Duration) {
	w.Header().Set("Retry-After", itoaSeconds(retry))
	pg := s.page(r, "signin.title")
	s.render(w, r, http.StatusTooManyRequests, views.Message(pg, pg.T("signin.too_many", map[string]any{"Seconds": itoaSeconds(retry)})))
}

// serverError logs err and shows a plain French page; nothing internal leaks.
// It renders without s.render, whose own failure comes here.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	pg := s.page(r, "error.title")
	var buf bytes.Buffer
	if views.Message(pg, pg.T("error.text")).Render(r.Context(), &buf) != nil {
		http.Error(w, pg.T("error.text"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(buf.Bytes())
}

// serviceError answers a service's error that no form shows: what does not
// exist is not found, what is refused is forbidden, the rest a server error.
func (s *Server) serviceError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, accounts.ErrNotFound), errors.Is(err, candidature.ErrNotFound),
		errors.Is(err, candidature.ErrUnknownCourse):
		s.notFound(w, r)
	case errors.Is(err, accounts.ErrForbidden), errors.Is(err, candidature.ErrForbidden), errors.Is(err, outbox.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// writeProblem writes an API error as RFC 9457 problem details.
func (s *Server) writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}
