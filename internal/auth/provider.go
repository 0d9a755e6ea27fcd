package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Errors of the sign-in flow. The web layer tells them apart with errors.Is
// and shows a French message for each.
var (
	// ErrProviderDown: the identity provider's discovery document or token
	// endpoint cannot be reached, or answers with a server error.
	ErrProviderDown = errors.New("identity provider unavailable")
	// ErrBadCode: the authorization code is expired, already used, unknown,
	// or does not match the PKCE verifier (OAuth error invalid_grant).
	ErrBadCode = errors.New("authorization code refused by the identity provider")
	// ErrBadToken: the ID token is missing or fails verification (signature,
	// issuer, audience, expiry, subject).
	ErrBadToken = errors.New("invalid ID token")
	// ErrNonce: the ID token's nonce is not the one of this sign-in attempt.
	ErrNonce = errors.New("ID token nonce does not match the sign-in attempt")
	// ErrNoEmail: the identity provider gave no email address.
	ErrNoEmail = errors.New("identity provider gave no email address")
	// ErrProviderFailed: the token endpoint answered with a server error
	// (5xx): the provider is up, but failed.
	ErrProviderFailed = errors.New("identity provider answered with a server error")
	// ErrIssuerMismatch: the discovery document names another issuer than
	// the configured one (IssuerMismatchError): a configuration problem.
	ErrIssuerMismatch = errors.New("issuer does not match the provider's discovery document")
	// ErrClientRefused: the token endpoint refused the platform's
	// registration (invalid_client, unauthorized_client…): a configuration
	// problem.
	ErrClientRefused = errors.New("token endpoint refused the platform's client registration")
)

// scopes asked of the identity provider.
var scopes = []string{oidc.ScopeOpenID, "email", "profile"}

// ProviderConfig describes the identity provider the platform signs people
// in with, and the platform's registration there.
type ProviderConfig struct {
	Name                   string // shown to people: "Mon Paris"
	Issuer                 string
	ClientID, ClientSecret string
	RedirectURL            string
	ForgotPasswordURL      string       // ACC-5: linked from the sign-in page
	HTTPClient             *http.Client // nil: a client with a 10 s timeout
	// SigningAlgs are the signature algorithms its tokens may use (from
	// ParseSigningAlgs); nil: auto, what the provider advertises.
	SigningAlgs []string
	// SigningAlgsSetting names the setting in log lines; empty: the main
	// sign-on's "--oidc-signing-algs (CMA_OIDC_SIGNING_ALGS)".
	SigningAlgsSetting string
	// ClientAuth is how the platform authenticates at the token endpoint:
	// ClientAuthAuto (or empty), ClientAuthBasic or ClientAuthPost.
	ClientAuth string
	Log        *slog.Logger // warnings of a sign-in that goes on; nil: none
}

// Provider is the OpenID Connect relying party for one identity provider.
// It is safe for concurrent use.
//
// NewProvider does not contact the identity provider: discovery happens on
// first use and is kept once it succeeds. While the provider is unreachable,
// each use tries discovery again and fails with ErrProviderDown, so a
// provider that is down at start does not stop the platform from starting.
type Provider struct {
	cfg        ProviderConfig
	httpClient *http.Client
	log        *slog.Logger
	now        func() time.Time // clock for ID token expiry; tests change it

	mu       sync.Mutex
	found    *discovered    // nil until discovery succeeds
	inFlight *discoveryCall // the discovery under way, if any

	logoutMu   sync.Mutex
	logoutJTIs map[string]time.Time // jti of the logout tokens accepted, until they are too old to be accepted again
}

// discovered is what the discovery document tells about the provider.
type discovered struct {
	oauth2             oauth2.Config
	verifier           *oidc.IDTokenVerifier
	keys               *keySet // ID tokens and logout tokens
	userInfoKeys       *keySet // signed UserInfo answers: the same keys, maybe other algorithms
	userInfoEndpoint   string
	endSessionEndpoint string
}

// discoveryCall lets concurrent first uses share one discovery request.
type discoveryCall struct {
	done  chan struct{}
	found *discovered
	err   error
}

// NewProvider returns a relying party for cfg without contacting the
// identity provider.
func NewProvider(cfg ProviderConfig) *Provider {
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, httpClient: httpClient, log: log, now: time.Now}
}

// Name is the identity provider's name as shown to people.
func (p *Provider) Name() string { return p.cfg.Name }

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// ForgotPasswordURL is the identity provider's lost password page (ACC-5).
func (p *Provider) ForgotPasswordURL() string { return p.cfg.ForgotPasswordURL }

// AuthRequest holds the secrets of one sign-in attempt. The caller keeps it
// in the person's session between AuthCodeURL and Exchange.
type AuthRequest struct {
	State    string // echoed back on the callback; compare with StateMatches
	Nonce    string // must come back inside the ID token
	Verifier string // PKCE code verifier
}

// NewAuthRequest draws fresh random values (32 bytes each, base64url).
func NewAuthRequest() (AuthRequest, error) {
	var ar AuthRequest
	for _, field := range []*string{&ar.State, &ar.Nonce, &ar.Verifier} {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return AuthRequest{}, fmt.Errorf("new auth request: read random bytes: %w", err)
		}
		*field = base64.RawURLEncoding.EncodeToString(b)
	}
	return ar, nil
}

// StateMatches reports whether the state received on the callback is the one
// of the sign-in attempt, in constant time. Empty values never match.
func StateMatches(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// AuthCodeURL is the identity provider's authorization address to send the
// person to: authorization code flow with PKCE (S256), the attempt's state
// and nonce, scopes openid, email and profile.
func (p *Provider) AuthCodeURL(ctx context.Context, ar AuthRequest) (string, error) {
	if ar.State == "" || ar.Nonce == "" || ar.Verifier == "" {
		return "", errors.New("auth code URL: the auth request needs a state, a nonce and a verifier")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return "", fmt.Errorf("auth code URL: %w", err)
	}
	return d.oauth2.AuthCodeURL(ar.State, oidc.Nonce(ar.Nonce), oauth2.S256ChallengeOption(ar.Verifier)), nil
}

// Identity is the person the identity provider vouches for.
type Identity struct {
	Issuer, Subject       string
	Email                 string
	EmailVerified         bool
	GivenName, FamilyName string
	Birthdate             time.Time // zero when absent or unreadable; civil date at 00:00 UTC
	// Session is the sign-on session the identity comes from, kept with
	// the web session for signing out (Exchange fills it).
	Session SignOnSession
}

// SignOnSession is what the platform keeps of a sign-in at the provider: the
// raw ID token (the id_token_hint of RP-Initiated Logout) and its "sid"
// claim (empty when the provider sends none), which back- and front-channel
// logout name.
type SignOnSession struct {
	IDToken string
	SID     string
}

// Exchange trades the code (with the PKCE verifier) for tokens, verifies the
// ID token (signature through the provider's published keys, issuer,
// audience = ClientID, expiry, and nonce == ar.Nonce) and returns the
// identity. The caller has already compared the callback's state with
// ar.State using StateMatches.
func (p *Provider) Exchange(ctx context.Context, code string, ar AuthRequest) (Identity, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: %w", err)
	}
	token, err := p.redeemCode(ctx, d, code, ar.Verifier)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: %w", err)
	}
	rawIDToken, _ := token.Extra("id_token").(string)
	if rawIDToken == "" {
		return Identity{}, fmt.Errorf("sign-in: %w: the token response has no id_token", ErrBadToken)
	}
	id, err := p.identity(ctx, d, rawIDToken, token.AccessToken, ar.Nonce)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: %w", err)
	}
	return id, nil
}

// identity verifies the ID token, completes its claims at the UserInfo
// endpoint when the provider has one (OpenID Connect Core 1.0 §5.3), and
// returns the person's identity.
func (p *Provider) identity(ctx context.Context, d *discovered, rawIDToken, accessToken, nonce string) (Identity, error) {
	token, claims, err := p.verifyIDToken(ctx, d, rawIDToken, nonce)
	if err != nil {
		return Identity{}, err
	}
	if d.userInfoEndpoint != "" && accessToken != "" {
		extra, err := p.userInfo(ctx, d, accessToken, token.Subject)
		switch {
		case errors.Is(err, ErrBadToken) || errors.Is(err, ErrAlgorithm):
			return Identity{}, err // another person's answer, or a forged one: never merged
		case err != nil && strings.TrimSpace(claims.Email) != "":
			p.log.Warn("sign-on: UserInfo failed, the ID token's claims are used", "issuer", p.cfg.Issuer, "error", err)
		case err != nil:
			return Identity{}, fmt.Errorf("%w (the ID token has none): %w", ErrNoEmail, err)
		default:
			claims.fill(extra)
		}
	}
	if strings.TrimSpace(claims.Email) == "" {
		return Identity{}, ErrNoEmail
	}
	return Identity{
		Issuer:        token.Issuer,
		Subject:       token.Subject,
		Email:         strings.TrimSpace(claims.Email),
		EmailVerified: claims.EmailVerified != nil && bool(*claims.EmailVerified),
		GivenName:     claims.GivenName,
		FamilyName:    claims.FamilyName,
		Birthdate:     parseBirthdate(claims.Birthdate),
		Session:       SignOnSession{IDToken: rawIDToken, SID: claims.SID},
	}, nil
}

// EndSessionURL is the identity provider's sign-out address (OpenID Connect
// RP-Initiated Logout 1.0): with idTokenHint (the raw ID token of the
// sign-in, when kept), the client ID, postLogoutRedirect (when not empty; it
// must be registered at the provider) and state. ok is false when the
// provider publishes no end_session_endpoint or cannot be reached.
func (p *Provider) EndSessionURL(ctx context.Context, idTokenHint, postLogoutRedirect, state string) (string, bool) {
	d, err := p.discover(ctx)
	if err != nil || d.endSessionEndpoint == "" {
		return "", false
	}
	u, err := url.Parse(d.endSessionEndpoint)
	if err != nil {
		return "", false
	}
	q := u.Query()
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	q.Set("client_id", p.cfg.ClientID)
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
		if state != "" {
			q.Set("state", state)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

// discover returns the provider's metadata, fetching the discovery document
// if no earlier attempt succeeded. Concurrent callers share one request.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	if p.found != nil {
		found := p.found
		p.mu.Unlock()
		return found, nil
	}
	if call := p.inFlight; call != nil {
		p.mu.Unlock()
		select {
		case <-call.done:
			return call.found, call.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: waiting for discovery: %w", ErrProviderDown, ctx.Err())
		}
	}
	call := &discoveryCall{done: make(chan struct{})}
	p.inFlight = call
	p.mu.Unlock()

	call.found, call.err = p.fetchDiscovery(ctx)

	p.mu.Lock()
	p.inFlight = nil
	if call.err == nil {
		p.found = call.found
	}
	p.mu.Unlock()
	close(call.done)
	return call.found, call.err
}

// metadata is what the platform reads of the discovery document (OpenID
// Connect Discovery 1.0 §3).
type metadata struct {
	Issuer             string   `json:"issuer"`
	AuthURL            string   `json:"authorization_endpoint"`
	TokenURL           string   `json:"token_endpoint"`
	JWKSURL            string   `json:"jwks_uri"`
	UserInfoURL        string   `json:"userinfo_endpoint"`
	EndSessionEndpoint string   `json:"end_session_endpoint"`
	TokenAuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenAlgs        []string `json:"id_token_signing_alg_values_supported"`
	UserInfoAlgs       []string `json:"userinfo_signing_alg_values_supported"`
}

// IssuerMismatchError: the discovery document names another issuer than the
// configured one (often a trailing slash). It is a configuration problem.
type IssuerMismatchError struct{ Configured, Published string }

func (e *IssuerMismatchError) Error() string {
	return fmt.Sprintf("the issuer configured (%q) is not the one the provider publishes in its discovery document (%q): "+
		"set the issuer setting to exactly %q", e.Configured, e.Published, e.Published)
}

func (e *IssuerMismatchError) Is(target error) bool { return target == ErrIssuerMismatch }

func (p *Provider) fetchDiscovery(ctx context.Context) (*discovered, error) {
	wellKnown := strings.TrimSuffix(p.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: discovery at %s: %s", ErrProviderDown, wellKnown, resp.Status)
	}
	var m metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: read discovery document of %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	if m.Issuer != p.cfg.Issuer {
		return nil, &IssuerMismatchError{Configured: p.cfg.Issuer, Published: m.Issuer}
	}
	if m.AuthURL == "" || m.TokenURL == "" {
		return nil, fmt.Errorf("%w: the discovery document of %s has no authorization or token endpoint", ErrProviderDown, p.cfg.Issuer)
	}
	algs := allowedAlgs(p.cfg.SigningAlgs, m.IDTokenAlgs)
	keys := &keySet{secret: []byte(p.cfg.ClientSecret), allowed: algs, setting: p.algsSetting()}
	if m.JWKSURL != "" {
		// go-oidc keeps this client for fetching the provider's keys later on.
		keys.remote = oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), p.httpClient), m.JWKSURL)
	}
	if need, short := shortSecretFor(keys.secret, algs); short {
		p.log.Warn("sign-on: the client secret is shorter than RFC 7518 asks for HMAC-signed tokens; ask the provider for a longer one",
			"issuer", p.cfg.Issuer, "algorithms", strings.Join(algs, ","), "secret_bytes", len(keys.secret), "recommended_bytes", need)
	}
	style, err := clientAuthStyle(p.cfg.ClientAuth, m.TokenAuthMethods)
	if err != nil {
		return nil, err
	}
	return &discovered{
		oauth2: oauth2.Config{
			ClientID:     p.cfg.ClientID,
			ClientSecret: p.cfg.ClientSecret,
			Endpoint:     oauth2.Endpoint{AuthURL: m.AuthURL, TokenURL: m.TokenURL, AuthStyle: style},
			RedirectURL:  p.cfg.RedirectURL,
			Scopes:       scopes,
		},
		verifier: oidc.NewVerifier(p.cfg.Issuer, keys, &oidc.Config{
			ClientID:             p.cfg.ClientID,
			SupportedSigningAlgs: algs,
			Now:                  p.clock,
		}),
		keys:               keys,
		userInfoKeys:       keys.withAlgs(allowedAlgs(p.cfg.SigningAlgs, m.UserInfoAlgs), algs),
		userInfoEndpoint:   m.UserInfoURL,
		endSessionEndpoint: m.EndSessionEndpoint,
	}, nil
}

// Client authentication methods at the token endpoint (the client auth setting).
const (
	ClientAuthAuto  = "auto"
	ClientAuthBasic = "client_secret_basic"
	ClientAuthPost  = "client_secret_post"
)

// ParseClientAuth reads the client authentication setting: auto (or empty),
// client_secret_basic or client_secret_post.
func ParseClientAuth(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", ClientAuthAuto:
		return ClientAuthAuto, nil
	case ClientAuthBasic, ClientAuthPost:
		return v, nil
	default:
		return "", fmt.Errorf("%q: expected auto, client_secret_basic or client_secret_post", s)
	}
}

// clientAuthStyle picks how the platform authenticates at the token
// endpoint. auto: client_secret_post when the provider advertises it, since
// some providers (LemonLDAP::NG 2.16) do not url-decode the Basic
// credentials, so that a secret with + / = : % & fails there; else
// client_secret_basic, the default of OpenID Connect Discovery.
func clientAuthStyle(setting string, supported []string) (oauth2.AuthStyle, error) {
	method, err := ParseClientAuth(setting)
	if err != nil {
		return 0, err
	}
	switch {
	case method == ClientAuthPost:
		return oauth2.AuthStyleInParams, nil
	case method == ClientAuthBasic:
		return oauth2.AuthStyleInHeader, nil
	case slices.Contains(supported, ClientAuthPost):
		return oauth2.AuthStyleInParams, nil
	default:
		return oauth2.AuthStyleInHeader, nil
	}
}

// algsSetting names the signing algorithms setting in log lines.
func (p *Provider) algsSetting() string {
	if p.cfg.SigningAlgsSetting != "" {
		return p.cfg.SigningAlgsSetting
	}
	return "--oidc-signing-algs (CMA_OIDC_SIGNING_ALGS)"
}

// clock reads p.now at each call, so tests may change it after discovery.
func (p *Provider) clock() time.Time { return p.now() }

// redeemCode calls the token endpoint.
func (p *Provider) redeemCode(ctx context.Context, d *discovered, code, verifier string) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.httpClient)
	token, err := d.oauth2.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classifyTokenError(err)
	}
	return token, nil
}

// classifyTokenError maps a token endpoint failure to the package's errors.
func classifyTokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// No HTTP answer at all: connection refused, timeout, DNS...
		return fmt.Errorf("%w: token endpoint: %w", ErrProviderDown, err)
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		return fmt.Errorf("%w: %w", ErrBadCode, err)
	case re.Response != nil && (re.Response.StatusCode == http.StatusBadGateway || re.Response.StatusCode == http.StatusServiceUnavailable ||
		re.Response.StatusCode == http.StatusGatewayTimeout):
		// A proxy in front of a provider that does not answer.
		return fmt.Errorf("%w: token endpoint: %w", ErrProviderDown, err)
	case re.Response != nil && re.Response.StatusCode >= 500:
		return fmt.Errorf("%w: token endpoint: %w", ErrProviderFailed, err)
	default:
		// invalid_client and the like: the platform's registration is wrong.
		return fmt.Errorf("%w: %w", ErrClientRefused, err)
	}
}

// idClaims are the claims the platform reads, from the ID token and the
// UserInfo answer.
type idClaims struct {
	Subject       string        `json:"sub"`
	Email         string        `json:"email"`
	EmailVerified *flexibleBool `json:"email_verified"`
	GivenName     string        `json:"given_name"`
	FamilyName    string        `json:"family_name"`
	Birthdate     string        `json:"birthdate"`
	SID           string        `json:"sid"`
}

// fill completes c with the claims of u it lacks: the ID token's values come
// first, UserInfo fills the missing ones.
func (c *idClaims) fill(u idClaims) {
	if strings.TrimSpace(c.Email) == "" {
		c.Email = u.Email
	}
	if c.EmailVerified == nil {
		c.EmailVerified = u.EmailVerified
	}
	if c.GivenName == "" {
		c.GivenName = u.GivenName
	}
	if c.FamilyName == "" {
		c.FamilyName = u.FamilyName
	}
	if c.Birthdate == "" {
		c.Birthdate = u.Birthdate
	}
}

// verifyIDToken checks the ID token (algorithm, signature, issuer, audience,
// expiry, subject, nonce) and reads its claims.
func (p *Provider) verifyIDToken(ctx context.Context, d *discovered, rawIDToken, nonce string) (*oidc.IDToken, idClaims, error) {
	if d.keys != nil {
		if _, err := d.keys.check(rawIDToken); err != nil {
			return nil, idClaims{}, err
		}
	}
	token, err := d.verifier.Verify(ctx, rawIDToken)
	if err != nil {
		return nil, idClaims{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if token.Subject == "" {
		return nil, idClaims{}, fmt.Errorf("%w: no sub claim", ErrBadToken)
	}
	if !StateMatches(token.Nonce, nonce) {
		return nil, idClaims{}, ErrNonce
	}
	var claims idClaims
	if err := token.Claims(&claims); err != nil {
		return nil, idClaims{}, fmt.Errorf("%w: read claims: %w", ErrBadToken, err)
	}
	return token, claims, nil
}

// parseBirthdate reads the OIDC "birthdate" claim ("YYYY-MM-DD"). A missing
// value, or one the provider only partly knows ("0000-MM-DD", "YYYY"), gives
// the zero time: a sign-in is not refused for it.
func parseBirthdate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() == 0 {
		return time.Time{}
	}
	return d
}

// flexibleBool accepts true/false as JSON booleans or strings: some
// providers send email_verified as "true".
type flexibleBool bool

func (b *flexibleBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		*b = flexibleBool(v)
	case string:
		*b = flexibleBool(strings.EqualFold(v, "true"))
	default:
		*b = false
	}
	return nil
}
