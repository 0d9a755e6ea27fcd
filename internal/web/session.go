package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/store"
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
func NewSessionManager(st store.SessionStore, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = sessionStore{st}
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
		var acc domain.Account
		var actor domain.Actor
		var err error
		epoch := s.sessions.GetInt64(r.Context(), keyEpoch)
		if read := accountReadWithSession(r.Context()); read != nil && read.ID == id {
			acc, actor, err = accounts.SessionOf(*read, epoch)
		} else {
			acc, actor, err = s.Accounts.Session(r.Context(), id, epoch)
		}
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

// sessionStore is the platform's session store: a signed-in session is saved
// with its account's id, and found with the account's row in the same query,
// which loadUser then takes instead of reading the account again: one round
// trip to the database less for every signed-in request.
type sessionStore struct{ store.SessionStore }

func (ss sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	data, acc, found, err := ss.FindSignedInCtx(ctx, token)
	switch {
	case err != nil:
		return nil, false, err
	case !found:
		return ss.SessionStore.FindCtx(ctx, token) // a session not signed in, or none
	}
	if read, _ := ctx.Value(sessionAccountKey{}).(**domain.Account); read != nil {
		*read = &acc
	}
	return data, true, nil
}

func (ss sessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	var account int64
	if _, values, err := (sessionCodec{}).Decode(data); err == nil {
		account, _ = values[keyAccount].(int64)
	}
	return ss.CommitSignedInCtx(ctx, token, data, expiry, account)
}

// Find and Commit are the context-free scs methods (scs calls the others).
func (ss sessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

func (ss sessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, data, expiry)
}

type sessionAccountKey struct{}

// withSessionAccount gives the request a place where sessionStore.FindCtx
// leaves the account it read with the session; it runs before the session
// is loaded.
func withSessionAccount(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var read *domain.Account
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionAccountKey{}, &read)))
	})
}

// accountReadWithSession is the account read with the request's session, or nil.
func accountReadWithSession(ctx context.Context) *domain.Account {
	if read, _ := ctx.Value(sessionAccountKey{}).(**domain.Account); read != nil {
		return *read
	}
	return nil
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
