package auth

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/auth/devidp"
)

const (
	clientA, secretA = "cma", "secret-cma"
	clientB, secretB = "autre-appli", "secret-autre"
)

// testClock is devidp's clock, moved forward by tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testIDP is an httptest server with the development provider at /dev-idp/
// and two tiny callback handlers, /callback (client A) and /callback-b
// (client B), answering with their query parameters as JSON.
type testIDP struct {
	srv   *httptest.Server
	clock *testClock
	down  atomic.Bool // when set, every request gets 503
}

// noEmailPersona has no email address.
var noEmailPersona = devidp.Persona{Subject: "test-no-email", GivenName: "Sans", FamilyName: "Courriel", Label: "Personne sans adresse"}

func newTestIDP(t *testing.T) *testIDP {
	t.Helper()
	env := &testIDP{clock: &testClock{t: time.Now()}}
	mux := http.NewServeMux()
	env.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if env.down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(env.srv.Close)

	idp, err := devidp.New(devidp.Config{
		Issuer: env.issuer(),
		Clients: []devidp.Client{
			{ID: clientA, Secret: secretA, RedirectURIs: []string{env.srv.URL + "/callback"}, PostLogoutRedirectURIs: []string{env.srv.URL + "/"}},
			{ID: clientB, Secret: secretB, RedirectURIs: []string{env.srv.URL + "/callback-b"}},
		},
		Personas: append(devidp.DemoPersonas(), noEmailPersona),
		Now:      env.clock.Now,
	})
	if err != nil {
		t.Fatalf("devidp.New: %v", err)
	}
	mux.Handle("/dev-idp/", idp.Handler())
	echo := func(w http.ResponseWriter, r *http.Request) {
		values := map[string]string{}
		for k := range r.URL.Query() {
			values[k] = r.URL.Query().Get(k)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(values)
	}
	mux.HandleFunc("/callback", echo)
	mux.HandleFunc("/callback-b", echo)
	return env
}

func (env *testIDP) issuer() string { return env.srv.URL + "/dev-idp" }

func (env *testIDP) provider(clientID, secret, callback string) *Provider {
	return NewProvider(ProviderConfig{
		Name:              "Mon Paris",
		Issuer:            env.issuer(),
		ClientID:          clientID,
		ClientSecret:      secret,
		RedirectURL:       env.srv.URL + callback,
		ForgotPasswordURL: env.issuer() + "/mot-de-passe-oublie",
	})
}

func (env *testIDP) providerA() *Provider { return env.provider(clientA, secretA, "/callback") }

// browser is an HTTP client with a cookie jar, standing for a person's browser.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// openLoginPage follows the authorization address to the provider's login
// page and returns its address and HTML.
func openLoginPage(t *testing.T, b *http.Client, p *Provider, ar AuthRequest) (*url.URL, string) {
	t.Helper()
	authURL, err := p.AuthCodeURL(context.Background(), ar)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	resp, err := b.Get(authURL)
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/dev-idp/connexion" {
		t.Fatalf("authorize ended at %s with %d: %s", resp.Request.URL, resp.StatusCode, body)
	}
	return resp.Request.URL, body
}

// choosePersona posts the persona's form and returns the parameters the
// callback received (code and state, or error).
func choosePersona(t *testing.T, b *http.Client, loginPage *url.URL, subject string) map[string]string {
	t.Helper()
	form := url.Values{"id": {loginPage.Query().Get("id")}, "persona": {subject}}
	resp, err := b.PostForm(loginPage.Scheme+"://"+loginPage.Host+loginPage.Path, form)
	if err != nil {
		t.Fatalf("POST persona: %v", err)
	}
	body := readAll(t, resp)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("did not reach the callback (%s, %d): %s", resp.Request.URL, resp.StatusCode, body)
	}
	return got
}

// signIn runs the browser part of the flow and returns the code, checking
// that the state came back.
func signIn(t *testing.T, p *Provider, ar AuthRequest, subject string) string {
	t.Helper()
	b := browser(t)
	page, _ := openLoginPage(t, b, p, ar)
	cb := choosePersona(t, b, page, subject)
	if !StateMatches(cb["state"], ar.State) {
		t.Fatalf("callback state %q, want %q", cb["state"], ar.State)
	}
	if cb["code"] == "" {
		t.Fatalf("callback without code: %v", cb)
	}
	return cb["code"]
}

func newAuthRequest(t *testing.T) AuthRequest {
	t.Helper()
	ar, err := NewAuthRequest()
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

func TestSignIn_ACC3_FullFlowReturnsThePersonasIdentity(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	b := browser(t)

	page, body := openLoginPage(t, b, p, ar)
	body = html.UnescapeString(body)
	if !strings.Contains(body, "<h1>Connexion — fournisseur d'identité de démonstration</h1>") {
		t.Errorf("login page lacks the French h1:\n%s", body)
	}
	wantForms := len(devidp.DemoPersonas()) + 1
	if n := strings.Count(body, `<form method="post"`); n != wantForms {
		t.Errorf("%d forms on the login page, want one per persona (%d)", n, wantForms)
	}
	if !strings.Contains(body, "Yasmine Benali — Candidate adulte") {
		t.Errorf("no button for Yasmine Benali")
	}

	cb := choosePersona(t, b, page, "demo-candidate-1")
	if !StateMatches(cb["state"], ar.State) || cb["code"] == "" {
		t.Fatalf("callback = %v, want a code and state %q", cb, ar.State)
	}
	id, err := p.Exchange(context.Background(), cb["code"], ar)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	want := Identity{
		Issuer:        env.issuer(),
		Subject:       "demo-candidate-1",
		Email:         "camille.martin@exemple.fr",
		EmailVerified: true,
		GivenName:     "Camille",
		FamilyName:    "Martin",
		Birthdate:     time.Date(1988, 3, 14, 0, 0, 0, 0, time.UTC),
	}
	if id.Session.IDToken == "" {
		t.Errorf("no raw ID token kept for the sign-out")
	}
	id.Session = SignOnSession{}
	if id != want {
		t.Errorf("identity = %+v\nwant       %+v", id, want)
	}
}

func TestSignIn_ACC3_StaffWithoutBirthdateAndUnverifiedEmail(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()

	ar := newAuthRequest(t)
	id, err := p.Exchange(context.Background(), signIn(t, p, ar, "demo-staff-director"), ar)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if !id.Birthdate.IsZero() || id.Email != "directrice.voltaire@paris.exemple" {
		t.Errorf("director identity = %+v, want no birthdate", id)
	}

	ar = newAuthRequest(t)
	id, err = p.Exchange(context.Background(), signIn(t, p, ar, "demo-candidate-4"), ar)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if id.EmailVerified {
		t.Errorf("email_verified = true for a persona whose address is not verified")
	}
}

func TestSignIn_ACC3_NonceMismatch(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-2")

	tampered := ar
	tampered.Nonce = newAuthRequest(t).Nonce
	_, err := p.Exchange(context.Background(), code, tampered)
	if !errors.Is(err, ErrNonce) {
		t.Errorf("err = %v, want ErrNonce", err)
	}
}

func TestSignIn_ACC3_CodeReused(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-2")

	if _, err := p.Exchange(context.Background(), code, ar); err != nil {
		t.Fatalf("first Exchange: %v", err)
	}
	_, err := p.Exchange(context.Background(), code, ar)
	if !errors.Is(err, ErrBadCode) {
		t.Errorf("second Exchange err = %v, want ErrBadCode", err)
	}
}

func TestSignIn_ACC3_CodeExpiredAfter60Seconds(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-2")

	env.clock.Advance(2 * time.Minute)
	_, err := p.Exchange(context.Background(), code, ar)
	if !errors.Is(err, ErrBadCode) {
		t.Errorf("err = %v, want ErrBadCode", err)
	}
}

func TestSignIn_ACC3_UnknownCode(t *testing.T) {
	env := newTestIDP(t)
	_, err := env.providerA().Exchange(context.Background(), "code-invente", newAuthRequest(t))
	if !errors.Is(err, ErrBadCode) {
		t.Errorf("err = %v, want ErrBadCode", err)
	}
}

func TestSignIn_ACC3_WrongPKCEVerifier(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-2")

	wrong := ar
	wrong.Verifier = newAuthRequest(t).Verifier
	_, err := p.Exchange(context.Background(), code, wrong)
	if !errors.Is(err, ErrBadCode) {
		t.Errorf("err = %v, want ErrBadCode", err)
	}
}

// rawIDTokenForClientB signs in through client B and returns its ID token.
func rawIDTokenForClientB(t *testing.T, env *testIDP, ar AuthRequest) string {
	t.Helper()
	pB := env.provider(clientB, secretB, "/callback-b")
	code := signIn(t, pB, ar, "demo-candidate-1")
	d, err := pB.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	token, err := pB.redeemCode(context.Background(), d, code, ar.Verifier)
	if err != nil {
		t.Fatalf("redeem as client B: %v", err)
	}
	raw, _ := token.Extra("id_token").(string)
	return raw
}

func TestSignIn_ACC3_IDTokenForAnotherAudience(t *testing.T) {
	env := newTestIDP(t)
	ar := newAuthRequest(t)
	raw := rawIDTokenForClientB(t, env, ar)

	pA := env.providerA()
	d, err := pA.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = pA.verifyIDToken(context.Background(), d, raw, ar.Nonce)
	if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), "audience") {
		t.Errorf("err = %v, want ErrBadToken about the audience", err)
	}
}

func TestSignIn_ACC3_IDTokenTamperedOrExpired(t *testing.T) {
	env := newTestIDP(t)
	ar := newAuthRequest(t)
	pB := env.provider(clientB, secretB, "/callback-b")
	raw := rawIDTokenForClientB(t, env, ar)
	d, err := pB.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pB.verifyIDToken(context.Background(), d, raw, ar.Nonce); err != nil {
		t.Fatalf("untouched token refused: %v", err)
	}

	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token is not a JWS: %s", raw)
	}
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 0x01
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	if _, _, err := pB.verifyIDToken(context.Background(), d, tampered, ar.Nonce); !errors.Is(err, ErrBadToken) {
		t.Errorf("tampered signature: err = %v, want ErrBadToken", err)
	}

	pB.now = func() time.Time { return time.Now().Add(time.Hour) }
	if _, _, err := pB.verifyIDToken(context.Background(), d, raw, ar.Nonce); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired token: err = %v, want ErrBadToken", err)
	}
}

func TestSignIn_ACC2_NoEmailRefused(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	ar := newAuthRequest(t)
	_, err := p.Exchange(context.Background(), signIn(t, p, ar, noEmailPersona.Subject), ar)
	if !errors.Is(err, ErrNoEmail) {
		t.Errorf("err = %v, want ErrNoEmail", err)
	}
}

func TestSignIn_ACC3_ProviderUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	p := NewProvider(ProviderConfig{
		Name:        "Mon Paris",
		Issuer:      "http://" + closedAddr + "/dev-idp",
		ClientID:    clientA,
		RedirectURL: "http://127.0.0.1/callback",
	})
	if p.Name() != "Mon Paris" {
		t.Errorf("Name = %q", p.Name())
	}
	ar := newAuthRequest(t)
	if _, err := p.AuthCodeURL(context.Background(), ar); !errors.Is(err, ErrProviderDown) {
		t.Errorf("AuthCodeURL err = %v, want ErrProviderDown", err)
	}
	if _, err := p.Exchange(context.Background(), "code", ar); !errors.Is(err, ErrProviderDown) {
		t.Errorf("Exchange err = %v, want ErrProviderDown", err)
	}
	if _, ok := p.EndSessionURL(context.Background(), "", "http://127.0.0.1/", ""); ok {
		t.Errorf("EndSessionURL ok while the provider is unreachable")
	}
}

func TestSignIn_ACC3_ProviderDownAtStartThenBack(t *testing.T) {
	env := newTestIDP(t)
	env.down.Store(true)
	p := env.providerA()
	ar := newAuthRequest(t)
	if _, err := p.AuthCodeURL(context.Background(), ar); !errors.Is(err, ErrProviderDown) {
		t.Fatalf("discovery answered 503: err = %v, want ErrProviderDown", err)
	}

	env.down.Store(false)
	code := signIn(t, p, ar, "demo-candidate-3") // discovery is tried again

	env.down.Store(true)
	_, err := p.Exchange(context.Background(), code, ar)
	if !errors.Is(err, ErrProviderDown) {
		t.Errorf("token endpoint answered 503: err = %v, want ErrProviderDown", err)
	}
}

func TestSignIn_ACC3_ConcurrentFirstUseSharesDiscovery(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := p.AuthCodeURL(context.Background(), newAuthRequestOrPanic())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("AuthCodeURL: %v", err)
		}
	}
}

func newAuthRequestOrPanic() AuthRequest {
	ar, err := NewAuthRequest()
	if err != nil {
		panic(err)
	}
	return ar
}

func TestSignIn_ACC3_UnknownRedirectURIRefusedAtAuthorize(t *testing.T) {
	env := newTestIDP(t)
	p := env.provider(clientA, secretA, "/ailleurs")
	authURL, err := p.AuthCodeURL(context.Background(), newAuthRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("status %d, Location %q: want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAuthCodeURL_ACC3_CarriesPKCEStateNonceAndScopes(t *testing.T) {
	env := newTestIDP(t)
	ar := newAuthRequest(t)
	raw, err := env.providerA().AuthCodeURL(context.Background(), ar)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for key, want := range map[string]string{
		"client_id":             clientA,
		"response_type":         "code",
		"scope":                 "openid email profile",
		"state":                 ar.State,
		"nonce":                 ar.Nonce,
		"code_challenge_method": "S256",
		"redirect_uri":          env.srv.URL + "/callback",
	} {
		if got := q.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge") == ar.Verifier {
		t.Errorf("code_challenge = %q: want the S256 hash of the verifier", q.Get("code_challenge"))
	}
	if _, err := env.providerA().AuthCodeURL(context.Background(), AuthRequest{}); err == nil {
		t.Errorf("AuthCodeURL accepted an empty auth request")
	}
}

func TestEndSessionURL_RedirectsBackToThePlatform(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	endURL, ok := p.EndSessionURL(context.Background(), "", env.srv.URL+"/", "")
	if !ok {
		t.Fatal("no end session URL")
	}
	if !strings.HasPrefix(endURL, env.issuer()+"/end_session?") {
		t.Errorf("end session URL = %s", endURL)
	}
	b := browser(t)
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Get(endURL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if loc := resp.Header.Get("Location"); loc != env.srv.URL+"/" {
		t.Errorf("end session redirected to %q, want %q", loc, env.srv.URL+"/")
	}
}

func TestForgotPasswordURL_ACC5(t *testing.T) {
	env := newTestIDP(t)
	p := env.providerA()
	if got, want := p.ForgotPasswordURL(), env.issuer()+"/mot-de-passe-oublie"; got != want {
		t.Fatalf("ForgotPasswordURL = %q, want %q", got, want)
	}
	resp, err := browser(t).Get(p.ForgotPasswordURL())
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readAll(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Mot de passe oublié") {
		t.Errorf("forgot password page: %d %s", resp.StatusCode, body)
	}
}

func TestNewAuthRequest_RandomAndURLSafe(t *testing.T) {
	a, b := newAuthRequest(t), newAuthRequest(t)
	for _, v := range []string{a.State, a.Nonce, a.Verifier} {
		if len(v) != 43 || strings.ContainsAny(v, "+/=") {
			t.Errorf("%q is not 32 bytes in unpadded base64url", v)
		}
	}
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce {
		t.Errorf("values repeat: %+v %+v", a, b)
	}
}

func TestStateMatches(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		match     bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "abcd", false},
		{"", "", false},
		{"", "abc", false},
		{"abc", "", false},
	} {
		if got := StateMatches(tc.got, tc.want); got != tc.match {
			t.Errorf("StateMatches(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.match)
		}
	}
}

func TestParseBirthdate(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2009-06-01": time.Date(2009, 6, 1, 0, 0, 0, 0, time.UTC),
		"":           {},
		"0000-06-01": {},
		"1990":       {},
		"01/06/2009": {},
	} {
		if got := parseBirthdate(in); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseBirthdate(%q) = %v, want %v", in, got, want)
		}
	}
}
