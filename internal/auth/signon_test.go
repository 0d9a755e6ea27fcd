package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"cma/internal/auth/devidp"
)

// lemonSecret has the characters that LemonLDAP::NG 2.16 does not
// url-decode in Basic credentials.
const lemonSecret = "s3cr+t/with=all:the%chars&of-LemonLDAP-0123456789"

// fakeOP is a hand-written OpenID provider whose answers each test shapes:
// discovery, keys, a token endpoint that checks the client's authentication
// method, and a UserInfo endpoint.
type fakeOP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu          sync.Mutex
	issuer      string         // published in discovery; default: the server's URL
	authMethods []string       // token_endpoint_auth_methods_supported
	algs        []string       // id_token_signing_alg_values_supported
	basicRaw    bool           // Basic credentials compared without url-decoding (LemonLDAP::NG 2.16)
	tokenStatus int            // non-zero: the token endpoint answers this status
	nonce       string         // put in the ID token
	idClaims    map[string]any // added to the ID token
	idAlg       string         // "" RS256, or HS256/HS512 with the secret
	userinfo    func(w http.ResponseWriter, r *http.Request)
	usedMethod  string // how the last token request authenticated
}

func newFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOP{t: t, key: key, authMethods: []string{"client_secret_basic", "client_secret_post"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /keys", f.keys)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		h := f.userinfo
		f.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOP) discovery(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	iss := f.issuer
	if iss == "" {
		iss = f.srv.URL
	}
	doc := map[string]any{"issuer": iss, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
		"jwks_uri": f.srv.URL + "/keys", "token_endpoint_auth_methods_supported": f.authMethods}
	if f.algs != nil {
		doc["id_token_signing_alg_values_supported"] = f.algs
	}
	if f.userinfo != nil {
		doc["userinfo_endpoint"] = f.srv.URL + "/userinfo"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func (f *fakeOP) keys(w http.ResponseWriter, _ *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// token authenticates the client as a strict provider would, by the method
// it used, and answers an ID token.
func (f *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokenStatus != 0 {
		w.WriteHeader(f.tokenStatus)
		_, _ = w.Write([]byte(`{"error":"server_error"}`))
		return
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("token request: %v", err)
	}
	refuse := func() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
	}
	var id, secret string
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Basic ") {
		f.usedMethod = "client_secret_basic"
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		id, secret, _ = strings.Cut(string(raw), ":")
		if !f.basicRaw { // RFC 6749 §2.3.1: form-urlencoded, then Basic
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		}
	} else {
		f.usedMethod = "client_secret_post"
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != "cma" || secret != lemonSecret {
		refuse()
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": f.srv.URL, "aud": "cma", "sub": "sujet-1", "nonce": f.nonce,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	for k, v := range f.idClaims {
		claims[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-1", "token_type": "Bearer",
		"id_token": f.sign(f.idAlg, claims)})
}

// sign makes a compact JWS of claims: RS256 with the OP's key, or HMAC with
// the client secret.
func (f *fakeOP) sign(alg string, claims map[string]any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		f.t.Fatal(err)
	}
	var key any = jose.JSONWebKey{Key: f.key, KeyID: "k1"}
	switch alg {
	case "", "RS256":
		alg = "RS256"
	default:
		key = []byte(lemonSecret + lemonSecret) // go-jose wants 64 bytes for HS512
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

func (f *fakeOP) set(fn func(f *fakeOP)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeOP) provider(clientAuth string, algs []string, secret string) *Provider {
	return NewProvider(ProviderConfig{Name: "Mon Paris", Issuer: f.srv.URL, ClientID: "cma", ClientSecret: secret,
		RedirectURL: "https://cma.example/connexion/retour", ClientAuth: clientAuth, SigningAlgs: algs})
}

// exchange runs Exchange against the fake provider with a fresh attempt.
func (f *fakeOP) exchange(t *testing.T, p *Provider) (Identity, error) {
	t.Helper()
	ar := newAuthRequest(t)
	f.set(func(f *fakeOP) { f.nonce = ar.Nonce })
	return p.Exchange(context.Background(), "code-1", ar)
}

func TestParseSigningAlgs_ACC3_auto_list_and_never_none(t *testing.T) {
	for in, want := range map[string][]string{"": nil, "auto": nil, "AUTO": nil, "hs512": {"HS512"}, "RS256, HS512,RS256": {"RS256", "HS512"}} {
		got, err := ParseSigningAlgs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseSigningAlgs(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"none", "RS256,none", "HS1024", ",", "EdDSA"} {
		if _, err := ParseSigningAlgs(in); err == nil {
			t.Errorf("ParseSigningAlgs(%q) accepted", in)
		}
	}
	if got := allowedAlgs(nil, nil); !slices.Equal(got, []string{"RS256"}) {
		t.Errorf("auto with nothing advertised = %v, want RS256 (OpenID Connect Discovery)", got)
	}
	if got := allowedAlgs(nil, []string{"none", "HS512", "RS256", "EdDSA"}); !slices.Equal(got, []string{"HS512", "RS256"}) {
		t.Errorf("auto = %v, want the advertised accepted ones, never none", got)
	}
	if got := allowedAlgs([]string{"ES256"}, []string{"RS256"}); !slices.Equal(got, []string{"ES256"}) {
		t.Errorf("explicit = %v, want the setting's", got)
	}
}

// hs512IDP is the development provider as LemonLDAP::NG is by default: ID
// tokens signed with HS512 and the client secret, claims at UserInfo only,
// back-channel logout to the client.
func hs512IDP(t *testing.T, backchannel string) (*httptest.Server, *devidp.Provider) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	idp, err := devidp.New(devidp.Config{Issuer: srv.URL + "/dev-idp", SigningAlg: "HS512", ClaimsAtUserInfoOnly: true,
		Clients: []devidp.Client{{ID: clientA, Secret: lemonSecret, RedirectURIs: []string{srv.URL + "/callback"},
			PostLogoutRedirectURIs: []string{srv.URL + "/catalogue"}, BackchannelLogoutURI: backchannel}},
		Personas: devidp.DemoPersonas()})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/dev-idp/", idp.Handler())
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		values := map[string]string{}
		for k := range r.URL.Query() {
			values[k] = r.URL.Query().Get(k)
		}
		_ = json.NewEncoder(w).Encode(values)
	})
	return srv, idp
}

func hs512Provider(srv *httptest.Server, algs []string) *Provider {
	return NewProvider(ProviderConfig{Name: "Mon Paris", Issuer: srv.URL + "/dev-idp", ClientID: clientA, ClientSecret: lemonSecret,
		RedirectURL: srv.URL + "/callback", SigningAlgs: algs})
}

func TestExchange_ACC3_claims_from_userinfo_with_an_HS512_ID_token(t *testing.T) {
	srv, _ := hs512IDP(t, "")
	p := hs512Provider(srv, nil) // auto: HS512 is what it advertises
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-1")
	id, err := p.Exchange(context.Background(), code, ar)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if alg, _ := tokenAlg(id.Session.IDToken); alg != "HS512" {
		t.Errorf("ID token signed with %q, want HS512 (the provider's setting)", alg)
	}
	var inToken map[string]any
	parts := strings.Split(id.Session.IDToken, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(b, &inToken)
	if _, ok := inToken["email"]; ok {
		t.Errorf("the ID token carries the email: the test would not show UserInfo is read: %v", inToken)
	}
	if id.Email != "camille.martin@exemple.fr" || !id.EmailVerified || id.GivenName != "Camille" || id.FamilyName != "Martin" ||
		id.Birthdate != time.Date(1988, 3, 14, 0, 0, 0, 0, time.UTC) {
		t.Errorf("identity %+v: the UserInfo claims are not merged", id)
	}
	if id.Session.SID == "" || id.Session.SID != inToken["sid"] {
		t.Errorf("sid %q, want the ID token's %v", id.Session.SID, inToken["sid"])
	}
}

func TestExchange_ACC3_refused_algorithm_names_the_setting(t *testing.T) {
	srv, _ := hs512IDP(t, "")
	p := hs512Provider(srv, []string{"RS256"})
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-1")
	_, err := p.Exchange(context.Background(), code, ar)
	var ae *AlgorithmError
	if !errors.As(err, &ae) || !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("err = %v, want an AlgorithmError", err)
	}
	if ae.Alg != "HS512" || !slices.Equal(ae.Allowed, []string{"RS256"}) || !strings.Contains(ae.Error(), "CMA_OIDC_SIGNING_ALGS") {
		t.Errorf("error %q (%+v) does not name the algorithm, the allowed list and the setting", ae, ae)
	}
}

func TestExchange_ACC3_HMAC_token_with_a_wrong_secret_refused(t *testing.T) {
	f := newFakeOP(t)
	f.set(func(f *fakeOP) {
		f.idAlg = "HS512"
		f.algs = []string{"HS512"}
		f.idClaims = map[string]any{"email": "a@exemple.fr"}
	})
	// The secret authenticates at the token endpoint, but the token is
	// signed with another key (the fake doubles it): the signature fails.
	_, err := f.exchange(t, f.provider("", nil, lemonSecret))
	if !errors.Is(err, ErrBadToken) {
		t.Errorf("err = %v, want ErrBadToken", err)
	}
}

func TestExchange_ACC3_userinfo_JSON_JWT_and_failures(t *testing.T) {
	f := newFakeOP(t)
	userinfo := func(body, contentType string, status int) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer at-1" {
				t.Errorf("UserInfo called with %q, want the access token", r.Header.Get("Authorization"))
			}
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	p := f.provider("", nil, lemonSecret)

	// JSON: fills what the ID token lacks, never overrides it.
	f.set(func(f *fakeOP) {
		f.idClaims = map[string]any{"given_name": "Zoé"}
		f.userinfo = userinfo(`{"sub":"sujet-1","email":"zoe@exemple.fr","email_verified":"true","given_name":"Autre","family_name":"Müller","birthdate":"1990-01-02"}`,
			"application/json; charset=utf-8", 200)
	})
	id, err := f.exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if id.Email != "zoe@exemple.fr" || !id.EmailVerified || id.GivenName != "Zoé" || id.FamilyName != "Müller" || id.Birthdate.IsZero() {
		t.Errorf("JSON UserInfo merged as %+v", id)
	}

	// Another subject: someone else's answer, refused.
	f.set(func(f *fakeOP) {
		f.userinfo = userinfo(`{"sub":"sujet-2","email":"autre@exemple.fr"}`, "application/json", 200)
	})
	if _, err := f.exchange(t, p); !errors.Is(err, ErrBadToken) {
		t.Errorf("UserInfo of another subject: err = %v, want ErrBadToken", err)
	}

	// A signed JWT (application/jwt), verified like the ID token.
	jwt := f.sign("RS256", map[string]any{"iss": f.srv.URL, "aud": "cma", "sub": "sujet-1", "email": "jwt@exemple.fr"})
	f.set(func(f *fakeOP) { f.idClaims = nil; f.userinfo = userinfo(jwt, "application/jwt", 200) })
	if id, err := f.exchange(t, p); err != nil || id.Email != "jwt@exemple.fr" {
		t.Errorf("JWT UserInfo: %+v, %v", id, err)
	}
	forged := jwt[:strings.LastIndex(jwt, ".")] + ".AAAA"
	f.set(func(f *fakeOP) { f.userinfo = userinfo(forged, "application/jwt", 200) })
	if _, err := f.exchange(t, p); !errors.Is(err, ErrBadToken) {
		t.Errorf("forged JWT UserInfo: err = %v, want ErrBadToken", err)
	}

	// UserInfo down: a warning when the ID token has the email, else no email.
	var logged bytes.Buffer
	pl := NewProvider(ProviderConfig{Issuer: f.srv.URL, ClientID: "cma", ClientSecret: lemonSecret, RedirectURL: "https://cma.example/r",
		Log: slog.New(slog.NewTextHandler(&logged, nil))})
	f.set(func(f *fakeOP) {
		f.idClaims = map[string]any{"email": "id@exemple.fr"}
		f.userinfo = userinfo(`oops`, "text/plain", 500)
	})
	if id, err := f.exchange(t, pl); err != nil || id.Email != "id@exemple.fr" {
		t.Errorf("UserInfo failing, email in the ID token: %+v, %v", id, err)
	}
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "UserInfo") {
		t.Errorf("no warning logged: %s", logged.String())
	}
	f.set(func(f *fakeOP) { f.idClaims = nil })
	if _, err := f.exchange(t, pl); !errors.Is(err, ErrNoEmail) {
		t.Errorf("UserInfo failing, no email anywhere: err = %v, want ErrNoEmail", err)
	}
}

func TestExchange_ACC3_client_auth_with_a_LemonLDAP_secret(t *testing.T) {
	f := newFakeOP(t)
	f.set(func(f *fakeOP) { f.idClaims = map[string]any{"email": "a@exemple.fr"} })
	for _, c := range []struct {
		setting, advertised string
		basicRaw            bool
		wantMethod          string
		wantErr             error
	}{
		{"auto", "client_secret_basic,client_secret_post", true, "client_secret_post", nil},
		{"", "client_secret_post", true, "client_secret_post", nil},
		{"auto", "client_secret_basic", false, "client_secret_basic", nil},
		{"auto", "", false, "client_secret_basic", nil},
		{"client_secret_post", "client_secret_basic", true, "client_secret_post", nil},
		{"client_secret_basic", "client_secret_basic,client_secret_post", false, "client_secret_basic", nil},
		{"client_secret_basic", "client_secret_basic,client_secret_post", true, "client_secret_basic", ErrClientRefused},
	} {
		f.set(func(f *fakeOP) {
			f.basicRaw = c.basicRaw
			f.authMethods = nil
			if c.advertised != "" {
				f.authMethods = strings.Split(c.advertised, ",")
			}
		})
		_, err := f.exchange(t, f.provider(c.setting, nil, lemonSecret))
		f.mu.Lock()
		used := f.usedMethod
		f.mu.Unlock()
		if used != c.wantMethod || (c.wantErr == nil && err != nil) || (c.wantErr != nil && !errors.Is(err, c.wantErr)) {
			t.Errorf("setting %q, advertised %q, raw Basic %v: used %s, err %v; want %s, %v",
				c.setting, c.advertised, c.basicRaw, used, err, c.wantMethod, c.wantErr)
		}
	}
	if _, err := ParseClientAuth("private_key_jwt"); err == nil {
		t.Error("ParseClientAuth accepted private_key_jwt")
	}
}

func TestDiscovery_ACC3_issuer_mismatch_names_both(t *testing.T) {
	f := newFakeOP(t)
	p := NewProvider(ProviderConfig{Issuer: f.srv.URL + "/", ClientID: "cma", ClientSecret: "s", RedirectURL: "https://cma.example/r"})
	_, err := p.AuthCodeURL(context.Background(), newAuthRequest(t))
	if !errors.Is(err, ErrIssuerMismatch) || errors.Is(err, ErrProviderDown) {
		t.Fatalf("err = %v, want ErrIssuerMismatch only", err)
	}
	if !strings.Contains(err.Error(), `"`+f.srv.URL+`/"`) || !strings.Contains(err.Error(), `"`+f.srv.URL+`"`) {
		t.Errorf("error %q does not name both issuers", err)
	}
}

func TestExchange_ACC3_token_endpoint_errors(t *testing.T) {
	f := newFakeOP(t)
	f.set(func(f *fakeOP) { f.idClaims = map[string]any{"email": "a@exemple.fr"} })
	p := f.provider("", nil, lemonSecret)
	for status, want := range map[int]error{500: ErrProviderFailed, 503: ErrProviderDown, 502: ErrProviderDown} {
		f.set(func(f *fakeOP) { f.tokenStatus = status })
		if _, err := f.exchange(t, p); !errors.Is(err, want) {
			t.Errorf("token endpoint %d: err = %v, want %v", status, err, want)
		}
	}
	f.set(func(f *fakeOP) { f.tokenStatus = 0 })
	if _, err := f.exchange(t, f.provider("", nil, "wrong")); !errors.Is(err, ErrClientRefused) {
		t.Errorf("wrong secret: err = %v, want ErrClientRefused", err)
	}
}

// backchannelRP records the logout tokens the development provider posts.
type backchannelRP struct {
	mu     sync.Mutex
	tokens []string
}

func (b *backchannelRP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = append(b.tokens, r.PostFormValue("logout_token"))
}

func TestSignOut_ACC5_ends_the_provider_session_and_calls_back_channel(t *testing.T) {
	rp := &backchannelRP{}
	bc := httptest.NewServer(rp)
	t.Cleanup(bc.Close)
	srv, idp := hs512IDP(t, bc.URL+"/logout")
	p := hs512Provider(srv, nil)
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-1")
	id, err := p.Exchange(context.Background(), code, ar)
	if err != nil {
		t.Fatal(err)
	}

	end, ok := p.EndSessionURL(context.Background(), id.Session.IDToken, srv.URL+"/catalogue", "etat-1")
	if !ok {
		t.Fatal("no end_session_endpoint")
	}
	b := browser(t)
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Get(end)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if loc := resp.Header.Get("Location"); loc != srv.URL+"/catalogue?state=etat-1" {
		t.Errorf("end_session sent back to %q (status %d)", loc, resp.StatusCode)
	}
	rp.mu.Lock()
	tokens := slices.Clone(rp.tokens)
	rp.mu.Unlock()
	if len(tokens) != 1 {
		t.Fatalf("%d back-channel calls, want 1", len(tokens))
	}
	lo, err := p.VerifyLogoutToken(context.Background(), tokens[0])
	if err != nil {
		t.Fatalf("VerifyLogoutToken: %v", err)
	}
	if lo != (Logout{Issuer: p.Issuer(), SID: id.Session.SID, Subject: "demo-candidate-1"}) {
		t.Errorf("logout %+v, want the sign-in's sid %q", lo, id.Session.SID)
	}

	// A second sign-out with the same hint: the session is gone, no call.
	resp, err = b.Get(end)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if rp.mu.Lock(); len(rp.tokens) != 1 {
		t.Errorf("back-channel called again for an ended session")
	}
	rp.mu.Unlock()

	// An unregistered post-logout address is refused even with a valid hint.
	bad, _ := p.EndSessionURL(context.Background(), id.Session.IDToken, "https://attaquant.exemple/", "")
	resp, err = b.Get(bad)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Errorf("unregistered post_logout_redirect_uri followed to %q", loc)
	}
	_ = idp
}

func TestVerifyLogoutToken_ACC5_refuses_what_is_not_a_logout_token(t *testing.T) {
	srv, idp := hs512IDP(t, "")
	p := hs512Provider(srv, nil)
	good, err := idp.LogoutToken(clientA, "sid-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if lo, err := p.VerifyLogoutToken(context.Background(), good); err != nil || lo.SID != "sid-1" {
		t.Fatalf("good token: %+v, %v", lo, err)
	}
	if _, err := p.VerifyLogoutToken(context.Background(), good); !errors.Is(err, ErrBadLogoutToken) || !strings.Contains(err.Error(), "already used") {
		t.Errorf("the same token twice: err = %v, want it refused as replayed", err)
	}
	good, _ = idp.LogoutToken(clientA, "sid-1", "")   // a fresh one, for the age check below
	other, _ := idp.LogoutToken("autre", "sid-1", "") // unknown client: cannot be signed
	if other != "" {
		t.Errorf("a token was signed for an unknown client")
	}
	noSubject, err := idp.LogoutToken(clientA, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.VerifyLogoutToken(context.Background(), noSubject); !errors.Is(err, ErrBadLogoutToken) {
		t.Errorf("neither sid nor sub: err = %v", err)
	}
	tampered := good[:len(good)-4] + "AAAA"
	if _, err := p.VerifyLogoutToken(context.Background(), tampered); !errors.Is(err, ErrBadLogoutToken) {
		t.Errorf("tampered: err = %v", err)
	}
	// An ID token is not a logout token (it has a nonce and no event).
	ar := newAuthRequest(t)
	code := signIn(t, p, ar, "demo-candidate-1")
	id, err := p.Exchange(context.Background(), code, ar)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.VerifyLogoutToken(context.Background(), id.Session.IDToken); !errors.Is(err, ErrBadLogoutToken) {
		t.Errorf("ID token taken as a logout token: err = %v", err)
	}
	// Too old.
	p.now = func() time.Time { return time.Now().Add(time.Hour) }
	if _, err := p.VerifyLogoutToken(context.Background(), good); !errors.Is(err, ErrBadLogoutToken) {
		t.Errorf("old token: err = %v", err)
	}
}
