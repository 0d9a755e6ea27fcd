package devidp

import (
	"context"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	// codeLifetime is how long an authorization code can be redeemed.
	codeLifetime = 60 * time.Second
	// authRequestLifetime is how long one may take on the login page.
	authRequestLifetime = 30 * time.Minute
	// accessTokenLifetime is how long an access token opens the userinfo endpoint.
	accessTokenLifetime = 5 * time.Minute
	// idTokenLifetime is the validity of ID tokens.
	idTokenLifetime = 5 * time.Minute
	// sessionLifetime is how long a sign-on session can be ended by its sid.
	sessionLifetime = 24 * time.Hour
)

var (
	errNotFound    = notFoundError{}
	errUnsupported = errors.New("not supported by the development provider")
)

// notFoundError tells the op package that a looked-up object does not exist.
type notFoundError struct{}

func (notFoundError) Error() string { return "not found" }
func (notFoundError) IsNotFound()   {}

// storage is the in-memory op.Storage of the development provider.
// Every field below mu is guarded by it.
type storage struct {
	now      func() time.Time
	key      signingKey
	alg      jose.SignatureAlgorithm // what discovery advertises and ID tokens are signed with
	clients  map[string]*client
	personas map[string]Persona
	order    []string // persona subjects in configuration order

	mu           sync.Mutex
	authRequests map[string]*authRequest
	codes        map[string]string // authorization code → auth request ID
	tokens       map[string]accessToken
	sessions     map[string]*signOnSession // sid → the sign-in it names
}

// signOnSession is one sign-in at the provider: its "sid" names it in ID
// tokens and logout tokens. Each login page submission is a new one.
type signOnSession struct {
	subject string
	clients []string // clients that received an ID token with this sid
	created time.Time
}

func newStorage(now func() time.Time, key signingKey, alg jose.SignatureAlgorithm, clients []*client, personas []Persona) (*storage, error) {
	s := &storage{
		now:          now,
		key:          key,
		alg:          alg,
		sessions:     make(map[string]*signOnSession),
		clients:      make(map[string]*client, len(clients)),
		personas:     make(map[string]Persona, len(personas)),
		authRequests: make(map[string]*authRequest),
		codes:        make(map[string]string),
		tokens:       make(map[string]accessToken),
	}
	for _, c := range clients {
		if _, dup := s.clients[c.id]; dup {
			return nil, fmt.Errorf("client %q is configured twice", c.id)
		}
		s.clients[c.id] = c
	}
	for _, p := range personas {
		if p.Subject == "" {
			return nil, fmt.Errorf("persona %q has no subject", displayName(p))
		}
		if _, dup := s.personas[p.Subject]; dup {
			return nil, fmt.Errorf("persona subject %q is used twice", p.Subject)
		}
		if p.Birthdate != "" {
			if _, err := time.Parse(time.DateOnly, p.Birthdate); err != nil {
				return nil, fmt.Errorf("persona %q: birthdate %q is not YYYY-MM-DD: %w", p.Subject, p.Birthdate, err)
			}
		}
		s.personas[p.Subject] = p
		s.order = append(s.order, p.Subject)
	}
	return s, nil
}

// authRequest is one authorization request, from the authorize endpoint to
// the token endpoint. Storage hands out copies so that the op package never
// reads a value another request is changing.
type authRequest struct {
	id            string
	created       time.Time
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge oidc.CodeChallenge

	subject  string // set once a persona is chosen
	sid      string // the sign-on session, set with the subject
	authTime time.Time
	done     bool

	codeIssued time.Time // zero until a code is issued
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { c := a.codeChallenge; return &c }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return slices.Clone(a.scopes) }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

func (a *authRequest) snapshot() *authRequest {
	c := *a
	c.scopes = slices.Clone(a.scopes)
	return &c
}

type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

// CreateAuthRequest stores a validated authorization request. The op package
// has already checked the client, its redirect URI and the response type;
// here the development provider adds its own rule: PKCE with S256 only.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge is required (PKCE)")
	}
	if req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired().WithDescription("the development provider always shows its login page")
	}
	id, err := randomID()
	if err != nil {
		return nil, fmt.Errorf("auth request id: %w", err)
	}
	now := s.now()
	ar := &authRequest{
		id:           id,
		created:      now,
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       slices.Clone([]string(req.Scopes)),
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		codeChallenge: oidc.CodeChallenge{
			Challenge: req.CodeChallenge,
			Method:    req.CodeChallengeMethod,
		},
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.authRequests[id] = ar
	return ar.snapshot(), nil
}

// sweepLocked forgets expired auth requests, codes and tokens.
func (s *storage) sweepLocked(now time.Time) {
	for id, ar := range s.authRequests {
		if now.Sub(ar.created) > authRequestLifetime {
			delete(s.authRequests, id)
		}
	}
	for code, id := range s.codes {
		if _, ok := s.authRequests[id]; !ok {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
	for sid, sess := range s.sessions {
		if now.Sub(sess.created) > sessionLifetime {
			delete(s.sessions, sid)
		}
	}
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return nil, err
	}
	return ar.snapshot(), nil
}

func (s *storage) liveAuthRequestLocked(id string) (*authRequest, error) {
	ar, ok := s.authRequests[id]
	if !ok {
		return nil, fmt.Errorf("auth request %q: %w", id, errNotFound)
	}
	if s.now().Sub(ar.created) > authRequestLifetime {
		delete(s.authRequests, id)
		return nil, fmt.Errorf("auth request %q expired: %w", id, errNotFound)
	}
	return ar, nil
}

// pendingAuthRequest returns the client of an auth request waiting for a
// persona to be chosen.
func (s *storage) pendingAuthRequest(id string) (*client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return nil, err
	}
	if ar.done {
		return nil, fmt.Errorf("auth request %q is already complete", id)
	}
	return s.clients[ar.clientID], nil
}

// completeAuthRequest records the chosen persona on a pending auth request.
func (s *storage) completeAuthRequest(id, subject string) error {
	if _, ok := s.personas[subject]; !ok {
		return fmt.Errorf("persona %q: %w", subject, errNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return err
	}
	if ar.done {
		return fmt.Errorf("auth request %q is already complete", id)
	}
	sid, err := randomID()
	if err != nil {
		return fmt.Errorf("session id: %w", err)
	}
	ar.subject = subject
	ar.sid = sid
	ar.authTime = s.now()
	ar.done = true
	s.sessions[sid] = &signOnSession{subject: subject, clients: []string{ar.clientID}, created: ar.authTime}
	return nil
}

// SaveAuthCode links a freshly issued code to its auth request. An auth
// request yields one code only, so reloading the callback cannot mint more.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return err
	}
	if !ar.codeIssued.IsZero() {
		return oidc.ErrInvalidRequest().WithDescription("a code was already issued for this request")
	}
	ar.codeIssued = s.now()
	s.codes[code] = id
	return nil
}

// AuthRequestByCode redeems a code: it is forgotten on first use, whatever
// happens next, and refused once older than codeLifetime.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, fmt.Errorf("code unknown or already used: %w", errNotFound)
	}
	delete(s.codes, code)
	ar, err := s.liveAuthRequestLocked(id)
	if err != nil {
		return nil, err
	}
	if s.now().Sub(ar.codeIssued) > codeLifetime {
		delete(s.authRequests, id)
		return nil, errors.New("code expired")
	}
	return ar.snapshot(), nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, err := randomID()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("access token id: %w", err)
	}
	var clientID string
	if ar, ok := req.(op.AuthRequest); ok {
		clientID = ar.GetClientID()
	}
	expires := s.now().Add(accessTokenLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = accessToken{
		subject:  req.GetSubject(),
		clientID: clientID,
		scopes:   slices.Clone(req.GetScopes()),
		expires:  expires,
	}
	return id, expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, fmt.Errorf("refresh tokens: %w", errUnsupported)
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, fmt.Errorf("refresh tokens: %w", errUnsupported)
}

// TerminateSession has nothing to end: the development provider keeps no
// sign-in session, it shows its login page every time.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenID, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tokenID)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.alg}, nil
}

// SetUserinfoFromRequest adds the sign-on session's "sid" to the ID token
// (OpenID Connect Back-Channel Logout 1.0 §2.1).
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, request op.IDTokenRequest, _ []string) error {
	if ar, ok := request.(*authRequest); ok && ar.sid != "" {
		info.AppendClaims("sid", ar.sid)
	}
	return nil
}

// endSession forgets the sign-on session sid and returns it (nil: unknown).
func (s *storage) endSession(sid string) *signOnSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[sid]
	delete(s.sessions, sid)
	return sess
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	c, ok := s.clients[clientID]
	if !ok {
		return nil, fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	c, ok := s.clients[clientID]
	if !ok {
		return fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	if subtle.ConstantTimeCompare([]byte(c.secret), []byte(clientSecret)) != 1 {
		return errors.New("wrong client secret")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, subject, _ string, scopes []string) error {
	return s.fillUserinfo(info, subject, scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || s.now().After(t.expires) {
		return errors.New("access token unknown or expired")
	}
	return s.fillUserinfo(info, subject, t.scopes)
}

func (s *storage) fillUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	p, ok := s.personas[subject]
	if !ok {
		return fmt.Errorf("persona %q: %w", subject, errNotFound)
	}
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeOpenID:
			info.Subject = p.Subject
		case oidc.ScopeEmail:
			info.Email = p.Email
			info.EmailVerified = oidc.Bool(p.EmailVerified)
		case oidc.ScopeProfile:
			info.GivenName = p.GivenName
			info.FamilyName = p.FamilyName
			info.Name = displayName(p)
			info.Birthdate = p.Birthdate
		}
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return fmt.Errorf("introspection: %w", errUnsupported)
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, fmt.Errorf("client keys (private_key_jwt): %w", errUnsupported)
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, fmt.Errorf("JWT profile grant: %w", errUnsupported)
}

func (s *storage) Health(context.Context) error { return nil }

// client is a registered relying party: a confidential web application
// using the authorization code flow.
type client struct {
	id             string
	secret         string
	redirectURIs   []string
	postLogoutURIs []string
	backchannelURI string
	loginPath      string // absolute path of the login page
	userinfoOnly   bool   // ID tokens without email and profile claims
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return slices.Clone(c.redirectURIs) }
func (c *client) PostLogoutRedirectURIs() []string    { return slices.Clone(c.postLogoutURIs) }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(authRequestID string) string {
	return c.loginPath + "?id=" + url.QueryEscape(authRequestID)
}
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return idTokenLifetime }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return !c.userinfoOnly }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// signingKey is the provider's RSA key, generated at start.
type signingKey struct {
	id      string
	private *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.private }
func (k signingKey) ID() string                                  { return k.id }

// publicKey is the public half of signingKey, published at the keys endpoint.
type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.private.PublicKey }
