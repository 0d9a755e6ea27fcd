package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"cma/internal/accounts"
	"cma/internal/domain"
)

// Session keys.
const (
	keyAccount      = "account_id"
	keyEpoch        = "session_epoch"
	keyAuthState    = "oidc_state"
	keyAuthNonce    = "oidc_nonce"
	keyAuthVerifier = "oidc_verifier"
	keyAuthProvider = "oidc_provider"
	keyReturn       = "return_to"
	keyPending2FA   = "pending_second_factor"
	keyFlash        = "flash"
	keyLastActive   = "last_active" // unix seconds of the last request, for the idle timeout
)

// Session lifetimes: an idle session ends after 2 hours, any session after 12.
// The idle timeout is kept by the platform rather than scs: scs would rewrite
// the session on every request to push its expiry, one more write per page on
// SQLite's single writer; here activity is recorded at most once a minute.
const (
	sessionIdle     = 2 * time.Hour
	sessionLifetime = 12 * time.Hour
	activityStep    = time.Minute
)

// NewSessionManager is the platform's session manager on store: its cookie,
// lifetime and codec. Exported for tools that write sessions the platform
// reads (bench/validation signs its candidates in this way).
func NewSessionManager(store scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.Codec = sessionCodec{}
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = "cma_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}

// user is who the request comes from, loaded once per request.
type user struct {
	Account domain.Account
	Actor   domain.Actor
}

type userKey struct{}

// loadUser puts the signed-in account, if any, into the request context. A
// session whose account was disabled, merged or signed out everywhere ends here.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetInt64(r.Context(), keyAccount)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		now := s.Now()
		last := time.Unix(s.sessions.GetInt64(r.Context(), keyLastActive), 0)
		if now.Sub(last) > sessionIdle {
			s.Log.Info("security: idle session ended", "event", "session_idle", "account", id)
			if err := s.sessions.Destroy(r.Context()); err != nil {
				s.serverError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if now.Sub(last) > activityStep {
			s.sessions.Put(r.Context(), keyLastActive, now.Unix())
		}
		acc, actor, err := s.Accounts.Session(r.Context(), id, s.sessions.GetInt64(r.Context(), keyEpoch))
		switch {
		case errors.Is(err, accounts.ErrSessionEnded):
			s.Log.Info("security: session ended", "event", "session_ended", "account", id)
			if err := s.sessions.Destroy(r.Context()); err != nil {
				s.serverError(w, r, err)
				return
			}
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			r = r.WithContext(context.WithValue(r.Context(), userKey{}, &user{Account: acc, Actor: actor}))
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
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Remove(ctx, keyPending2FA)
	s.sessions.Put(ctx, keyLastActive, s.Now().Unix())
	s.sessions.Put(ctx, keyAccount, acc.ID)
	s.sessions.Put(ctx, keyEpoch, acc.SessionEpoch)
	return nil
}

// safeReturn keeps a return address only if it is a path on this site.
func safeReturn(raw, fallback string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.IsAbs() || u.Host != "" || len(raw) < 1 || raw[0] != '/' || (len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\')) {
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
