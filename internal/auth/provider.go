package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
	now        func() time.Time // clock for ID token expiry; tests change it

	mu       sync.Mutex
	found    *discovered    // nil until discovery succeeds
	inFlight *discoveryCall // the discovery under way, if any
}

// discovered is what the discovery document tells about the provider.
type discovered struct {
	oauth2             oauth2.Config
	verifier           *oidc.IDTokenVerifier
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
	return &Provider{cfg: cfg, httpClient: httpClient, now: time.Now}
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
	rawIDToken, err := p.redeemCode(ctx, d, code, ar.Verifier)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: %w", err)
	}
	id, err := p.verifyIDToken(ctx, d, rawIDToken, ar.Nonce)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: %w", err)
	}
	return id, nil
}

// EndSessionURL is the identity provider's sign-out address, sending the
// person back to postLogoutRedirect (when not empty; it must be registered
// at the provider). ok is false when the provider publishes no
// end_session_endpoint or cannot be reached.
func (p *Provider) EndSessionURL(ctx context.Context, postLogoutRedirect string) (string, bool) {
	d, err := p.discover(ctx)
	if err != nil || d.endSessionEndpoint == "" {
		return "", false
	}
	u, err := url.Parse(d.endSessionEndpoint)
	if err != nil {
		return "", false
	}
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
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

func (p *Provider) fetchDiscovery(ctx context.Context) (*discovered, error) {
	// go-oidc keeps this client for fetching the provider's keys later on.
	ctx = oidc.ClientContext(ctx, p.httpClient)
	provider, err := oidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	var metadata struct {
		EndSessionEndpoint string   `json:"end_session_endpoint"`
		TokenAuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := provider.Claims(&metadata); err != nil {
		return nil, fmt.Errorf("%w: read discovery document of %s: %w", ErrProviderDown, p.cfg.Issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = clientAuthStyle(metadata.TokenAuthMethods)
	return &discovered{
		oauth2: oauth2.Config{
			ClientID:     p.cfg.ClientID,
			ClientSecret: p.cfg.ClientSecret,
			Endpoint:     endpoint,
			RedirectURL:  p.cfg.RedirectURL,
			Scopes:       scopes,
		},
		verifier: provider.Verifier(&oidc.Config{
			ClientID: p.cfg.ClientID,
			Now:      p.clock,
		}),
		endSessionEndpoint: metadata.EndSessionEndpoint,
	}, nil
}

// clientAuthStyle picks how the platform authenticates at the token
// endpoint: client_secret_basic, the default of OpenID Connect Discovery,
// unless the provider only supports client_secret_post.
func clientAuthStyle(supported []string) oauth2.AuthStyle {
	if len(supported) > 0 && !slices.Contains(supported, "client_secret_basic") && slices.Contains(supported, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// clock reads p.now at each call, so tests may change it after discovery.
func (p *Provider) clock() time.Time { return p.now() }

// redeemCode calls the token endpoint and returns the raw ID token.
func (p *Provider) redeemCode(ctx context.Context, d *discovered, code, verifier string) (string, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.httpClient)
	token, err := d.oauth2.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", classifyTokenError(err)
	}
	rawIDToken, ok := token.Extra("id_token").(string)
	if !ok || rawIDToken == "" {
		return "", fmt.Errorf("%w: the token response has no id_token", ErrBadToken)
	}
	return rawIDToken, nil
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
	case re.Response != nil && re.Response.StatusCode >= 500:
		return fmt.Errorf("%w: token endpoint: %w", ErrProviderDown, err)
	default:
		// invalid_client and the like: the platform's registration is wrong.
		return fmt.Errorf("token endpoint refused the request: %w", err)
	}
}

// idClaims are the ID token claims the platform reads.
type idClaims struct {
	Email         string       `json:"email"`
	EmailVerified flexibleBool `json:"email_verified"`
	GivenName     string       `json:"given_name"`
	FamilyName    string       `json:"family_name"`
	Birthdate     string       `json:"birthdate"`
}

// verifyIDToken checks the ID token and reads the identity from it.
func (p *Provider) verifyIDToken(ctx context.Context, d *discovered, rawIDToken, nonce string) (Identity, error) {
	token, err := d.verifier.Verify(ctx, rawIDToken)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if token.Subject == "" {
		return Identity{}, fmt.Errorf("%w: no sub claim", ErrBadToken)
	}
	if !StateMatches(token.Nonce, nonce) {
		return Identity{}, ErrNonce
	}
	var claims idClaims
	if err := token.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: read claims: %w", ErrBadToken, err)
	}
	if strings.TrimSpace(claims.Email) == "" {
		return Identity{}, ErrNoEmail
	}
	return Identity{
		Issuer:        token.Issuer,
		Subject:       token.Subject,
		Email:         strings.TrimSpace(claims.Email),
		EmailVerified: bool(claims.EmailVerified),
		GivenName:     claims.GivenName,
		FamilyName:    claims.FamilyName,
		Birthdate:     parseBirthdate(claims.Birthdate),
	}, nil
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
