package websession

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"cma/internal/domain"
)

// Store is what the sessions need of the database: scs's store, and a signed-in
// session saved and found with its account (store.SessionStore is one).
type Store interface {
	scs.CtxStore
	// FindSignedInCtx returns a session signed in to an account with that
	// account's row, in one query; found is false for an anonymous session.
	FindSignedInCtx(ctx context.Context, token string) (data []byte, acc domain.Account, found bool, err error)
	// CommitSignedInCtx saves a session with the account it is signed in to
	// (0: none) and the sign-on session it comes from (zero: none).
	CommitSignedInCtx(ctx context.Context, token string, data []byte, expiry time.Time, account int64, signOn domain.SignOn) error
	// DeleteSignOnSessionsCtx deletes the sessions bound to a sign-on
	// session: by issuer and sid, or by issuer and subject when no sid.
	DeleteSignOnSessionsCtx(ctx context.Context, signOn domain.SignOn) (int64, error)
	// DeleteSignOnSessionsWithoutSIDCtx deletes the sessions of (issuer,
	// subject) whose sign-on gave no sid, and says how many.
	DeleteSignOnSessionsWithoutSIDCtx(ctx context.Context, issuer, subject string) (int64, error)
}

// adapter is the scs store of the platform: a signed-in session is saved with
// its account's id, and found with the account's row in the same query, which
// the web layer then takes instead of reading the account again (AccountRead):
// one round trip to the database less for every signed-in request.
type adapter struct{ Store }

func (a adapter) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	data, acc, found, err := a.FindSignedInCtx(ctx, token)
	switch {
	case err != nil:
		return nil, false, err
	case !found:
		return a.Store.FindCtx(ctx, token) // a session not signed in, or none
	}
	if read, _ := ctx.Value(accountSlotKey{}).(**domain.Account); read != nil {
		*read = &acc
	}
	return data, true, nil
}

func (a adapter) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	var account int64
	var signOn domain.SignOn
	if _, values, err := (codec{}).Decode(data); err == nil {
		account, _ = values[KeyAccount].(int64)
		signOn.Issuer, _ = values[KeySignOnIssuer].(string)
		signOn.Subject, _ = values[KeySignOnSubject].(string)
		signOn.SID, _ = values[KeySignOnSID].(string)
	}
	return a.CommitSignedInCtx(ctx, token, data, expiry, account, signOn)
}

// Find and Commit are the context-free scs methods (scs calls the others).
func (a adapter) Find(token string) ([]byte, bool, error) {
	return a.FindCtx(context.Background(), token)
}

func (a adapter) Commit(token string, data []byte, expiry time.Time) error {
	return a.CommitCtx(context.Background(), token, data, expiry)
}

type accountSlotKey struct{}

// WithAccountSlot gives the request a place where the store leaves the account
// it read with the session; it runs before the session is loaded.
func WithAccountSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var read *domain.Account
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accountSlotKey{}, &read)))
	})
}

// AccountRead is the account read with the request's session, or nil.
func AccountRead(ctx context.Context) *domain.Account {
	if read, _ := ctx.Value(accountSlotKey{}).(**domain.Account); read != nil {
		return *read
	}
	return nil
}
