package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Paths of the provider's own pages, relative to the issuer.
const (
	LoginPath          = "/connexion"
	ForgotPasswordPath = "/mot-de-passe-oublie"
	LoggedOutPath      = "/deconnexion-terminee"
)

var frenchTag = language.French

// Client is a relying party registered at the provider (a confidential web
// application authenticating with client_secret_basic or client_secret_post).
type Client struct {
	ID, Secret   string
	RedirectURIs []string
	// PostLogoutRedirectURIs are the addresses the end_session endpoint may
	// send people back to after signing out.
	PostLogoutRedirectURIs []string
	// BackchannelLogoutURI, when set, receives a logout token (OpenID
	// Connect Back-Channel Logout 1.0) when a session the client signed in
	// through ends at the end_session endpoint.
	BackchannelLogoutURI string
}

// Config configures a development provider.
type Config struct {
	// Issuer is the full URL including the path prefix where Handler is
	// mounted, e.g. "http://127.0.0.1:8080/dev-idp".
	Issuer   string
	Clients  []Client
	Personas []Persona
	Now      func() time.Time // nil: time.Now
	// SigningAlg signs ID tokens and logout tokens: "" or "RS256" with the
	// provider's RSA key, "HS512" (LemonLDAP::NG's default) with the
	// client's secret.
	SigningAlg string
	// ClaimsAtUserInfoOnly puts email and profile claims at the UserInfo
	// endpoint only: the ID token carries sub, sid and the technical claims
	// (as LemonLDAP::NG does with the code flow).
	ClaimsAtUserInfoOnly bool
	// HTTPClient sends back-channel logout calls; nil: a 5 s timeout client.
	HTTPClient *http.Client
}

// Provider is a running development OpenID Provider.
type Provider struct {
	issuer     string
	hmac       bool // ID tokens re-signed with HS512 and the client's secret
	httpClient *http.Client
	pathPrefix string // the issuer's path, without trailing slash; "" at the root
	storage    *storage
	op         *op.Provider
	handler    http.Handler
}

// New creates a provider with a fresh RSA signing key and empty in-memory
// storage.
func New(cfg Config) (*Provider, error) {
	issuer := strings.TrimSuffix(cfg.Issuer, "/")
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("devidp: issuer %q: %w", cfg.Issuer, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("devidp: issuer %q must be an http(s) URL without query or fragment", cfg.Issuer)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	if cfg.SigningAlg != "" && cfg.SigningAlg != "RS256" && cfg.SigningAlg != "HS512" {
		return nil, fmt.Errorf("devidp: signing algorithm %q: expected RS256 or HS512", cfg.SigningAlg)
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 5 * time.Second}
	}

	clients := make([]*client, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("devidp: client %q needs an ID, a secret and at least one redirect URI", c.ID)
		}
		clients = append(clients, &client{
			id:             c.ID,
			secret:         c.Secret,
			redirectURIs:   slices.Clone(c.RedirectURIs),
			postLogoutURIs: slices.Clone(c.PostLogoutRedirectURIs),
			backchannelURI: c.BackchannelLogoutURI,
			loginPath:      u.Path + LoginPath,
			userinfoOnly:   cfg.ClaimsAtUserInfoOnly,
		})
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate signing key: %w", err)
	}
	keyID, err := randomID()
	if err != nil {
		return nil, fmt.Errorf("devidp: signing key id: %w", err)
	}
	alg := jose.RS256
	if cfg.SigningAlg == "HS512" {
		alg = jose.HS512
	}
	store, err := newStorage(now, signingKey{id: keyID, private: rsaKey}, alg, clients, cfg.Personas)
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}

	// The op package encrypts codes and access tokens with this key.
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: token encryption key: %w", err)
	}
	opConfig := &op.Config{
		CryptoKey:                         cryptoKey,
		DefaultLogoutRedirectURI:          u.Path + LoggedOutPath,
		CodeMethodS256:                    true,
		AuthMethodPost:                    true,
		SupportedUILocales:                []language.Tag{frenchTag},
		SupportedClaims:                   append(slices.Clone(op.DefaultSupportedClaims), "birthdate"),
		SupportedScopes:                   []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile},
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("devidp: create provider: %w", err)
	}

	p := &Provider{
		issuer:     issuer,
		hmac:       alg == jose.HS512,
		httpClient: httpClient,
		pathPrefix: u.Path,
		storage:    store,
		op:         provider,
	}
	p.handler = p.routes()
	return p, nil
}

// Handler serves everything under the issuer's path: discovery
// (/.well-known/openid-configuration), authorize, token, keys, userinfo,
// end_session and the provider's French pages. Mount it at the issuer's
// path with a trailing slash, e.g. mux.Handle("/dev-idp/", p.Handler()).
func (p *Provider) Handler() http.Handler { return p.handler }

// Issuer is the provider's issuer URL, without trailing slash.
func (p *Provider) Issuer() string { return p.issuer }

// ForgotPasswordURL is the provider's "forgot password" page.
func (p *Provider) ForgotPasswordURL() string { return p.issuer + ForgotPasswordPath }

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+LoginPath, p.showLogin)
	mux.HandleFunc("POST "+LoginPath, p.submitLogin)
	mux.HandleFunc("GET "+ForgotPasswordPath, p.showForgotPassword)
	mux.HandleFunc("GET "+LoggedOutPath, p.showLoggedOut)
	mux.HandleFunc("GET "+EndSessionPath, p.endSession)
	mux.HandleFunc("POST "+EndSessionPath, p.endSession)
	if p.hmac {
		mux.Handle("POST "+TokenPath, p.resignIDTokens(p.op))
	}
	mux.Handle("/", p.op)
	if p.pathPrefix == "" {
		return mux
	}
	return http.StripPrefix(p.pathPrefix, mux)
}

// randomID returns 128 random bits in hexadecimal.
func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
