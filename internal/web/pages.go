package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

const langCookie = "cma_lang"

// printer picks the reader's language: the cookie set by the switch, French otherwise.
func (s *Server) printer(r *http.Request) *i18n.Printer {
	if c, err := r.Cookie(langCookie); err == nil {
		return s.Words.Printer(i18n.ParseLang(c.Value))
	}
	return s.Words.Printer(i18n.French)
}

func (s *Server) page(r *http.Request, title string) *views.Page {
	p := s.printer(r)
	pg := &views.Page{P: p, Title: p.T(title), CSS: s.cssURL, Path: r.URL.RequestURI(), SignInReturn: signInReturn(r)}
	if u := currentUser(r); u != nil {
		pg.User = &views.UserInfo{Name: u.Account.FullName(), Staff: u.Account.Kind == domain.AccountStaff}
	}
	if s.DemoClock {
		pg.DemoClock = pg.T("demo.clock.banner", map[string]any{"When": pg.DayAndTime(s.Now().In(s.Paris))})
	}
	return pg
}

// signInReturn is where the header's "Se connecter" comes back to after
// sign-in: the page one is on, when it can be asked again (a GET), or on the
// sign-in pages the return they already carry. Local paths only.
func signInReturn(r *http.Request) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/connexion"):
		return safeReturn(r.URL.Query().Get("retour"), "")
	case r.Method != http.MethodGet:
		return ""
	}
	return safeReturn(r.URL.RequestURI(), "")
}

// render writes a page with its status. It renders into a buffer first so that a
// template error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(s.printer(r).Lang))
	w.Header().Set("Vary", "Cookie")
	if currentUser(r) != nil {
		w.Header().Set("Cache-Control", "no-store") // personal pages stay out of shared caches
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// index returns the catalogue to show. If the database cannot be reached the
// previous catalogue is served (and the failure logged); with none at all the
// reader gets the error page and index returns nil.
func (s *Server) index(w http.ResponseWriter, r *http.Request) *catalogue.Index {
	ix, err := s.Catalogue.Index(r.Context())
	if ix == nil {
		s.serverError(w, r, err)
		return nil
	}
	if err != nil {
		s.Log.Warn("serving the previous catalogue", "error", err)
	}
	return ix
}

// switchLanguage stores the chosen language and goes back to the page the reader
// was on (a local path only, never another site).
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := i18n.ParseLang(r.PostFormValue("lang"))
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
	http.Redirect(w, r, safeReturn(r.PostFormValue("retour"), "/catalogue"), http.StatusSeeOther)
}
