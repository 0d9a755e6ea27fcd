// Package websession keeps who is signed in between two requests: the scs
// session manager that the platform and its tools share (cookie, codec,
// lifetimes), the adapter that reads a signed-in session together with its
// account, and the rules that end a session (idle time and absolute lifetime,
// OWASP ASVS 3.3).
//
// It knows nothing of HTTP routes or pages: package web decides what a request
// does with a session, and bench/validation writes sessions the platform reads
// through the same New, so that nothing needs to import web.
//
// "Web session" here, because a session in the catalogue is a term of courses.
package websession

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"cma/internal/domain"
)

// Keys of a signed-in session. Exported for tools that write sessions the
// platform reads (bench/validation signs its candidates in with Start).
const (
	KeyAccount    = "account_id"    // the signed-in account
	KeyEpoch      = "session_epoch" // the account's epoch at sign-in: "sign out everywhere" bumps it
	KeySignedInAt = "signed_in_at"  // unix seconds of the sign-in, for the absolute lifetime
	KeyLastActive = "last_active"   // unix seconds of the last request, for the idle timeout
	// KeyEndedAccount is kept in the anonymous session that follows one that
	// expired: whose it was, so that a form posted with it can be kept for
	// that account only.
	KeyEndedAccount = "ended_account"
	// The sign-on session a session signed in through (OpenID Connect): the
	// provider's key on the sign-in page, its issuer, the subject and the
	// ID token's sid (saved in their own columns too, for a logout started at
	// the provider), and the raw ID token, the id_token_hint of the sign-out.
	KeySignOnProvider = "signon_provider"
	KeySignOnIssuer   = "signon_issuer"
	KeySignOnSubject  = "signon_subject"
	KeySignOnSID      = "signon_sid"
	KeySignOnIDToken  = "signon_id_token"
)

// Default timeouts. Staff sessions end sooner when idle: OWASP ASVS 3.3.2
// (level 2) asks for 30 minutes at most for people who read others' files.
const (
	DefaultStaffIdle     = 30 * time.Minute
	DefaultCandidateIdle = 2 * time.Hour
	DefaultLifetime      = 12 * time.Hour
)

// keptAfterEnd is how long a session's row outlives its absolute lifetime. The
// platform refuses the session from its lifetime on; the row only says whose
// it was, so that a form posted a little later is kept for that account.
const keptAfterEnd = 24 * time.Hour

// activityStep: the idle timeout is kept by the platform rather than scs. scs
// would rewrite the session on every request to push its expiry, one more
// write per page on SQLite's single writer; here activity is recorded at most
// once a minute.
const activityStep = time.Minute

// Timeouts end signed-in sessions. A zero field takes its default.
type Timeouts struct {
	StaffIdle     time.Duration // never longer than CandidateIdle
	CandidateIdle time.Duration
	Lifetime      time.Duration // from sign-in, however active the session
}

// withDefaults fills zero fields with the defaults.
func (t Timeouts) withDefaults() Timeouts {
	if t.StaffIdle <= 0 {
		t.StaffIdle = DefaultStaffIdle
	}
	if t.CandidateIdle <= 0 {
		t.CandidateIdle = DefaultCandidateIdle
	}
	if t.Lifetime <= 0 {
		t.Lifetime = DefaultLifetime
	}
	t.StaffIdle = min(t.StaffIdle, t.CandidateIdle)
	return t
}

// Idle is how long a session of an account of kind may go unused.
func (t Timeouts) Idle(kind domain.AccountKind) time.Duration {
	if kind == domain.AccountStaff {
		return t.StaffIdle
	}
	return t.CandidateIdle
}

// Why a signed-in session ended.
const (
	EndedIdle     = "idle"
	EndedLifetime = "lifetime"
)

// Ended says whether a session signed in at signedIn and last active at
// lastActive has ended at now for an account of kind, and why. A session
// signed in before its sign-in time was recorded (signedIn zero) is bounded by
// its row's expiry only.
func (t Timeouts) Ended(kind domain.AccountKind, signedIn, lastActive, now time.Time) (string, bool) {
	switch {
	case !signedIn.IsZero() && now.Sub(signedIn) > t.Lifetime:
		return EndedLifetime, true
	case now.Sub(lastActive) > t.Idle(kind):
		return EndedIdle, true
	}
	return "", false
}

// Manager is the platform's scs session manager with its timeouts.
type Manager struct {
	*scs.SessionManager
	timeouts Timeouts
	store    Store
}

// CookieName is the session cookie's name; with Secure it takes the __Host-
// prefix, which browsers accept only from HTTPS, with Path=/ and no Domain:
// no other site of the city's domain can set or shadow it.
const CookieName = "cma_session"

// New is the platform's session manager on st: its cookie, codec and
// lifetimes. secure means served over HTTPS.
func New(st Store, secure bool, t Timeouts) *Manager {
	t = t.withDefaults()
	sm := scs.New()
	sm.Store = adapter{st}
	sm.Codec = codec{}
	sm.Lifetime = t.Lifetime + keptAfterEnd
	sm.Cookie.Name = CookieName
	if secure {
		sm.Cookie.Name = "__Host-" + CookieName
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	return &Manager{SessionManager: sm, timeouts: t, store: st}
}

// Timeouts are the manager's timeouts, defaults filled in.
func (m *Manager) Timeouts() Timeouts { return m.timeouts }

// Start signs the session in ctx in to acc at now, under a new token, so that
// a token planted before sign-in is worthless after it (session fixation).
func (m *Manager) Start(ctx context.Context, acc domain.Account, now time.Time) error {
	if err := m.RenewToken(ctx); err != nil {
		return err
	}
	m.Remove(ctx, KeyEndedAccount)
	for _, k := range []string{KeySignOnProvider, KeySignOnIssuer, KeySignOnSubject, KeySignOnSID, KeySignOnIDToken} {
		m.Remove(ctx, k) // a sign-in without a sign-on is bound to none (BindSignOn)
	}
	m.Put(ctx, KeySignedInAt, now.Unix())
	m.Put(ctx, KeyLastActive, now.Unix())
	m.Put(ctx, KeyAccount, acc.ID)
	m.Put(ctx, KeyEpoch, acc.SessionEpoch)
	return nil
}

// SignOnSession is what a session keeps of the sign-on it signed in through.
type SignOnSession struct {
	Provider string // the provider's key on the sign-in page
	domain.SignOn
	IDToken string
}

// BindSignOn records, after Start, the sign-on session the session in ctx
// signed in through.
func (m *Manager) BindSignOn(ctx context.Context, s SignOnSession) {
	m.Put(ctx, KeySignOnProvider, s.Provider)
	m.Put(ctx, KeySignOnIssuer, s.Issuer)
	m.Put(ctx, KeySignOnSubject, s.Subject)
	if s.SID != "" {
		m.Put(ctx, KeySignOnSID, s.SID)
	}
	if s.IDToken != "" {
		m.Put(ctx, KeySignOnIDToken, s.IDToken)
	}
}

// SignOn is the sign-on session the session in ctx signed in through (ok
// false: none, a password sign-in or an anonymous session).
func (m *Manager) SignOn(ctx context.Context) (SignOnSession, bool) {
	s := SignOnSession{Provider: m.GetString(ctx, KeySignOnProvider), SignOn: domain.SignOn{Issuer: m.GetString(ctx, KeySignOnIssuer),
		Subject: m.GetString(ctx, KeySignOnSubject), SID: m.GetString(ctx, KeySignOnSID)}, IDToken: m.GetString(ctx, KeySignOnIDToken)}
	return s, s.Issuer != ""
}

// EndSignOn deletes every session bound to a sign-on session the provider
// ended (by issuer and sid, or issuer and subject when no sid), whichever
// browser holds it, and says how many.
func (m *Manager) EndSignOn(ctx context.Context, signOn domain.SignOn) (int64, error) {
	return m.store.DeleteSignOnSessionsCtx(ctx, signOn)
}

// EndSignOnWithoutSID deletes the sessions of subject at issuer that were
// opened without a sid, for a provider that names its session by the
// person's subject at logout (LemonLDAP::NG 2.16's front-channel logout).
func (m *Manager) EndSignOnWithoutSID(ctx context.Context, issuer, subject string) (int64, error) {
	return m.store.DeleteSignOnSessionsWithoutSIDCtx(ctx, issuer, subject)
}

// Account is the account the session in ctx is signed in to (0: none) and
// its epoch at sign-in.
func (m *Manager) Account(ctx context.Context) (id, epoch int64) {
	return m.GetInt64(ctx, KeyAccount), m.GetInt64(ctx, KeyEpoch)
}

// Check says whether the signed-in session in ctx, of an account of kind,
// has ended at now (and why); if it goes on, the request counts as activity.
func (m *Manager) Check(ctx context.Context, kind domain.AccountKind, now time.Time) (string, bool) {
	last := time.Unix(m.GetInt64(ctx, KeyLastActive), 0)
	var signedIn time.Time
	if at := m.GetInt64(ctx, KeySignedInAt); at != 0 {
		signedIn = time.Unix(at, 0)
	}
	if why, ended := m.timeouts.Ended(kind, signedIn, last, now); ended {
		return why, true
	}
	if now.Sub(last) > activityStep {
		m.Put(ctx, KeyLastActive, now.Unix())
	}
	return "", false
}

// Expire ends the session in ctx because its time is up. The anonymous
// session that follows remembers whose it was (EndedAccount).
func (m *Manager) Expire(ctx context.Context) error {
	id := m.GetInt64(ctx, KeyAccount)
	if err := m.Destroy(ctx); err != nil {
		return err
	}
	m.Put(ctx, KeyEndedAccount, id)
	return nil
}

// EndedAccount is the account whose session expired in this browser and was
// not signed in again since (0: none).
func (m *Manager) EndedAccount(ctx context.Context) int64 { return m.GetInt64(ctx, KeyEndedAccount) }
