package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"cma/internal/accounts"
	"cma/internal/auth/websession"
	"cma/internal/domain"
)

// Session keys of the web layer; the signed-in account's own keys belong to
// websession.
const (
	keyAuthState    = "oidc_state"
	keyAuthNonce    = "oidc_nonce"
	keyAuthVerifier = "oidc_verifier"
	keyAuthProvider = "oidc_provider"
	keyReturn       = "return_to"
	keyPending2FA   = "pending_second_factor"
	keyFlash        = "flash"
)

// user is who the request comes from, loaded once per request.
type user struct {
	Account domain.Account
	Actor   domain.Actor
}

type userKey struct{}

// loadUser puts the signed-in account, if any, into the request context. A
// session whose account was disabled, merged or signed out everywhere ends
// here, and so does one idle or older than its lifetime (websession.Timeouts):
// that one is remembered as expired, so that a form it posted is kept.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, epoch := s.sessions.Account(ctx)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		var acc domain.Account
		var actor domain.Actor
		var err error
		if read := websession.AccountRead(ctx); read != nil && read.ID == id {
			acc, actor, err = accounts.SessionOf(*read, epoch)
		} else {
			acc, actor, err = s.Accounts.Session(ctx, id, epoch)
		}
		if err == nil {
			if why, ended := s.sessions.Check(ctx, acc.Kind, s.Now()); ended {
				s.Log.Info("security: session timed out", "event", "session_"+why, "account", id)
				if err := s.sessions.Expire(ctx); err != nil {
					s.serverError(w, r, err)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
		}
		switch {
		case errors.Is(err, accounts.ErrSessionEnded):
			s.Log.Info("security: session ended", "event", "session_ended", "account", id)
			if err := s.sessions.Destroy(ctx); err != nil {
				s.serverError(w, r, err)
				return
			}
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			r = r.WithContext(context.WithValue(ctx, userKey{}, &user{Account: acc, Actor: actor}))
		}
		next.ServeHTTP(w, r)
	})
}

// currentUser is the signed-in user, or nil.
func currentUser(r *http.Request) *user {
	u, _ := r.Context().Value(userKey{}).(*user)
	return u
}

// signInAs starts an authenticated session with a fresh token, so that a token
// planted before sign-in is worthless after it (session fixation).
func (s *Server) signInAs(ctx context.Context, acc domain.Account) error {
	s.sessions.Remove(ctx, keyPending2FA)
	return s.sessions.Start(ctx, acc, s.Now())
}

// safeReturn keeps a return address only if it is a path on this site. A
// backslash anywhere is refused: browsers read it as a slash, and the path
// cleaning of http.Redirect turns /a/../\evil.example into /\evil.example,
// that is //evil.example.
func safeReturn(raw, fallback string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.IsAbs() || u.Host != "" || raw[0] != '/' || (len(raw) > 1 && raw[1] == '/') || strings.ContainsRune(raw, '\\') {
		return fallback
	}
	return raw
}

// homeOf is where an account lands after signing in.
func homeOf(acc domain.Account) string {
	if acc.Kind == domain.AccountStaff {
		return "/back-office"
	}
	return "/mon-profil"
}
