package web

import (
	"encoding/json"
	"errors"
	stdhtml "html"
	"net/http"
	"net/url"

	"cma/internal/auth"
	"cma/internal/domain"
)

// providerLogoutPath is where a sign-on tells the platform that a person
// signed out there (ACC-5 area): POST for OpenID Connect Back-Channel Logout
// 1.0, GET for Front-Channel Logout 1.0. The city registers this address at
// its provider. It takes no CSRF token (the provider's server or an iframe
// calls it, not a form of this site): what it ends is named by a token the
// provider signed (POST) or by a sign-on session id only the provider and
// the platform know (GET).
const providerLogoutPath = "/connexion/deconnexion-fournisseur"

// providerByIssuer is the configured sign-on whose issuer is iss.
func (s *Server) providerByIssuer(iss string) (*auth.Provider, bool) {
	for _, p := range s.Providers {
		if iss != "" && p.Issuer() == iss {
			return p, true
		}
	}
	return nil, false
}

// backchannelLogout ends the web sessions of the sign-on session a logout
// token names (OpenID Connect Back-Channel Logout 1.0 §2.5-2.8): 200 when
// done, 400 with a JSON error when the token is refused, never cached.
func (s *Server) backchannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	refuse := func(description string, err error) {
		s.Log.Warn("security: back-channel logout refused", "event", "backchannel_logout_refused", "reason", description, "error", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": description})
	}
	raw := r.PostFormValue("logout_token")
	if raw == "" {
		refuse("no logout_token", nil)
		return
	}
	p, ok := s.providerByIssuer(auth.TokenIssuer(raw))
	if !ok {
		refuse("logout_token from an unknown issuer", nil)
		return
	}
	lo, err := p.VerifyLogoutToken(r.Context(), raw)
	if err != nil {
		s.logConfigProblem(p, err)
		refuse("invalid logout_token", err)
		return
	}
	n, err := s.sessions.EndSignOn(r.Context(), domain.SignOn{Issuer: lo.Issuer, SID: lo.SID, Subject: lo.Subject})
	if err != nil {
		s.Log.Error("back-channel logout: end the sessions", "error", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "server_error"})
		return
	}
	s.Log.Info("security: signed out by the provider", "event", "signout_provider", "channel", "back", "issuer", lo.Issuer,
		"sessions", n)
	w.WriteHeader(http.StatusOK)
}

// frontchannelLogout ends the web sessions of the sign-on session the
// provider names by iss and sid (OpenID Connect Front-Channel Logout 1.0
// §2-4). The provider loads it in an iframe of its own page, where browsers
// do not send this site's session cookie: the sessions are found by issuer
// and sid on the server. The tiny answer may be framed by that provider only.
func (s *Server) frontchannelLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	iss, sid := q.Get("iss"), q.Get("sid")
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	pg := s.page(r, "signin.title")
	p, known := s.providerByIssuer(iss)
	if !known || sid == "" {
		s.Log.Warn("security: front-channel logout refused", "event", "frontchannel_logout_refused", "issuer", auth.Sanitize(iss, 200),
			"has_sid", sid != "")
		writeTinyPage(w, http.StatusBadRequest, pg.Lang(), pg.T("signin.error.state"))
		return
	}
	signOn := domain.SignOn{Issuer: p.Issuer(), SID: sid}
	n, err := s.sessions.EndSignOn(ctx, signOn)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	matched := "sid"
	if n == 0 && framedByProvider(r, p.Issuer()) {
		// LemonLDAP::NG 2.16 puts no sid in its ID tokens and sends the
		// person's subject as sid at front-channel logout. A subject can be
		// guessed where a sid cannot, so this is trusted only from a page of
		// the provider itself (the Referer its iframe sends), and ends only
		// sessions opened without a sid.
		if n, err = s.sessions.EndSignOnWithoutSID(ctx, p.Issuer(), sid); err != nil {
			s.serverError(w, r, err)
			return
		}
		matched = "subject"
	}
	// A provider on the same site gets the cookie: this request's own
	// session must not be saved again at the end of the request.
	if own, ok := s.sessions.SignOn(ctx); ok && own.SignOn.Issuer == signOn.Issuer && own.SID == sid {
		if err := s.sessions.Destroy(ctx); err != nil && !errors.Is(err, http.ErrNoCookie) {
			s.serverError(w, r, err)
			return
		}
	}
	s.Log.Info("security: signed out by the provider", "event", "signout_provider", "channel", "front", "issuer", p.Issuer(),
		"matched_by", matched, "sessions", n)
	if u, err := url.Parse(p.Issuer()); err == nil && u.Host != "" {
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors "+u.Scheme+"://"+u.Host)
		h.Del("X-Frame-Options")
	}
	writeTinyPage(w, http.StatusOK, pg.Lang(), pg.T("signout.provider.done"))
}

// framedByProvider reports whether the request comes from a page of the
// provider whose issuer is iss: its Referer (browsers send at least the
// origin to a cross-origin iframe) has the issuer's scheme and host.
func framedByProvider(r *http.Request, iss string) bool {
	ref, err1 := url.Parse(r.Referer())
	want, err2 := url.Parse(iss)
	return err1 == nil && err2 == nil && ref.Host != "" && ref.Scheme == want.Scheme && ref.Host == want.Host
}

// writeTinyPage answers a page of one sentence, without style or script.
func writeTinyPage(w http.ResponseWriter, status int, lang, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<!doctype html><html lang="` + stdhtml.EscapeString(lang) + `"><meta charset="utf-8"><title>` +
		stdhtml.EscapeString(text) + `</title><p>` + stdhtml.EscapeString(text) + "</p></html>\n"))
}
