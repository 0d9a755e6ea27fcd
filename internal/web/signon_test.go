package web_test

import (
	"bytes"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/auth/devidp"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web"
)

// syncBuffer is a log a test reads while the server writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// signOnSite is the platform signing people in through the development
// provider set up as LemonLDAP::NG is by default (HS512 with the client
// secret, claims at UserInfo only, back-channel logout to the platform).
type signOnSite struct {
	*httptest.Server
	idp    *devidp.Provider
	idpURL string
	db     *db.DB
	log    *syncBuffer
}

const signOnSecret = "un+secret/de=démo:avec%les&caractères-de-LemonLDAP-0123456789abc"

func newSignOnSite(t *testing.T, algs []string, issuerSuffix string) *signOnSite {
	t.Helper()
	var site http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { site.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	idpMux := http.NewServeMux()
	idpSrv := httptest.NewServer(idpMux)
	t.Cleanup(idpSrv.Close)
	idp, err := devidp.New(devidp.Config{Issuer: idpSrv.URL + "/idp", SigningAlg: "HS512", ClaimsAtUserInfoOnly: true,
		Clients: []devidp.Client{{ID: "cma", Secret: signOnSecret, RedirectURIs: []string{ts.URL + "/connexion/retour"},
			PostLogoutRedirectURIs: []string{ts.URL + "/catalogue"}, BackchannelLogoutURI: ts.URL + "/connexion/deconnexion-fournisseur"}},
		Personas: devidp.DemoPersonas()})
	if err != nil {
		t.Fatal(err)
	}
	idpMux.Handle("/idp/", idp.Handler())

	d := dbtest.SQLite(t)
	st := store.New(d)
	words, _ := i18n.Load()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	paris, _ := time.LoadLocation("Europe/Paris")
	p := auth.NewProvider(auth.ProviderConfig{Name: "Mon Paris", Issuer: idp.Issuer() + issuerSuffix, ClientID: "cma",
		ClientSecret: signOnSecret, RedirectURL: ts.URL + "/connexion/retour", SigningAlgs: algs, Log: log})
	srv, err := web.New(web.Deps{Catalogue: catalogue.NewService(st, words, "C", 0, time.Now), Accounts: accounts.New(st, time.Now, log),
		Sessions: st.Sessions(), Providers: []*auth.Provider{p}, Words: words, DB: d, Log: log, Paris: paris, Now: time.Now,
		PublicURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	site = srv.Handler()
	return &signOnSite{Server: ts, idp: idp, idpURL: idpSrv.URL, db: d, log: logs}
}

func newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

var authRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signIn signs b in as the persona, through the provider's login page, and
// returns the last page's status and body.
func (s *signOnSite) signIn(t *testing.T, b *http.Client, persona string) (int, string) {
	t.Helper()
	res, err := b.PostForm(s.URL+"/connexion/fournisseur", url.Values{"fournisseur": {"0"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := authRequestID.FindSubmatch(body)
	if m == nil {
		return res.StatusCode, html.UnescapeString(string(body))
	}
	res, err = b.PostForm(res.Request.URL.String(), url.Values{"id": {string(m[1])}, "persona": {persona}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, html.UnescapeString(string(body))
}

// signedIn says whether b's session is signed in (its profile page opens).
func (s *signOnSite) signedIn(t *testing.T, b *http.Client) bool {
	t.Helper()
	noFollow := *b
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noFollow.Get(s.URL + "/mon-profil")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func (s *signOnSite) sidOf(t *testing.T, subject string) string {
	t.Helper()
	var sid string
	if err := s.db.R.QueryRow(`SELECT signon_sid FROM web_sessions WHERE signon_subject = $1`, subject).Scan(&sid); err != nil {
		t.Fatalf("sid of %s: %v", subject, err)
	}
	return sid
}

func TestSignIn_ACC3_HS512_and_claims_at_userinfo(t *testing.T) {
	s := newSignOnSite(t, nil, "")
	b := newBrowser(t)
	if status, body := s.signIn(t, b, "demo-candidate-1"); status != http.StatusOK || !s.signedIn(t, b) {
		t.Fatalf("sign-in through an HS512 provider with claims at UserInfo: %d\n%.500s", status, body)
	}
}

func TestSignOut_ACC5_ends_the_provider_session(t *testing.T) {
	s := newSignOnSite(t, nil, "")
	b := newBrowser(t)
	s.signIn(t, b, "demo-candidate-1")
	if !s.signedIn(t, b) {
		t.Fatal("not signed in")
	}
	noFollow := *b
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noFollow.PostForm(s.URL+"/deconnexion", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	end, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(end.String(), s.idp.Issuer()+"/end_session?") {
		t.Fatalf("sign-out sent to %q, want the provider's end_session_endpoint", res.Header.Get("Location"))
	}
	q := end.Query()
	if q.Get("id_token_hint") == "" || q.Get("client_id") != "cma" || q.Get("post_logout_redirect_uri") != s.URL+"/catalogue" || q.Get("state") == "" {
		t.Errorf("end_session parameters %v", q)
	}
	if s.signedIn(t, b) {
		t.Error("the platform session outlived the sign-out")
	}
	// The provider accepts the hint and the address, and sends the person
	// back to the catalogue.
	res, err = noFollow.Get(end.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, s.URL+"/catalogue?state=") {
		t.Errorf("the provider sent the person to %q (status %d)", loc, res.StatusCode)
	}
}

func TestSignOut_ACC5_backchannel_logout_ends_that_session_only(t *testing.T) {
	s := newSignOnSite(t, nil, "")
	camille, camilleAgain, yasmine := newBrowser(t), newBrowser(t), newBrowser(t)
	s.signIn(t, camille, "demo-candidate-1")
	s.signIn(t, yasmine, "demo-candidate-2")
	sid := s.sidOf(t, "demo-candidate-1")
	s.signIn(t, camilleAgain, "demo-candidate-1") // another sign-on session of the same person

	token, err := s.idp.LogoutToken("cma", sid, "demo-candidate-1")
	if err != nil {
		t.Fatal(err)
	}
	// A server-to-server call; even with a cross-site Origin it is not a
	// CSRF refusal: the signed token is the check.
	req, _ := http.NewRequest("POST", s.URL+"/connexion/deconnexion-fournisseur", strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.idpURL)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("back-channel logout: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if s.signedIn(t, camille) {
		t.Error("the session of the ended sign-on session is still signed in")
	}
	if !s.signedIn(t, camilleAgain) || !s.signedIn(t, yasmine) {
		t.Error("a logout for one sid ended other sessions")
	}

	// Without a sid, every session of the subject ends.
	token, _ = s.idp.LogoutToken("cma", "", "demo-candidate-1")
	res, err = http.PostForm(s.URL+"/connexion/deconnexion-fournisseur", url.Values{"logout_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || s.signedIn(t, camilleAgain) || !s.signedIn(t, yasmine) {
		t.Errorf("logout by subject: %d, camille %v, yasmine %v", res.StatusCode, s.signedIn(t, camilleAgain), s.signedIn(t, yasmine))
	}

	// Refused tokens: 400, a JSON error, nothing ended.
	for name, tok := range map[string]string{"empty": "", "garbage": "a.b.c", "tampered": token[:len(token)-3] + "abc"} {
		res, err := http.PostForm(s.URL+"/connexion/deconnexion-fournisseur", url.Values{"logout_token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"error":"invalid_request"`) ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s token: %d %s", name, res.StatusCode, body)
		}
	}
	if !s.signedIn(t, yasmine) {
		t.Error("a refused token ended a session")
	}

	// The exemption is exactly that route: a cross-site sign-out is still refused.
	req, _ = http.NewRequest("POST", s.URL+"/deconnexion", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /deconnexion: %d, want 403", res.StatusCode)
	}
}

func TestSignOut_ACC5_frontchannel_logout_by_issuer_and_sid(t *testing.T) {
	s := newSignOnSite(t, nil, "")
	camille, yasmine := newBrowser(t), newBrowser(t)
	s.signIn(t, camille, "demo-candidate-1")
	s.signIn(t, yasmine, "demo-candidate-2")
	sid := s.sidOf(t, "demo-candidate-1")

	// Loaded by the provider in an iframe: no cookie of this site.
	res, err := http.Get(s.URL + "/connexion/deconnexion-fournisseur?" + url.Values{"iss": {s.idp.Issuer()}, "sid": {sid}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Vous êtes déconnecté de ce site.") {
		t.Fatalf("front-channel logout: %d %s", res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+s.idpURL) || strings.Contains(csp, "'none'; frame-ancestors 'none'") {
		t.Errorf("CSP %q: the provider must be able to frame the page, and only it", csp)
	}
	if res.Header.Get("X-Frame-Options") != "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", res.Header)
	}
	if s.signedIn(t, camille) || !s.signedIn(t, yasmine) {
		t.Errorf("after the front-channel logout: camille %v (want false), yasmine %v (want true)", s.signedIn(t, camille), s.signedIn(t, yasmine))
	}
	// Another issuer, or no sid: refused, not framable.
	for _, q := range []url.Values{{"iss": {"https://autre.exemple"}, "sid": {sid}}, {"iss": {s.idp.Issuer()}}} {
		res, err := http.Get(s.URL + "/connexion/deconnexion-fournisseur?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%v: %d, X-Frame-Options %q", q, res.StatusCode, res.Header.Get("X-Frame-Options"))
		}
	}
}

func TestSignIn_ACC3_configuration_problems_are_said_and_logged(t *testing.T) {
	// The setting refuses HS512: a configuration message, an error log line
	// naming the algorithm and the setting.
	s := newSignOnSite(t, []string{"RS256"}, "")
	status, body := s.signIn(t, newBrowser(t), "demo-candidate-1")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "problème de configuration") || strings.Contains(body, "Réessayez") {
		t.Errorf("algorithm refused: %d\n%.600s", status, body)
	}
	if l := s.log.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "algorithm=HS512") || !strings.Contains(l, "CMA_OIDC_SIGNING_ALGS") {
		t.Errorf("log lacks the algorithm and the setting:\n%s", l)
	}

	// A trailing slash on the issuer.
	s = newSignOnSite(t, nil, "/")
	status, body = s.signIn(t, newBrowser(t), "demo-candidate-1")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "problème de configuration") || strings.Contains(body, "ne répond pas") {
		t.Errorf("issuer mismatch: %d\n%.600s", status, body)
	}
	if l := s.log.String(); !strings.Contains(l, "issuer mismatch") || !strings.Contains(l, "configured_issuer="+s.idp.Issuer()+"/") ||
		!strings.Contains(l, "published_issuer="+s.idp.Issuer()) {
		t.Errorf("log does not name both issuers:\n%s", l)
	}
}

func TestSignIn_ACC3_provider_error_codes(t *testing.T) {
	s := newSignOnSite(t, nil, "")
	for code, want := range map[string]string{
		"access_denied":    "annulée ou refusée",
		"consent_required": "vous demande de vous identifier de nouveau",
		"login_required":   "vous demande de vous identifier de nouveau",
		"server_error":     "n'a pas pu vous connecter",
	} {
		b := newBrowser(t)
		noFollow := *b
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err := noFollow.PostForm(s.URL+"/connexion/fournisseur", url.Values{"fournisseur": {"0"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		authURL, _ := url.Parse(res.Header.Get("Location"))
		state := authURL.Query().Get("state")
		res, err = b.Get(s.URL + "/connexion/retour?" + url.Values{"state": {state}, "error": {code},
			"error_description": {"Motif\nfourni " + strings.Repeat("x", 500)}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(html.UnescapeString(string(body)), want) {
			t.Errorf("error %s: page lacks %q", code, want)
		}
		if l := s.log.String(); !strings.Contains(l, "error="+code) || !strings.Contains(l, "Motif?fourni") || strings.Contains(l, strings.Repeat("x", 400)) {
			t.Errorf("error %s: the log line does not carry the sanitized, shortened code and description", code)
		}
	}
}
