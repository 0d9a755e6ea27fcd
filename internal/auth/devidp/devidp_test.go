package devidp_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cma/internal/auth/devidp"
)

const (
	clientID     = "cma-test"
	clientSecret = "secret-de-test"
	verifier     = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXkabcdefghij"
)

// testServer runs a devidp at /dev-idp/ and a callback at /callback that
// answers with its query parameters as JSON.
type testServer struct {
	srv *httptest.Server
	idp *devidp.Provider
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	idp, err := devidp.New(devidp.Config{
		Issuer: srv.URL + "/dev-idp",
		Clients: []devidp.Client{{
			ID:                     clientID,
			Secret:                 clientSecret,
			RedirectURIs:           []string{srv.URL + "/callback"},
			PostLogoutRedirectURIs: []string{srv.URL + "/au-revoir"},
		}},
		Personas: devidp.DemoPersonas(),
	})
	if err != nil {
		t.Fatalf("devidp.New: %v", err)
	}
	mux.Handle("/dev-idp/", idp.Handler())
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		values := map[string]string{}
		for k := range r.URL.Query() {
			values[k] = r.URL.Query().Get(k)
		}
		_ = json.NewEncoder(w).Encode(values)
	})
	mux.HandleFunc("/au-revoir", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "au revoir")
	})
	return &testServer{srv: srv, idp: idp}
}

func challengeS256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (ts *testServer) authorizeURL(mutate func(url.Values)) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {ts.srv.URL + "/callback"},
		"scope":                 {"openid email profile"},
		"state":                 {"etat-123"},
		"nonce":                 {"nonce-456"},
		"code_challenge":        {challengeS256(verifier)},
		"code_challenge_method": {"S256"},
	}
	if mutate != nil {
		mutate(q)
	}
	return ts.srv.URL + "/dev-idp/authorize?" + q.Encode()
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// signIn walks authorize → login page → persona and returns the callback's
// query parameters.
func (ts *testServer) signIn(t *testing.T, subject string) map[string]string {
	t.Helper()
	resp, err := ts.srv.Client().Get(ts.authorizeURL(nil))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	readBody(t, resp)
	if resp.Request.URL.Path != "/dev-idp"+devidp.LoginPath {
		t.Fatalf("authorize led to %s, want the login page", resp.Request.URL)
	}
	id := resp.Request.URL.Query().Get("id")
	resp, err = ts.srv.Client().PostForm(ts.srv.URL+"/dev-idp"+devidp.LoginPath, url.Values{"id": {id}, "persona": {subject}})
	if err != nil {
		t.Fatalf("choose persona: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(readBody(t, resp)), &got); err != nil {
		t.Fatalf("callback answer: %v", err)
	}
	return got
}

func (ts *testServer) token(t *testing.T, form url.Values, basicAuth bool) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.srv.URL+"/dev-idp/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicAuth {
		req.SetBasicAuth(clientID, clientSecret)
	}
	resp, err := ts.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &body); err != nil {
		t.Fatalf("token answer: %v", err)
	}
	return resp.StatusCode, body
}

func TestDiscovery_URLsCarryThePathPrefix(t *testing.T) {
	ts := newTestServer(t)
	resp, err := ts.srv.Client().Get(ts.srv.URL + "/dev-idp/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &doc); err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	issuer := ts.srv.URL + "/dev-idp"
	for key, want := range map[string]string{
		"issuer":                 issuer,
		"authorization_endpoint": issuer + "/authorize",
		"token_endpoint":         issuer + "/oauth/token",
		"jwks_uri":               issuer + "/keys",
		"userinfo_endpoint":      issuer + "/userinfo",
		"end_session_endpoint":   issuer + "/end_session",
	} {
		if doc[key] != want {
			t.Errorf("%s = %v, want %s", key, doc[key], want)
		}
	}
	if got := doc["code_challenge_methods_supported"]; !strings.Contains(strings.Join(toStrings(got), " "), "S256") {
		t.Errorf("code_challenge_methods_supported = %v, want S256", got)
	}
	resp, err = ts.srv.Client().Get(issuer + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"RS256"`) {
		t.Errorf("keys: %d %s", resp.StatusCode, body)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, _ := item.(string)
		out = append(out, s)
	}
	return out
}

func TestAuthorize_ACC3_RefusesMissingOrPlainPKCE(t *testing.T) {
	ts := newTestServer(t)
	client := ts.srv.Client()
	client.CheckRedirect = noRedirect
	for name, mutate := range map[string]func(url.Values){
		"no code_challenge": func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") },
		"no method (plain)": func(q url.Values) { q.Del("code_challenge_method") },
		"plain":             func(q url.Values) { q.Set("code_challenge", verifier); q.Set("code_challenge_method", "plain") },
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := client.Get(ts.authorizeURL(mutate))
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			loc, err := resp.Location()
			if err != nil {
				t.Fatalf("status %d without redirect: %v", resp.StatusCode, err)
			}
			if strings.HasPrefix(loc.Path, "/dev-idp"+devidp.LoginPath) {
				t.Fatalf("sent to the login page: %s", loc)
			}
			if loc.Path != "/callback" || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "etat-123" {
				t.Errorf("redirect = %s, want /callback with error=invalid_request and the state", loc)
			}
		})
	}
}

func TestAuthorize_ACC3_RefusesUnknownRedirectURI(t *testing.T) {
	ts := newTestServer(t)
	client := ts.srv.Client()
	client.CheckRedirect = noRedirect
	resp, err := client.Get(ts.authorizeURL(func(q url.Values) { q.Set("redirect_uri", "https://attaquant.exemple/vol") }))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Errorf("redirected to %s", loc)
	}
}

func TestLoginPage_IsFrenchAndListsEveryPersona(t *testing.T) {
	ts := newTestServer(t)
	resp, err := ts.srv.Client().Get(ts.authorizeURL(nil))
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="fr">`,
		"<main>",
		"<h1>Connexion — fournisseur d'identité de démonstration</h1>",
		"Mon Paris",
		"Mot de passe oublié",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<style", "style="} {
		if strings.Contains(body, banned) {
			t.Errorf("login page contains %q (the CSP forbids inline script and style)", banned)
		}
	}
	forms := regexp.MustCompile(`<form method="post"`).FindAllString(body, -1)
	if len(forms) != len(devidp.DemoPersonas()) {
		t.Errorf("%d forms, want one per persona (%d)", len(forms), len(devidp.DemoPersonas()))
	}
	for _, p := range devidp.DemoPersonas() {
		button := "<button type=\"submit\">" + p.GivenName + " " + p.FamilyName + " — " + p.Label + "</button>"
		if !strings.Contains(body, button) {
			t.Errorf("no button %q", button)
		}
	}
}

func TestLoginPage_UnknownRequestIsRefusedInFrench(t *testing.T) {
	ts := newTestServer(t)
	resp, err := ts.srv.Client().Get(ts.srv.URL + "/dev-idp" + devidp.LoginPath + "?id=inconnu")
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Connexion impossible") {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
}

func TestCodeFlow_ClientSecretPostAndBasic_SingleUseCode(t *testing.T) {
	ts := newTestServer(t)
	for _, basic := range []bool{true, false} {
		cb := ts.signIn(t, "demo-candidate-2")
		if cb["state"] != "etat-123" || cb["code"] == "" {
			t.Fatalf("callback = %v, want a code and the state", cb)
		}
		form := url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {cb["code"]},
			"redirect_uri":  {ts.srv.URL + "/callback"},
			"code_verifier": {verifier},
		}
		if !basic {
			form.Set("client_id", clientID)
			form.Set("client_secret", clientSecret)
		}
		status, body := ts.token(t, form, basic)
		if status != http.StatusOK || body["id_token"] == nil {
			t.Fatalf("basic=%v: token status %d, body %v", basic, status, body)
		}
		status, body = ts.token(t, form, basic)
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("basic=%v: reused code: status %d, body %v, want invalid_grant", basic, status, body)
		}
	}
}

func TestCodeFlow_WrongClientSecretRefused(t *testing.T) {
	ts := newTestServer(t)
	cb := ts.signIn(t, "demo-candidate-1")
	status, body := ts.token(t, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {cb["code"]},
		"redirect_uri":  {ts.srv.URL + "/callback"},
		"code_verifier": {verifier},
		"client_id":     {clientID},
		"client_secret": {"mauvais"},
	}, false)
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("status %d, body %v, want 401 invalid_client", status, body)
	}
}

func TestEndSession_RedirectsToRegisteredAddressOnly(t *testing.T) {
	ts := newTestServer(t)
	client := ts.srv.Client()
	client.CheckRedirect = noRedirect
	endSession := ts.srv.URL + "/dev-idp/end_session?"

	resp, err := client.Get(endSession + url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {ts.srv.URL + "/au-revoir"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if loc := resp.Header.Get("Location"); loc != ts.srv.URL+"/au-revoir" {
		t.Errorf("registered address: Location = %q", loc)
	}

	resp, err = client.Get(endSession + url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {"https://attaquant.exemple/"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "attaquant") {
		t.Errorf("unregistered address followed: %s", loc)
	}

	resp, err = client.Get(endSession + url.Values{"client_id": {clientID}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if loc := resp.Header.Get("Location"); loc != "/dev-idp"+devidp.LoggedOutPath {
		t.Errorf("default: Location = %q", loc)
	}
}

func TestForgotPasswordPage_ACC5(t *testing.T) {
	ts := newTestServer(t)
	if got, want := ts.idp.ForgotPasswordURL(), ts.srv.URL+"/dev-idp/mot-de-passe-oublie"; got != want {
		t.Errorf("ForgotPasswordURL = %s, want %s", got, want)
	}
	resp, err := ts.srv.Client().Get(ts.idp.ForgotPasswordURL())
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Mot de passe oublié</h1>") || !strings.Contains(body, `lang="fr"`) {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]devidp.Config{
		"no issuer":          {},
		"issuer with query":  {Issuer: "http://127.0.0.1/dev-idp?x=1"},
		"client w/o secret":  {Issuer: "http://127.0.0.1/dev-idp", Clients: []devidp.Client{{ID: "a", RedirectURIs: []string{"http://127.0.0.1/cb"}}}},
		"duplicate subject":  {Issuer: "http://127.0.0.1/dev-idp", Personas: []devidp.Persona{{Subject: "x"}, {Subject: "x"}}},
		"malformed birthday": {Issuer: "http://127.0.0.1/dev-idp", Personas: []devidp.Persona{{Subject: "x", Birthdate: "01/06/2009"}}},
	} {
		if _, err := devidp.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestDemoPersonas_ACC3_CoverTheDemoCases(t *testing.T) {
	personas := devidp.DemoPersonas()
	subjects := map[string]devidp.Persona{}
	for _, p := range personas {
		if _, dup := subjects[p.Subject]; dup {
			t.Errorf("subject %s used twice", p.Subject)
		}
		subjects[p.Subject] = p
		if p.Email == "" || p.Label == "" || p.GivenName == "" || p.FamilyName == "" {
			t.Errorf("persona %s is incomplete: %+v", p.Subject, p)
		}
	}

	minor := subjects["demo-candidate-minor"]
	birth, err := time.Parse(time.DateOnly, minor.Birthdate)
	if err != nil {
		t.Fatalf("minor birthdate: %v", err)
	}
	if age := ageOn(birth, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)); age != 17 {
		t.Errorf("minor is %d on 2026-11-27, want 17", age)
	}

	dup, first := subjects["demo-candidate-duplicate"], subjects["demo-candidate-1"]
	if dup.Subject == first.Subject || dup.Email == first.Email ||
		dup.FamilyName != first.FamilyName || dup.GivenName != first.GivenName || dup.Birthdate != first.Birthdate {
		t.Errorf("duplicate persona %+v should share names and birthdate with %+v, not subject nor email", dup, first)
	}
	for _, s := range []string{"demo-staff-director", "demo-staff-coordinator", "demo-staff-trainer", "demo-staff-guidance", "demo-staff-helpdesk", "demo-staff-central"} {
		if _, ok := subjects[s]; !ok {
			t.Errorf("no staff persona %s", s)
		}
	}
	if subjects["demo-staff-director"].Email != "directrice.voltaire@paris.exemple" {
		t.Errorf("director email = %s", subjects["demo-staff-director"].Email)
	}
}

func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}
